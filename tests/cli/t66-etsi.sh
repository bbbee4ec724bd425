#!/bin/sh
# t66-etsi.sh — scelle verify reads ETSI ASiC CAdES containers made by other tools (FORMAT.md,
# "Foreign containers"): data descriptors, other names, several signatures, archive
# manifests, directory entries, ASiC-S.  Each gets the ETSI verdict; tampered copies fail; a
# scelle archive stripped of evidence.xml does not pass as a laxer ETSI container.  XAdES
# containers: t67-etsi-xades.sh.
. "$(dirname "$0")/lib.sh"
make_pki
C=corpus
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" \
	--tsa-trust "$PKI/tsa-ca.pem" "$@"; }
NOT_SCELLE="container.kind .*not a scelle archive: no evidence manifest"

test_expect_success 'setup: the corpus, made offline by openssl cms/ts and etsi_corpus.py' '
	python3 "$TOP/tests/data/etsi_corpus.py" "$PKI" $C &&
	unzip -tq $C/e-dd.asice && unzip -tq $C/e-two.asice && unzip -tq $C/s.asics
'

test_expect_success 'the corpus is what it claims: data descriptors, signatures openssl verifies' '
	python3 -c "
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
dd = [i.filename for i in z.infolist() if i.flag_bits & 8]
assert len(dd) == 5 and \"mimetype\" not in dd, dd
assert [i.filename for i in z.infolist() if i.is_dir()] == [\"img/\", \"META-INF/\"]
" $C/e-dd.asice &&
	unzip -p $C/e-two.asice META-INF/signature-b.p7s > sig-b.p7s &&
	unzip -p $C/e-two.asice META-INF/ASiCManifest-b.xml > man-b.xml &&
	openssl cms -verify -binary -inform DER -in sig-b.p7s -content man-b.xml \
		-CAfile "$PKI/ca.pem" -purpose any -out /dev/null &&
	unzip -p $C/s.asics META-INF/signature.p7s > sig-s.p7s && unzip -p $C/s.asics doc.txt > doc.txt &&
	openssl cms -verify -binary -inform DER -in sig-s.p7s -content doc.txt \
		-CAfile "$PKI/ca.pem" -purpose any -out /dev/null
'

test_expect_success 'ASiC-E with data descriptors, other names, directory entries: TOTAL-PASSED' '
	verify $C/e-dd.asice > out &&
	test_grep "^$C/e-dd.asice: TOTAL-PASSED$" out &&
	test_grep "$NOT_SCELLE" out &&
	test_grep "container.names .*2 directory entries" out &&
	verify -v $C/e-dd.asice > out &&
	test_grep "5 data descriptors, each equal to its central record" out &&
	test_grep "signature.crypto .*META-INF/signature-a.p7s.: signature over the manifest verifies" out &&
	test_grep "manifest.digest .*3 references of the signed manifests match their files" out
'

test_expect_success 'the verdict says "not a scelle archive" in JSON (container: etsi) and in the report' '
	verify --json $C/e-dd.asice > out.json &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d[\"container\"] == \"etsi\" and d[\"verdict\"] == \"TOTAL-PASSED\", d
assert any(c[\"id\"] == \"container.kind\" and \"not a scelle archive\" in c[\"message\"] for c in d[\"checks\"])
" out.json &&
	verify --report r.html $C/e-dd.asice > /dev/null &&
	test_grep "not a scelle archive: no evidence manifest" r.html
'

test_expect_success 'a scelle archive says container: scelle' '
	cp -R "$TOP/examples/evidence/chat-export" ev &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o own.asice ev &&
	verify --json own.asice > own.json &&
	python3 -c "import json,sys; assert json.load(open(sys.argv[1]))[\"container\"] == \"scelle\"" own.json
'

test_expect_success 'two signatures, each over its own manifest; an unsigned file is a named warning' '
	verify $C/e-two.asice > out &&
	test_grep "^$C/e-two.asice: TOTAL-PASSED$" out &&
	test_grep "warning *container.coverage *.notes.txt. is not covered by any signature" out &&
	! grep -q "not covered by the signed manifest" out &&
	verify -v $C/e-two.asice > out &&
	test_grep "signature.crypto .*signature-a.p7s.: signature over the manifest verifies" out &&
	test_grep "signature.crypto .*signature-b.p7s.: signature over the manifest verifies" out
'

test_expect_success 'an archive manifest with its time-stamp is checked' '
	verify -v $C/e-archive.asice > out &&
	test_grep "^$C/e-archive.asice: TOTAL-PASSED$" out &&
	test_grep "timestamp.token .*archive-timestamp.tst. over .META-INF/ASiCArchiveManifest.xml. by" out &&
	test_grep "manifest.digest .*4 references" out
'

test_expect_success 'an archive manifest of another form is "not checked", a warning' '
	verify $C/e-lta.asice > out &&
	test_grep "^$C/e-lta.asice: TOTAL-PASSED$" out &&
	test_grep "warning *manifest.archive .*not checked" out
'

test_expect_success 'ASiC-S: a detached signature over the one data object' '
	verify -v $C/s.asics > out &&
	test_grep "^$C/s.asics: TOTAL-PASSED$" out &&
	test_grep "verified as an ETSI ASiC-S container" out &&
	test_grep "signature.crypto .*META-INF/signature.p7s.: signature over the manifest verifies" out
'

test_expect_success 'ASiC-S: a time-stamp token over the one data object' '
	verify -v $C/s-tst.asics > out &&
	test_grep "^$C/s-tst.asics: TOTAL-PASSED$" out &&
	test_grep "timestamp.token .*META-INF/timestamp.tst. over .doc.txt. by .*Demo TSA 1" out
'

test_expect_success 'INDETERMINATE is reachable: no trust anchor, or no time-stamp' '
	expect_exit 3 scelle verify --no-timestamp-ok $C/e-dd.asice > out &&
	test_grep "no trust anchor given" out &&
	expect_exit 3 scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" $C/e-dd.asice > out &&
	test_grep "timestamp.present .*no time-stamp" out
'

test_expect_success 'a XAdES signature file is verified (t67): one holding no signature fails' '
	expect_exit 1 verify $C/x.asice > out &&
	test_grep "signature.format .*signatures0.xml.: 0 signatures (scelle reads exactly one)" out &&
	! grep -q "not covered by the signed manifest" out
'

test_expect_success 'a container none of whose signatures can be checked is INDETERMINATE, not passed' '
	expect_exit 3 verify $C/n-tst.asice > out &&
	test_grep "timestamp.token .*no ASiCManifest names the time-stamp token .META-INF/timestamp.tst.: not checked" out &&
	test_grep "none of the signatures or time-stamps of this container could be checked" out
'

test_expect_success 'scelle names without evidence.xml are a foreign container; stamp refuses it' '
	verify $C/e-001.asice > out &&
	test_grep "^$C/e-001.asice: TOTAL-PASSED$" out &&
	test_grep "$NOT_SCELLE" out &&
	expect_exit 2 scelle stamp --tsa http://127.0.0.1:9/ -o st.asice $C/e-001.asice 2> err &&
	test_grep "cannot stamp .$C/e-001.asice.: not a scelle archive: no evidence manifest (evidence.xml)" err &&
	test ! -e st.asice
'

# expect_fail ARCHIVE PATTERN: TOTAL-FAILED, exit 1, with the reason
expect_fail() {
	expect_exit 1 verify "$C/$1" > "$1.out" && test_grep "^$C/$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}
test_expect_success 'a changed data byte fails' '
	expect_fail t-data.asice "manifest.digest .*.doc.txt.: sha256 differs from .META-INF/ASiCManifest-a.xml."
'
test_expect_success 'a changed digest in the manifest fails' '
	expect_fail t-mdigest.asice "signature-a.p7s.: the signature was made over another manifest"
'
test_expect_success 'a changed byte of the signature value fails' '
	expect_fail t-sig.asice "signature.crypto .*signature-a.p7s.: the signature value does not verify"
'
test_expect_success 'two signatures swapped by name fail (each is verified over the manifest naming it)' '
	expect_fail t-swap.asice "signature-a.p7s.: the signature was made over another manifest" &&
	test_grep "signature-b.p7s.: the signature was made over another manifest" t-swap.asice.out
'
test_expect_success 'swapped SigReference URIs fail' '
	expect_fail t-sigref.asice "signature-b.p7s.: the signature was made over another manifest"
'
test_expect_success 'a data descriptor that disagrees with the central directory fails' '
	expect_fail t-dd.asice "the data descriptor of .img/photo.bin. says 16383 bytes"
'
test_expect_success 'a time-stamp over another archive manifest fails' '
	expect_fail t-archive.asice "archive-timestamp.tst. over .META-INF/ASiCArchiveManifest.xml.: .*imprint"
'
test_expect_success 'ASiC-S: a changed data byte fails' '
	expect_fail t-asics.asics "signature.crypto .*META-INF/signature.p7s"
'

# A forger deletes evidence.xml from a scelle archive to have it read as a laxer container.
test_expect_success 'a scelle archive without evidence.xml is FAILED, not an ETSI container that passes' '
	python3 "$TOP/tests/data/zipedit.py" own.asice noev.asice remove evidence.xml &&
	expect_exit 1 verify noev.asice > out &&
	test_grep "^noev.asice: TOTAL-FAILED$" out &&
	test_grep "container.kind .*not a scelle archive: no evidence manifest, yet the signed manifest .META-INF/ASiCManifest001.xml. references evidence.xml" out
'
test_expect_success 'a foreign container beside a custody ledger is FAILED (its evidence.xml was removed)' '
	cp $C/e-dd.asice led.asice && echo "<custody/>" > led.asice.custody.xml &&
	ls led.asice* > /dev/null &&
	expect_exit 1 verify led.asice > out &&
	test_grep "container.kind .*not a scelle archive: no evidence manifest, yet the custody ledger .led.asice" out
'
test_expect_success 'scelle archives keep the strict profile: data descriptors are refused there' '
	python3 "$TOP/tests/data/etsi_corpus.py" --dd own.asice own-dd.asice &&
	unzip -tq own-dd.asice &&
	expect_exit 1 verify own-dd.asice > out &&
	test_grep "^own-dd.asice: TOTAL-FAILED$" out &&
	test_grep "has a data descriptor (general purpose bit 3; refused" out &&
	! grep -q "not a scelle archive" out
'

test_done
