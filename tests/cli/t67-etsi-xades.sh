#!/bin/sh
# t67-etsi-xades.sh — scelle verify reads ETSI ASiC XAdES containers made by other tools
# (FORMAT.md §11.1): signed here by the stock `xmlsec1 --sign` from a template, zipped by
# Python (tests/data/xades_foreign.py), with another signature name (signatures0.xml), a
# file referenced by its percent-encoded name, B-B and B-T, ASiC-E and ASiC-S.  Each gets
# the ETSI verdict with the checks of scelle's own XAdES archives; tampered copies fail; a
# scelle XAdES archive stripped of evidence.xml does not pass as a laxer ETSI container.
. "$(dirname "$0")/lib.sh"
make_pki
start_tsa || exit 2
C=corpus
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" \
	--tsa-trust "$PKI/tsa-ca.pem" "$@"; }
NOT_SCELLE="container.kind .*not a scelle archive: no evidence manifest"
SIG0=META-INF/signatures0.xml

test_expect_success 'setup: the corpus, signed by xmlsec1 --sign, zipped by Python' '
	python3 "$TOP/tests/data/xades_foreign.py" "$PKI" $C "$tsa_url" &&
	for f in xf.asice xf-t.asice xf.asics; do unzip -tq $C/$f || return 1; done &&
	unzip -Z1 $C/xf.asice > names &&
	test_grep -x "$SIG0" names && test_grep -x "déjà vu.txt" names &&
	! grep -e evidence.xml -e "\.p7s$" -e ASiCManifest names &&
	unzip -p $C/xf.asice $SIG0 > sig0.xml &&
	test_grep "URI=\"d%C3%A9j%C3%A0%20vu.txt\"" sig0.xml
'

test_expect_success 'the corpus is what it claims: the stock xmlsec1 verifies its signatures' '
	mkdir x && (cd x && unzip -q ../$C/xf.asice &&
		xmlsec1 --verify --id-attr:Id SignedProperties --trusted-pem "$PKI/ca.pem" $SIG0) 2> x.err &&
	test_grep "^OK" x.err &&
	mkdir t && (cd t && unzip -q ../$C/xf-t.asice &&
		xmlsec1 --verify --id-attr:Id SignedProperties --trusted-pem "$PKI/ca.pem" $SIG0) 2> t.err &&
	test_grep "^OK" t.err
'

test_expect_success 'a foreign XAdES ASiC-E (B-B): TOTAL-PASSED, "not a scelle archive", every file covered' '
	verify -v $C/xf.asice > out &&
	test_grep "^$C/xf.asice: TOTAL-PASSED$" out &&
	test_grep "warning *$NOT_SCELLE" out &&
	test_grep "signature.crypto .*signatures0.xml.: XAdES signature verifies with libxmlsec1 (signer .*Inspectora Demo Garcia" out &&
	test_grep "signature.signing_certificate .*signatures0.xml.: SigningCertificateV2 names the signer" out &&
	test_grep "container.coverage .*every data object is covered by a signature" out &&
	! grep -q -e "not covered" -e "not supported" out
'

test_expect_success 'as libdigidocpp writes it (C14N 1.1, signatures1.xml): TOTAL-PASSED' '
	unzip -p $C/xf-dd.asice META-INF/signatures1.xml > sig1.xml &&
	test_grep "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>" sig1.xml &&
	verify -v $C/xf-dd.asice > out &&
	test_grep "^$C/xf-dd.asice: TOTAL-PASSED$" out &&
	test_grep "signature.crypto .*signatures1.xml.: XAdES signature verifies with libxmlsec1" out
'

test_expect_success 'SigningCertificate (XAdES 1.3.2, libdigidocpp outside its EN profile): digest and serial' '
	verify -v $C/xf-v1.asice > out &&
	test_grep "^$C/xf-v1.asice: TOTAL-PASSED$" out &&
	test_grep "signature.signing_certificate .*SigningCertificate names the signer.s certificate (its digest and serial number)" out &&
	expect_exit 1 verify $C/xt-v1serial.asice > out &&
	test_grep "signature.signing_certificate .*SigningCertificate does not match the signer.s certificate" out
'

test_expect_success 'the verdict in JSON: container etsi, TOTAL-PASSED, the "not a scelle archive" check' '
	verify --json $C/xf.asice > out.json &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"container\"] == \"etsi\" and d[\"verdict\"] == \"TOTAL-PASSED\", d
assert any(c[\"id\"] == \"container.kind\" and \"not a scelle archive\" in c[\"message\"] for c in d[\"checks\"])
" out.json
'

test_expect_success 'B-B without --no-timestamp-ok is INDETERMINATE (NO_POE), as for CAdES' '
	expect_exit 3 scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" $C/xf.asice > out &&
	test_grep "timestamp.present .*signatures0.xml.: no time-stamp" out
'

test_expect_success 'B-T: the signature time-stamp is checked; another unsigned property is "not checked"' '
	scelle verify -v --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" \
		$C/xf-t.asice > out &&
	test_grep "^$C/xf-t.asice: TOTAL-PASSED$" out &&
	test_grep "passed *timestamp.token .*signatures0.xml.: time-stamp 1 by .*Demo TSA 1" out &&
	test_grep "warning *signature.format .*TimeStampValidationData. is not checked" out &&
	expect_exit 3 scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" $C/xf-t.asice > out &&
	test_grep "timestamp.token .*signatures0.xml" out
'

test_expect_success 'ASiC-S: META-INF/signatures.xml over the one data object' '
	verify -v $C/xf.asics > out &&
	test_grep "^$C/xf.asics: TOTAL-PASSED$" out &&
	test_grep "verified as an ETSI ASiC-S container" out &&
	test_grep "signature.crypto .*META-INF/signatures.xml.: XAdES signature verifies" out
'

# expect_fail ARCHIVE PATTERN: TOTAL-FAILED, exit 1, with the reason
expect_fail() {
	expect_exit 1 verify "$C/$1" > "$1.out" && test_grep "^$C/$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}
test_expect_success 'a changed data byte fails' '
	expect_fail xt-data.asice "signature.crypto .*signatures0.xml.: the signature.s reference to .doc.txt. does not match"
'
test_expect_success 'a changed byte of the signature value fails' '
	expect_fail xt-sigval.asice "signature.crypto .*signatures0.xml.: the signature value does not verify"
'
test_expect_success 'a reference removed from SignedInfo fails' '
	expect_fail xt-ref.asice "signature.crypto .*signatures0.xml.: the signature value does not verify"
'
test_expect_success 'an unsigned extra file is a named warning, as for CAdES' '
	verify $C/xt-extra.asice > out &&
	test_grep "^$C/xt-extra.asice: TOTAL-PASSED$" out &&
	test_grep "warning *container.coverage *.planted.txt. is not covered by any signature" out
'
test_expect_success 'a signed file missing from the container is INDETERMINATE (SIGNED_DATA_NOT_FOUND)' '
	expect_exit 3 verify $C/xt-missing.asice > out &&
	test_grep "signatures0.xml.: a reference names .doc.txt., which is not in the container \[SIGNED_DATA_NOT_FOUND\]" out
'
test_expect_success 'stamp refuses a foreign XAdES container' '
	expect_exit 2 scelle stamp --tsa "$tsa_url" -o st.asice $C/xf.asice 2> err &&
	test_grep "not a scelle archive" err && test ! -e st.asice
'

# A forger deletes evidence.xml from a scelle XAdES archive to have it read as a laxer
# container: it is verified as a foreign XAdES container, whose signature still names it.
test_expect_success 'a scelle XAdES archive without evidence.xml is FAILED, not an ETSI container that passes' '
	cp -R "$TOP/examples/evidence/chat-export" ev &&
	scelle seal -q --signature xades --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--revocation-data none -o own.asice ev 2> /dev/null &&
	verify own.asice > out && test_grep "^own.asice: TOTAL-PASSED$" out &&
	python3 "$TOP/tests/data/zipedit.py" own.asice noev.asice remove evidence.xml &&
	expect_exit 1 verify -v noev.asice > out &&
	test_grep "^noev.asice: TOTAL-FAILED$" out &&
	test_grep "$NOT_SCELLE" out &&
	test_grep "container.kind .*signatures001.xml.: not a scelle archive: no evidence manifest, yet the signature references evidence.xml" out
'

test_done
