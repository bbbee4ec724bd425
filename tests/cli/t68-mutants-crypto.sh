#!/bin/sh
# t68-mutants-crypto.sh — checks of timestamp.c, custody_verify.c and revocation.c that no
# other script made load-bearing (issue 17): each test kills mutants that `make mutate`
# (tests/mutate/mutate.py) found alive, named above it (file, mutation, mutated line).  The
# forgeries are a time-stamp authority's odd tokens (re-signed with its key), ledger records
# re-signed with an officer's key, and CRLs and OCSP answers from a CA of the test's own.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
LE="python3 $TOP/tests/data/ledgeredit.py"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
start_tsa || exit 2
test_expect_success 'setup' '
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	seal --tsa "$tsa_url" -o good.asice ev/chat-export &&
	mkdir x && (cd x && unzip -q ../good.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/tstoken.py" x/META-INF/signature001.p7s x > /dev/null &&
	openssl cms -verify -noverify -inform DER -in x/token1.der -out tst.der 2>/dev/null &&
	verify --ledger good.asice.custody.xml good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out
'

# ------------------------------------------------------------ timestamp.c ----
# A token the test TSA signs with its own key (tsa.pem), its TSTInfo rewritten first
# (tests/data/tstinfo.py), put in place of the signature's token: what a TSA may issue.
graft() { # name tstinfo-edits...
	n=$1 && shift &&
	python3 "$TOP/tests/data/tstinfo.py" tst.der "tst-$n.der" "$@" &&
	openssl cms -sign -binary -nodetach -in "tst-$n.der" -econtent_type 1.2.840.113549.1.9.16.1.4 \
		-signer "$PKI/tsa.pem" -inkey "$PKI/tsa.key" -md sha256 -cades -nosmimecap -outform DER \
		-out "tok-$n.der" &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s "tok-$n.der" "sig-$n.p7s" > /dev/null &&
	$ZE good.asice "ts-$n.asice" replace META-INF/signature001.p7s "sig-$n.p7s"
}
# A token of stock `openssl ts -reply` over an imprint made with the hash given, of the
# signature value.
stock_token() { # name hash
	printf "[tsa]\ndefault_tsa = t\n[t]\nserial = serial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha1, sha256, sha384, sha512\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n" > ts.cnf &&
	echo 01 > serial &&
	openssl ts -query -data x/sigvalue.bin "-$2" -cert -no_nonce -out "q-$1.tsq" &&
	openssl ts -reply -config ts.cnf -queryfile "q-$1.tsq" -inkey "$PKI/tsa.key" -signer "$PKI/tsa.pem" \
		-token_out -out "tok-$1.der" 2>/dev/null &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s "tok-$1.der" "sig-$1.p7s" > /dev/null &&
	$ZE good.asice "ts-$1.asice" replace META-INF/signature001.p7s "sig-$1.p7s"
}

# timestamp.c describe_tst `tsa && (tsa->type == GEN_URI || tsa->type == GEN_DNS ||
# tsa->type == GEN_EMAIL)`: `== -> !=` on GEN_URI, `|| -> &&` (DNS and e-mail names lost),
# `&& -> ||` (an IP address would be copied as text).  The tsa field is what the report
# names the TSA by; a name of another kind gives way to the signing certificate's subject.
test_expect_success 'a TSA named by a URI, a DNS name or an e-mail address is named so; by an IP address, after its certificate' '
	for k in uri:https://tsa.example/rfc3161 dns:tsa.example email:tsa@tsa.example ip:7f000001; do
		graft "${k%%:*}" "tsa=$k" &&
		verify -v --ledger good.asice.custody.xml "ts-${k%%:*}.asice" > out &&
		test_grep "^ts-${k%%:*}.asice: TOTAL-PASSED$" out || return 1
	done &&
	verify -v --ledger good.asice.custody.xml ts-uri.asice > out &&
	test_grep "passed *timestamp.token *time-stamp 1 by .https://tsa.example/rfc3161. at " out &&
	verify -v --ledger good.asice.custody.xml ts-dns.asice > out &&
	test_grep "passed *timestamp.token *time-stamp 1 by .tsa.example. at " out &&
	verify -v --ledger good.asice.custody.xml ts-email.asice > out &&
	test_grep "passed *timestamp.token *time-stamp 1 by .tsa@tsa.example. at " out &&
	verify -v --ledger good.asice.custody.xml ts-ip.asice > out &&
	test_grep "passed *timestamp.token *time-stamp 1 by .CN=Demo TSA 1,O=Demo Time Authority,C=FR. at " out
'

# timestamp.c check_imprint `!md || (nid != NID_sha256 && nid != NID_sha384 && nid !=
# NID_sha512)` (`|| -> &&`, `!= -> ==` on sha384): a SHA-1 imprint proves nothing today,
# even a true one; a SHA-384 one passes.
test_expect_success 'a token over a SHA-1 imprint is INDETERMINATE, over a SHA-384 one it passes' '
	stock_token sha1 sha1 &&
	expect_exit 3 verify --ledger good.asice.custody.xml ts-sha1.asice > out &&
	test_grep "^ts-sha1.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *timestamp.token *time-stamp 1 by .*: the token.s imprint uses SHA1, which is not accepted (SHA-256, SHA-384, SHA-512) \[CRYPTO_CONSTRAINTS_FAILURE\]$" out &&
	stock_token sha384 sha384 &&
	verify --ledger good.asice.custody.xml ts-sha384.asice > out && test_grep "^ts-sha384.asice: TOTAL-PASSED$" out
'

# timestamp.c check_imprint `return -1` after the weak-hash verdict (`-> return 0` would go
# on to the token's other checks, whose findings overwrite it): a SHA-1 token whose
# signature is broken too is refused for its hash, the first finding.
test_expect_success 'a token over a SHA-1 imprint with a broken signature is refused for its hash' '
	python3 -c "import sys; b = bytearray(open(sys.argv[1], \"rb\").read()); b[-1] ^= 1; open(sys.argv[2], \"wb\").write(b)" tok-sha1.der tok-sha1x.der &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s tok-sha1x.der sig-sha1x.p7s > /dev/null &&
	$ZE good.asice ts-sha1x.asice replace META-INF/signature001.p7s sig-sha1x.p7s &&
	expect_exit 3 verify --ledger good.asice.custody.xml ts-sha1x.asice > out &&
	test_grep "INDETERMINATE *timestamp.token *time-stamp 1 by .*: the token.s imprint uses SHA1, which is not accepted .*\[CRYPTO_CONSTRAINTS_FAILURE\]$" out &&
	! grep SIG_CRYPTO_FAILURE out
'

# timestamp.c check_imprint `ERR_GET_LIB(err) == ERR_LIB_TS && ERR_GET_REASON(err) ==
# TS_R_UNSUPPORTED_VERSION` (`== -> !=`): a TSTInfo of version 2, signed by the TSA, is a
# FORMAT_FAILURE that says so, not a changed imprint.
test_expect_success 'a token whose TSTInfo is version 2 fails as such (RFC 3161 §2.4.2)' '
	graft v2 version=2 &&
	expect_exit 1 verify --ledger good.asice.custody.xml ts-v2.asice > out &&
	test_grep "^ts-v2.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *timestamp.token *time-stamp 1 by .*: the token.s TSTInfo version is not 1 (RFC 3161 §2.4.2) \[FORMAT_FAILURE\]$" out
'

# Tokens the TSA's key signs, with a certificate of the TSA CA's making (Python's
# cryptography): tsa-twin.pem is tsa.pem again (same issuer, serial, key and extensions)
# but for its notAfter, a day earlier; tsa-old.pem the same key, certified for 2020 only.
tsa_again() {
	python3 - "$PKI/tsa.pem" "$PKI/tsa-ca.key" <<-\PY
	import datetime, sys
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	t = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
	cak = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
	def again(out, serial, nb, na):
	    b = x509.CertificateBuilder().subject_name(t.subject).issuer_name(t.issuer) \
	        .public_key(t.public_key()).serial_number(serial).not_valid_before(nb).not_valid_after(na)
	    for e in t.extensions:
	        b = b.add_extension(e.value, e.critical)
	    open(out, "wb").write(b.sign(cak, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
	utc = datetime.timezone.utc
	# not_valid_*_utc came with cryptography 42; Debian 12 has 38 (naive times in UTC)
	nb = getattr(t, "not_valid_before_utc", None) or t.not_valid_before.replace(tzinfo=utc)
	na = getattr(t, "not_valid_after_utc", None) or t.not_valid_after.replace(tzinfo=utc)
	again("tsa-twin.pem", t.serial_number, nb, na - datetime.timedelta(days=1))
	again("tsa-old.pem", 2020, datetime.datetime(2020, 1, 1, tzinfo=utc), datetime.datetime(2021, 1, 1, tzinfo=utc))
	PY
}
tok_sign() { # name openssl-cms-sign-options...
	n=$1 && shift &&
	openssl cms -sign -binary -nodetach -in tst.der -econtent_type 1.2.840.113549.1.9.16.1.4 \
		-md sha256 -cades -nosmimecap -outform DER -out "tok-$n.der" "$@" &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s "tok-$n.der" "sig-$n.p7s" > /dev/null &&
	$ZE good.asice "ts-$n.asice" replace META-INF/signature001.p7s "sig-$n.p7s"
}

# timestamp.c check_ess `ss || ssv2 ? "the token's ESSCertID does not match ..." : "... no
# ESS signing-certificate attribute"` (`|| -> &&`): a token whose signing-certificate-v2
# names tsa.pem but that carries its twin (the same issuer and serial) is said not to
# match, not to lack the attribute.
test_expect_success 'a token carrying a twin of the certificate its ESSCertID names: the ESSCertID does not match' '
	tsa_again &&
	tok_sign twin -signer "$PKI/tsa.pem" -inkey "$PKI/tsa.key" -nocerts -certfile tsa-twin.pem &&
	expect_exit 3 verify --ledger good.asice.custody.xml ts-twin.asice > out &&
	test_grep -Fx "ts-twin.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE timestamp.token                time-stamp 1 by '\''CN=Demo TSA 1,O=Demo Time Authority,C=FR'\'': the token'\''s ESSCertID does not match the TSA certificate [NO_SIGNING_CERTIFICATE_FOUND]" out
'

# timestamp.c check_chain, `break` removed after an expiry: the certificate's validity is
# named (OUT_OF_BOUNDS_NO_POE), not the chain's constraints.  The TSA's certificate for
# 2020 had expired when it signed the token.
test_expect_success 'a token signed after its TSA certificate expired: OUT_OF_BOUNDS_NO_POE' '
	tok_sign old -signer tsa-old.pem -inkey "$PKI/tsa.key" &&
	expect_exit 3 verify --ledger good.asice.custody.xml ts-old.asice > out &&
	test_grep -Fx "ts-old.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE timestamp.token                time-stamp 1 by '\''CN=Demo TSA 1,O=Demo Time Authority,C=FR'\'': a certificate of the TSA chain was not valid at the token'\''s genTime: certificate has expired [OUT_OF_BOUNDS_NO_POE]" out
'

# timestamp.c tsa_token_check, `goto done` removed after a token that is not one signer's
# TimeStampToken: a token with two signers (the TSA and tsa-noeku) fails as such.
test_expect_success 'a token with two signers fails: not an RFC 3161 token with one signer' '
	tok_sign two -signer "$PKI/tsa.pem" -inkey "$PKI/tsa.key" -signer "$PKI/tsa-noeku.pem" -inkey "$PKI/tsa-noeku.key" &&
	expect_exit 1 verify --ledger good.asice.custody.xml ts-two.asice > out &&
	test_grep -Fx "ts-two.asice: TOTAL-FAILED" out &&
	test_grep -Fx "  FAILED        timestamp.token                time-stamp 1 by '\'''\'': the token is not an RFC 3161 TimeStampToken with one signer [FORMAT_FAILURE]" out
'

# ------------------------------------------------------- custody_verify.c ----
# c.asice: the sealing record and a transfer, both time-stamped.
add() { scelle custody add -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }
show() { scelle custody show --trust "$PKI/ca.pem" "$@"; }
# What somebody holding KEY can do: sign record N's event as it now stands, with openssl.
resign() { # ledger n key cert out
	xmllint --xpath "(//*[local-name()=\"event\"])[$2]" "$1" |
		sed "1s/^<event /<event xmlns=\"urn:scelle:custody:1\" /" > ev.xml &&
	xmllint --exc-c14n ev.xml > ev.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -signer "$4" -inkey "$3" \
		-in ev.c14n -outform DER -out ev.p7s &&
	$LE "$1" "$5" setsig "$2" "$(base64 -w0 ev.p7s)"
}
test_expect_success 'custody setup: a ledger of two time-stamped records' '
	cp good.asice c.asice && cp good.asice.custody.xml c.asice.custody.xml &&
	add --event transferred --to Lab --tsa "$tsa_url" c.asice &&
	verify c.asice > out && test_grep "^c.asice: TOTAL-PASSED$" out
'

# custody_verify.c verify_custody `if (!n) (*missing)++` negated: the warning counts the
# records without a time-stamp, and is not given when every record has one.
test_expect_success 'the records without a time-stamp are counted, and none is none' '
	verify c.asice > out && ! grep "carry no time-stamp" out &&
	cp c.asice u.asice && cp c.asice.custody.xml u.asice.custody.xml &&
	add --event opened u.asice &&
	verify u.asice > out && test_grep "^u.asice: TOTAL-PASSED$" out &&
	test_grep "custody.timestamp .*1 of 3 records carry no time-stamp: their times are only their actors. claims" out
'

# custody_verify.c check_timestamp, `continue` removed after a token that does not pass: its
# genTime would date the record (the timeline's "tsa", the chain's time) all the same.
test_expect_success 'a token that does not pass (no TSA trust anchor) does not date its record' '
	show --tsa-trust "$PKI/tsa-ca.pem" c.asice > out &&
	test_grep "^  2  [0-9T:-]*Z tsa  transferred" out &&
	expect_exit 3 show c.asice > out &&
	test_grep "^  2  [0-9T:-]*Z      transferred .* -- INDETERMINATE: record 2: time-stamp 1: no time-stamp trust anchor was given" out
'

# custody_verify.c flag `(st == SCELLE_INDETERMINATE && r->out->status == SCELLE_PASSED)`
# (`&& -> ||`): a record that failed stays FAILED, with its first reason, when a doubt
# (here its token, without TSA trust anchors) comes after.
test_expect_success 'a failed record is not downgraded to INDETERMINATE by a later doubt' '
	$LE c.asice.custody.xml fx.xml edit 2 "</signature>" "</signature><x:y xmlns:x=\"urn:x\"/>" &&
	expect_exit 1 show --ledger fx.xml c.asice > out &&
	test_grep "^  2  .* -- FAILED: record 2: an element <y> in <record> (line [0-9]*), which formats/custody.xsd does not allow$" out
'

# custody_verify.c check_timestamp `!t || t->type != V_ASN1_SEQUENCE ||
# X509_ATTRIBUTE_count(at) != 1` (`|| -> &&`): a time-stamp attribute with a second token
# (unsigned, so anybody can add one) would let the second ride along unjudged.
test_expect_success 'a time-stamp attribute with two tokens fails' '
	sig=$(xmllint --xpath "string((//*[local-name()=\"signature\"])[2])" c.asice.custody.xml) &&
	echo "$sig" | base64 -d > r2.p7s &&
	rm -rf r2 && mkdir r2 && python3 "$TOP/tests/data/tstoken.py" r2.p7s r2 > /dev/null &&
	cat r2/token1.der r2/token1.der > r2/two.der &&
	python3 "$TOP/tests/data/tstoken.py" --graft r2.p7s r2/two.der r2two.p7s > /dev/null &&
	$LE c.asice.custody.xml two.xml setsig 2 "$(base64 -w0 r2two.p7s)" &&
	expect_exit 1 verify --ledger two.xml c.asice > out && test_grep "^c.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *custody.timestamp *record 2: time-stamp 1 is not a token \[FORMAT_FAILURE\]$" out
'

# custody_verify.c check_signature `len <= 0 || !(cms = d2i_CMS_ContentInfo(...)) ||
# OBJ_obj2nid(CMS_get0_type(cms)) != ...` (`|| -> &&` would ask the type of no CMS): a
# signature that is base64 but not DER.
test_expect_success 'a record signature that is base64 but no DER fails as such' '
	$LE c.asice.custody.xml junk.xml setsig 2 "$(printf "not a CMS signature" | base64 -w0)" &&
	expect_exit 1 verify --ledger junk.xml c.asice > out && test_grep "^c.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *custody.signature *record 2: the signature is not one base64 DER CMS SignedData with one signer \[FORMAT_FAILURE\]$" out
'

# custody_verify.c check_chain `r->out->time > na` (`> -> >=`): a certificate is valid up to
# and including its notAfter second (RFC 5280 §4.1.2.5): a record stated at that second,
# signed by its holder, passes.
test_expect_success 'a record stated at its signer certificate'\''s notAfter second passes' '
	na=$(date -u -d "$(openssl x509 -in "$PKI/officer.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ) &&
	t3=$(xmllint --xpath "string((//*[local-name()=\"time\"])[3])" u.asice.custody.xml) &&
	$LE u.asice.custody.xml na0.xml edit 3 "<time>$t3</time>" "<time>$na</time>" &&
	resign na0.xml 3 "$PKI/officer.key" "$PKI/officer.pem" na.xml &&
	verify --ledger na.xml u.asice > out && test_grep "^u.asice: TOTAL-PASSED$" out &&
	show --tsa-trust "$PKI/tsa-ca.pem" --ledger na.xml u.asice > out &&
	test_grep "^  3  $na      opened .* -- verifies$" out
'

# custody_verify.c check_chain, the chain's error: `err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY`
# (`== -> !=`: every other error would be an unknown anchor, and this one an invalid
# chain) and `err == X509_V_ERR_CERT_HAS_EXPIRED` (`== -> !=`: an expired certificate
# would fail the record, any other error only doubt it).  A record by a signer of another
# CA is INDETERMINATE (unknown anchor); by a certificate that expired since, with no
# time-stamp to date the record, INDETERMINATE OUT_OF_BOUNDS_NO_POE.
test_expect_success 'a record signer of an unknown CA, or expired since and not time-stamped: INDETERMINATE' '
	cp c.asice o.asice && cp c.asice.custody.xml o.asice.custody.xml &&
	scelle custody add -q --key "$PKI/other.key" --cert "$PKI/other.pem" --role OPJ --event opened o.asice &&
	expect_exit 3 verify --ledger o.asice.custody.xml o.asice > out && test_grep "^o.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *custody.signer *record 3: signer .* does not chain to a trusted anchor: .*\[NO_CERTIFICATE_CHAIN_FOUND\]$" out &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Short Officer" -out short.csr &&
	openssl x509 -req -in short.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 1 -set_serial 4242 \
		-extfile "$PKI/ext.cnf" -extensions signer -out short.pem 2>/dev/null &&
	cp c.asice e.asice && cp c.asice.custody.xml e.asice.custody.xml &&
	scelle custody add -q --key "$PKI/officer.key" --cert short.pem --role OPJ --event opened e.asice &&
	verify --ledger e.asice.custody.xml e.asice > out && test_grep "^e.asice: TOTAL-PASSED$" out &&
	expect_exit 3 env LD_PRELOAD="$T/shift.so" CLOCKSHIFT_SECONDS=172800 \
		scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --ledger e.asice.custody.xml e.asice > out &&
	test_grep "^e.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *custody.signer *record 3: signer .*Short Officer. has an expired certificate (certificate has expired) \[OUT_OF_BOUNDS_NO_POE\]$" out
'

# custody_verify.c check_chain `else if (l->c->v->trust)` negated (the chain never checked
# when there are trust anchors) is killed by the test above; the ledger is named with
# --ledger there so that mutate.py's replay, which copies only the files a call names,
# sees it.

# custody_verify.c check_chain `err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT` (`== -> !=`:
# a self-signed signer would fail the record as an invalid chain, and every other error be
# an unknown anchor): a record signed with a certificate its holder made for himself is
# INDETERMINATE, its root unknown, and what to do is said.
test_expect_success 'a record signed with a self-signed certificate: INDETERMINATE, an unknown root' '
	openssl req -x509 -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Self Officer" \
		-days 30 -config "$PKI/ext.cnf" -extensions signer -out self.pem 2>/dev/null &&
	cp c.asice ss.asice && cp c.asice.custody.xml ss.asice.custody.xml &&
	scelle custody add -q --key "$PKI/officer.key" --cert self.pem --role OPJ --event opened ss.asice &&
	expect_exit 3 verify --ledger ss.asice.custody.xml ss.asice > out &&
	test_grep -Fx "ss.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE custody.signer                 record 3: signer '\''C = FR, O = Demo Police Nationale, CN = Self Officer'\'' does not chain to a trusted anchor: its root '\''C = FR, O = Demo Police Nationale, CN = Self Officer'\'' is not among the trust anchors given [NO_CERTIFICATE_CHAIN_FOUND]" out &&
	test_grep -Fx "                what to do: ask the sender for the root certificate '\''C = FR, O = Demo Police Nationale, CN = Self Officer'\'' and add --trust FILE" out &&
	! grep CHAIN_CONSTRAINTS_FAILURE out
'

# custody_verify.c check_chain, the last branch `flag(..., SCELLE_FAILED,
# "CHAIN_CONSTRAINTS_FAILURE", ...)` (`FAILED -> PASSED`): a chain to the trusted CA that
# does not validate for another reason than an unknown anchor or an expiry fails the
# record.  Here the "intermediate" is a signer's certificate (CA:FALSE) that its holder
# used to issue himself another one: a chain OpenSSL builds, and refuses.
test_expect_success 'a record signer whose issuer is no CA (CA:FALSE) fails, the chain invalid' '
	openssl req -new -key "$PKI/other.key" -subj "/C=FR/O=Demo Police Nationale/CN=Not A CA" -out nca.csr &&
	openssl x509 -req -in nca.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -set_serial 4545 \
		-extfile "$PKI/ext.cnf" -extensions signer -out nca.pem 2>/dev/null &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Sub Officer" -out sub.csr &&
	openssl x509 -req -in sub.csr -CA nca.pem -CAkey "$PKI/other.key" -days 30 -set_serial 4646 \
		-extfile "$PKI/ext.cnf" -extensions signer -out sub.pem 2>/dev/null &&
	cp c.asice nca.asice && cp c.asice.custody.xml nca.asice.custody.xml &&
	scelle custody add -q --key "$PKI/officer.key" --cert sub.pem --chain nca.pem --role OPJ \
		--event opened nca.asice &&
	expect_exit 1 verify --ledger nca.asice.custody.xml nca.asice > out &&
	test_grep -Fx "nca.asice: TOTAL-FAILED" out &&
	test_grep -Fx "  FAILED        custody.signer                 record 3: the chain of signer '\''C = FR, O = Demo Police Nationale, CN = Sub Officer'\'' is invalid: invalid CA certificate [CHAIN_CONSTRAINTS_FAILURE]" out &&
	test_grep -Fx "  FAILED        custody.ledger                 custody ledger nca.asice.custody.xml: 3 records, 1 of them fail [FORMAT_FAILURE]" out
'

# custody_verify.c read_record `seq && seq[0] >= '1' && seq[0] <= '9' && strlen(seq) <= 9`
# (`&& -> ||` before strlen: any sequence of up to 9 characters would be read, and a record
# without one would crash the verifier): a record numbered "02", or not numbered, re-signed
# by its officer, is malformed.
test_expect_success 'a record numbered "02", or without a number, is malformed' '
	$LE c.asice.custody.xml s02a.xml edit 2 "seq=\"2\"" "seq=\"02\"" &&
	resign s02a.xml 2 "$PKI/officer.key" "$PKI/officer.pem" s02.xml &&
	$LE c.asice.custody.xml snoa.xml edit 2 " seq=\"2\"" "" &&
	resign snoa.xml 2 "$PKI/officer.key" "$PKI/officer.pem" sno.xml &&
	for l in s02 sno; do
		expect_exit 1 verify --ledger $l.xml c.asice > out &&
		test_grep -Fx "c.asice: TOTAL-FAILED" out &&
		test_grep -Fx "  FAILED        custody.format                 record 2: malformed (sequence, type, time, archive or signature missing) [FORMAT_FAILURE]" out &&
		test_grep -Fx "  FAILED        custody.ledger                 custody ledger $l.xml: 2 records, 1 of them fail [FORMAT_FAILURE]" out || return 1
	done
'

# custody_verify.c check_timestamp `flag(..., SCELLE_FAILED, "FORMAT_FAILURE", "record %lu:
# time-stamp %d has no readable time")` (`FAILED -> PASSED`): a token whose genTime cannot
# be read (here "2026120215Z", hours only, which RFC 3161 §2.4.2 does not allow) proves no
# time.  Its TSA's chain is then judged at the epoch, so the forger's TSA is valid from
# 1970: made with Python's cryptography, trusted with a second --tsa-trust.
test_expect_success 'a record time-stamp whose genTime cannot be read fails' '
	python3 - "$PKI/tsa-ca.key" "$PKI/tsa.key" <<-\PY &&
	import datetime, sys
	from cryptography import x509
	from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
	from cryptography.hazmat.primitives import hashes, serialization
	cak = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
	k = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
	epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
	end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
	name = lambda cn: x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Epoch Time Authority"),
	    x509.NameAttribute(NameOID.COMMON_NAME, cn)])
	ca = x509.CertificateBuilder().subject_name(name("Epoch TSA CA")).issuer_name(name("Epoch TSA CA")) \
	    .public_key(cak.public_key()).serial_number(70).not_valid_before(epoch).not_valid_after(end) \
	    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True) \
	    .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True) \
	    .sign(cak, hashes.SHA256())
	tsa = x509.CertificateBuilder().subject_name(name("Epoch TSA")).issuer_name(ca.subject) \
	    .public_key(k.public_key()).serial_number(71).not_valid_before(epoch).not_valid_after(end) \
	    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True) \
	    .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True) \
	    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True) \
	    .sign(cak, hashes.SHA256())
	open("epoch-ca.pem", "wb").write(ca.public_bytes(serialization.Encoding.PEM))
	open("epoch-tsa.pem", "wb").write(tsa.public_bytes(serialization.Encoding.PEM))
	PY
	openssl cms -verify -noverify -inform DER -in r2/token1.der -out r2tst.der 2>/dev/null &&
	python3 "$TOP/tests/data/tstinfo.py" r2tst.der r2tst-h.der time=2026120215Z &&
	openssl cms -sign -binary -nodetach -in r2tst-h.der -econtent_type 1.2.840.113549.1.9.16.1.4 \
		-signer epoch-tsa.pem -inkey "$PKI/tsa.key" -md sha256 -cades -nosmimecap -outform DER -out r2tok-h.der &&
	python3 "$TOP/tests/data/tstoken.py" --graft r2.p7s r2tok-h.der r2h.p7s > /dev/null &&
	$LE c.asice.custody.xml hours.xml setsig 2 "$(base64 -w0 r2h.p7s)" &&
	expect_exit 1 verify --tsa-trust epoch-ca.pem --ledger hours.xml c.asice > out &&
	test_grep -Fx "c.asice: TOTAL-FAILED" out &&
	test_grep -Fx "  FAILED        custody.timestamp              record 2: time-stamp 1 has no readable time [FORMAT_FAILURE]" out &&
	test_grep -Fx "  FAILED        custody.ledger                 custody ledger hours.xml: 2 records, 1 of them fail [FORMAT_FAILURE]" out
'

# ----------------------------------------------------------- revocation.c ----
# seal0: a seal whose revocation data is only what the test gives.
seal0() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
# A CRL of the officers' CA, made to the second with Python's cryptography: what a CA
# publishes, with the dates the test needs.
mkcrl() { # out lastUpdate nextUpdate (seconds since the epoch) [issuer CN, instead of the CA's]
	python3 - "$PKI/ca.pem" "$PKI/ca.key" "$@" <<-\PY
	import datetime, sys
	from cryptography import x509
	from cryptography.x509.oid import NameOID
	from cryptography.hazmat.primitives import hashes, serialization
	ca = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
	key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
	at = lambda s: datetime.datetime.fromtimestamp(int(s), datetime.timezone.utc)
	issuer = ca.subject if len(sys.argv) < 7 else x509.Name(
	    [a for a in ca.subject if a.oid != NameOID.COMMON_NAME] + [x509.NameAttribute(NameOID.COMMON_NAME, sys.argv[6])])
	crl = x509.CertificateRevocationListBuilder().issuer_name(issuer) \
	    .last_update(at(sys.argv[4])).next_update(at(sys.argv[5])).sign(key, hashes.SHA256())
	open(sys.argv[3], "wb").write(crl.public_bytes(serialization.Encoding.PEM))
	PY
}
test_expect_success 'revocation setup: an archive without revocation data, and its genTime' '
	seal0 --tsa "$tsa_url" --revocation-data none -o nr.asice ev/chat-export 2>/dev/null &&
	rm -rf nr && mkdir nr && (cd nr && unzip -q ../nr.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/tstoken.py" nr/META-INF/signature001.p7s nr > /dev/null &&
	gt=$(openssl ts -reply -in nr/token1.der -token_in -text 2>/dev/null | sed -n "s/^Time stamp: //p") &&
	date -u -d "$gt" +%s > gentime && test -s gentime &&
	expect_exit 3 verify --no-timestamp-ok nr.asice > out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Capitaine Demo Martin." out
'

# verify_sig.c verify_revocation, `continue` removed after "no revocation data" (the
# status never found read on as "not revoked", its source a null pointer): no revocation
# data is said once, and nothing of it is said to pass.
test_expect_success 'no revocation data is said once, and never as "not revoked"' '
	expect_exit 3 verify -v nr.asice > out && test_grep "^nr.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Capitaine Demo Martin., which names no CRL distribution point or OCSP responder \[TRY_LATER\]$" out &&
	test "$(grep -c "signature.revocation" out)" = 1 && ! grep "is not revoked" out
'

# revocation.c covers `next_update >= at` (`>= -> >`): a CRL is good up to and including its
# nextUpdate second (RFC 5280 §5.1.2.5).
test_expect_success 'a CRL whose nextUpdate is the genTime itself covers the signature' '
	g=$(cat gentime) && mkcrl edge.crl $((g - 3600)) "$g" &&
	verify -v --no-timestamp-ok --crl edge.crl nr.asice > out && test_grep "^nr.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.Capitaine Demo Martin. is not revoked (CRL)" out
'

# revocation.c revocation_crl_status, `continue` removed after `!listed && !covers(...)`: a
# CRL whose nextUpdate passed before the signature was made says nothing of it, though it
# does not list the certificate (a forger holding an old CRL from before a revocation).
test_expect_success 'a CRL whose nextUpdate is a second before the genTime says nothing' '
	g=$(cat gentime) && mkcrl stale.crl $((g - 3600)) $((g - 1)) &&
	expect_exit 3 verify --no-timestamp-ok --crl stale.crl nr.asice > out &&
	test_grep "^nr.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Capitaine Demo Martin." out
'

# revocation.c revocation_crl_status `X509_NAME_cmp(X509_CRL_get_issuer(crl),
# X509_get_subject_name(issuer)) != 0 || !ik || X509_CRL_verify(...) != 1` (`|| -> &&` on the
# first: the CRL's issuer name never compared): a CRL signed with the CA's key but issued in
# another name (a second CA certificate for the same key, say) is not the officer's issuer's
# CRL, and says nothing of the officer (RFC 5280 §6.3.3 (b)).
test_expect_success 'a CRL signed with the CA key in another issuer name says nothing' '
	g=$(cat gentime) && mkcrl renamed.crl $((g - 3600)) $((g + 86400)) "Demo Police Root CA 2" &&
	openssl crl -in renamed.crl -noout -issuer > issuer.txt && test_grep "CN = Demo Police Root CA 2$" issuer.txt &&
	expect_exit 3 verify --no-timestamp-ok --crl renamed.crl nr.asice > out &&
	test_grep "^nr.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Capitaine Demo Martin." out &&
	mkcrl same.crl $((g - 3600)) $((g + 86400)) "Demo Police Root CA" &&
	verify --no-timestamp-ok --crl same.crl nr.asice > out && test_grep "^nr.asice: TOTAL-PASSED$" out
'

# revocation.c ocsp_single_for, `continue` removed after a CertID whose hash is unknown (the
# certificate's own CertID would then be compared uninitialised): an answer whose CertID
# names a hash nobody knows answers for no certificate.  The control: the same answer with
# its SHA-1 CertID passes.
mkocsp() { # out
	python3 - "$PKI/ca.pem" "$PKI/ca.key" "$PKI/officer.pem" "$1" <<-\PY
	import datetime, sys
	from cryptography import x509
	from cryptography.x509 import ocsp
	from cryptography.hazmat.primitives import hashes, serialization
	ca = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
	key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
	cert = x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read())
	now = datetime.datetime.now(datetime.timezone.utc)
	b = ocsp.OCSPResponseBuilder().add_response(cert=cert, issuer=ca, algorithm=hashes.SHA1(),
	    cert_status=ocsp.OCSPCertStatus.GOOD, this_update=now - datetime.timedelta(hours=1),
	    next_update=now + datetime.timedelta(days=7), revocation_time=None, revocation_reason=None)
	r = b.responder_id(ocsp.OCSPResponderEncoding.HASH, ca).sign(key, hashes.SHA256())
	open(sys.argv[4], "wb").write(r.public_bytes(serialization.Encoding.DER))
	PY
}
test_expect_success 'an OCSP answer whose CertID names an unknown hash answers for nobody' '
	mkocsp sha1.ocsp &&
	seal0 --tsa "$tsa_url" --revocation-data sha1.ocsp -o ocsp-ok.asice ev/chat-export 2>/dev/null &&
	verify -v ocsp-ok.asice > out && test_grep "^ocsp-ok.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.Capitaine Demo Martin. is not revoked (OCSP)" out &&
	python3 -c "import sys; b = open(sys.argv[1], \"rb\").read(); o = bytes.fromhex(\"06052b0e03021a\"); assert b.count(o) == 1; open(sys.argv[2], \"wb\").write(b.replace(o, bytes.fromhex(\"06052b0e03027f\")))" sha1.ocsp unknown.ocsp &&
	seal0 --tsa "$tsa_url" --revocation-data unknown.ocsp -o ocsp-unk.asice ev/chat-export 2>/dev/null &&
	expect_exit 3 verify ocsp-unk.asice > out && test_grep "^ocsp-unk.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Capitaine Demo Martin." out
'

# revocation.c ocsp_authorised: who may sign an OCSP answer (RFC 6960 §4.2.2.2).  Answers
# made with Python's cryptography for the officer's certificate, each signed by another
# key: (a) the CA itself, (b) a responder the CA delegated to (id-kp-OCSPSigning), (c) a
# certificate of the CA without that EKU, (d) a responder with the EKU from another CA,
# (e) one "issued" in the CA's name by another CA's key (no key identifier to tell them
# apart: X509_check_issued() compares the names only, the chain's signature tells), (f) the
# CA's answer with its signature broken.  Only (a) and (b) count; the others are no
# revocation data, (d) even when its CA is a trust anchor too (it is not the officer's).  Kills `X509_check_issued(...) !=
# X509_V_OK ||` (`|| -> &&`), `return 0` after it (`-> return -1`, -1 read as true),
# `X509_verify_cert(ctx) == 1` (`== -> !=`), `return 1` for the issuer itself (`-> 0`),
# `return 0` after OCSP_basic_verify (a response whose signature is broken, `-> -1`), and
# the chain's `&&` and `<` (the delegate's certificate is found among the answer's own).
mkresponder() { # out issuer-cert issuer-key key eku(ocsp|none) [lookalike]
	python3 - "$@" <<-\PY
	import datetime, sys
	from cryptography import x509
	from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
	from cryptography.hazmat.primitives import hashes, serialization
	out, icert, ikey, key, eku = sys.argv[1:6]
	ca = x509.load_pem_x509_certificate(open(icert, "rb").read())
	cak = serialization.load_pem_private_key(open(ikey, "rb").read(), None)
	k = serialization.load_pem_private_key(open(key, "rb").read(), None)
	iname = ca.subject if len(sys.argv) < 7 else x509.load_pem_x509_certificate(open(sys.argv[6], "rb").read()).subject
	now = datetime.datetime.now(datetime.timezone.utc)
	b = x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP " + out)])) \
	    .issuer_name(iname).public_key(k.public_key()).serial_number(x509.random_serial_number()) \
	    .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30)) \
	    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True) \
	    .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
	if eku == "ocsp":
	    b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
	open(out, "wb").write(b.sign(cak, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
	PY
}
mkanswer() { # out signer-cert signer-key [revoked-at (seconds since the epoch)]
	python3 - "$PKI/ca.pem" "$PKI/officer.pem" "$@" <<-\PY
	import datetime, sys
	from cryptography import x509
	from cryptography.x509 import ocsp
	from cryptography.hazmat.primitives import hashes, serialization
	ca = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
	cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
	signer = x509.load_pem_x509_certificate(open(sys.argv[4], "rb").read())
	key = serialization.load_pem_private_key(open(sys.argv[5], "rb").read(), None)
	now = datetime.datetime.now(datetime.timezone.utc)
	rev = datetime.datetime.fromtimestamp(int(sys.argv[6]), datetime.timezone.utc) if len(sys.argv) > 6 else None
	b = ocsp.OCSPResponseBuilder().add_response(cert=cert, issuer=ca, algorithm=hashes.SHA1(),
	    cert_status=ocsp.OCSPCertStatus.REVOKED if rev else ocsp.OCSPCertStatus.GOOD,
	    this_update=now - datetime.timedelta(hours=1), next_update=now + datetime.timedelta(days=7),
	    revocation_time=rev, revocation_reason=None).responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
	if signer != ca:
	    b = b.certificates([signer])
	open(sys.argv[3], "wb").write(b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
	PY
}
test_expect_success 'an OCSP answer counts when the CA or its delegated responder signed it, not another' '
	mkresponder deleg.pem "$PKI/ca.pem" "$PKI/ca.key" "$PKI/other.key" ocsp &&
	mkresponder noeku.pem "$PKI/ca.pem" "$PKI/ca.key" "$PKI/other.key" none &&
	mkresponder foreign.pem "$PKI/other-ca.pem" "$PKI/other-ca.key" "$PKI/other.key" ocsp &&
	mkresponder alike.pem "$PKI/other-ca.pem" "$PKI/other-ca.key" "$PKI/other.key" ocsp "$PKI/ca.pem" &&
	mkanswer a-ca.ocsp "$PKI/ca.pem" "$PKI/ca.key" &&
	for r in deleg noeku foreign alike; do
		mkanswer "a-$r.ocsp" "$r.pem" "$PKI/other.key" || return 1
	done &&
	for r in ca deleg; do
		seal0 --tsa "$tsa_url" --revocation-data "a-$r.ocsp" -o "a-$r.asice" ev/chat-export 2>/dev/null &&
		verify -v "a-$r.asice" > out && test_grep -Fx "a-$r.asice: TOTAL-PASSED" out &&
		test_grep -Fx "  passed        signature.revocation           '\''Capitaine Demo Martin'\'' is not revoked (OCSP)" out || return 1
	done &&
	python3 -c "import sys; b = bytearray(open(sys.argv[1], \"rb\").read()); b[-1] ^= 1; open(sys.argv[2], \"wb\").write(b)" a-ca.ocsp a-broken.ocsp &&
	for r in noeku foreign alike broken; do
		seal0 --tsa "$tsa_url" --revocation-data "a-$r.ocsp" -o "a-$r.asice" ev/chat-export 2>/dev/null &&
		expect_exit 3 verify "a-$r.asice" > out && test_grep -Fx "a-$r.asice: INDETERMINATE" out &&
		test_grep -Fx "  INDETERMINATE signature.revocation           no revocation data for '\''Capitaine Demo Martin'\'', which names no CRL distribution point or OCSP responder [TRY_LATER]" out || return 1
	done &&
	expect_exit 3 verify --trust "$PKI/other-ca.pem" a-foreign.asice > out &&
	test_grep -Fx "a-foreign.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE signature.revocation           no revocation data for '\''Capitaine Demo Martin'\'', which names no CRL distribution point or OCSP responder [TRY_LATER]" out
'

# revocation.c revocation_ocsp_status `!st->revoked || r < st->rev_time` (`|| -> &&`: the
# first revocation's time never read, the certificate revoked at the epoch): the CA's
# answer that the officer was revoked an hour after the time-stamp, or an hour before,
# put in place of a-ca.asice's "good" answer (sealing refuses a revoked certificate; the
# answers sit outside the signed attributes, in the SignedData's crls).
swap_der() { # in.p7s old new out.p7s — `old` (one DER element of in.p7s) made `new`
	python3 - "$TOP/tests/data" "$@" <<-\PY
	import sys
	sys.path.insert(0, sys.argv[1])
	from tstoken import tlv, header
	b, o, n = (open(f, "rb").read() for f in sys.argv[2:5])
	assert b.count(o) == 1
	def walk(i):
	    tag, c, l = tlv(b, i)
	    el = b[i:c + l]
	    if el == o or o not in el or not tag & 0x20:
	        return n if el == o else el
	    j, body = c, b""
	    while j < c + l:
	        body += walk(j)
	        _, cc, ll = tlv(b, j)
	        j = cc + ll
	    return header(tag, len(body)) + body
	open(sys.argv[5], "wb").write(walk(0))
	PY
}
test_expect_success 'an OCSP answer revoking the signer after the time-stamp passes, before it fails' '
	rm -rf ar && mkdir ar && (cd ar && unzip -q ../a-ca.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/tstoken.py" ar/META-INF/signature001.p7s ar > /dev/null &&
	gt=$(openssl ts -reply -in ar/token1.der -token_in -text 2>/dev/null | sed -n "s/^Time stamp: //p") &&
	g=$(date -u -d "$gt" +%s) && test -n "$g" &&
	mkanswer r-late.ocsp "$PKI/ca.pem" "$PKI/ca.key" $((g + 3600)) &&
	mkanswer r-early.ocsp "$PKI/ca.pem" "$PKI/ca.key" $((g - 3600)) &&
	for w in late early; do
		swap_der ar/META-INF/signature001.p7s a-ca.ocsp "r-$w.ocsp" "r-$w.p7s" &&
		$ZE a-ca.asice "r-$w.asice" replace META-INF/signature001.p7s "r-$w.p7s" || return 1
	done &&
	verify -v --ledger a-ca.asice.custody.xml r-late.asice > out &&
	test_grep -Fx "r-late.asice: TOTAL-PASSED" out &&
	test_grep -Fx "  passed        signature.revocation           '\''Capitaine Demo Martin'\'' was revoked on $(date -u -d @$((g + 3600)) +%Y-%m-%dT%H:%M:%SZ) (OCSP), after the time-stamp of $(date -u -d @$g +%Y-%m-%dT%H:%M:%SZ) that proves the signature existed before" out &&
	expect_exit 1 verify --ledger a-ca.asice.custody.xml r-early.asice > out &&
	test_grep -Fx "r-early.asice: TOTAL-FAILED" out &&
	test_grep "^  FAILED        signature.revocation           .Capitaine Demo Martin. was revoked on $(date -u -d @$((g - 3600)) +%Y-%m-%dT%H:%M:%SZ) (OCSP), before the signing time [0-9T:-]*Z that the time-stamp confirms \[REVOKED\]$" out
'

# revocation.c revocation_urls, `break` removed in the CRL distribution point's names: of
# two http names in one distribution point, the first is the one named.
test_expect_success 'of two CRL locations in one distribution point, the first is the one named' '
	printf "[crl2]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\ncrlDistributionPoints = dp\n[dp]\nfullname = URI:http://127.0.0.1:9/first.crl,URI:http://127.0.0.1:9/second.crl\n" > crl2.cnf &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Two CRL Officer" -out crl2.csr &&
	openssl x509 -req -in crl2.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -set_serial 4343 \
		-extfile crl2.cnf -extensions crl2 -out crl2.pem &&
	openssl x509 -in crl2.pem -noout -text > crl2.txt && test_grep -F "URI:http://127.0.0.1:9/second.crl" crl2.txt &&
	scelle seal -q --key "$PKI/officer.key" --cert crl2.pem --tsa "$tsa_url" --revocation-data none -o crl2.asice ev/chat-export 2>/dev/null &&
	expect_exit 3 verify crl2.asice > out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .Two CRL Officer., which names http://127.0.0.1:9/first.crl \[TRY_LATER\]$" out
'


# revocation.c revocation_urls `strncmp(..., "http://", 7) == 0` (`== -> !=`, and the `if`
# negated): of a certificate's OCSP responders, the first http one is named, not an ldap
# one before it.  Then `verify --online` with responders that refuse the connection
# (loopback port 9): the reason is the connection, for OCSP (revocation_fetch_ocsp
# `(b = http_fetch(...)) && !(resp = d2i...)`, `&& -> ||`: "did not answer with an OCSP
# response"; `else if (resp && ...)` negated: the status of no response read) and for a
# CRL (revocation_fetch_crl `b && !crl`, `&& -> ||`: "did not answer with a CRL"); and
# verify_sig.c verify_revocation, `continue` removed after that TRY_LATER (a second
# finding, "no revocation data", would follow).
test_expect_success 'verify --online names the first http OCSP responder and why it could not be asked' '
	printf "[aia]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\nauthorityInfoAccess = OCSP;URI:ldap://127.0.0.1:9/cn=ocsp,OCSP;URI:http://127.0.0.1:9/ocsp\n[nochk]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\nnoCheck = ignored\n" > aia.cnf &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=AIA Officer" -out aia.csr &&
	openssl x509 -req -in aia.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -set_serial 4747 \
		-extfile aia.cnf -extensions aia -out aia.pem 2>/dev/null &&
	scelle seal -q --key "$PKI/officer.key" --cert aia.pem --tsa "$tsa_url" --revocation-data none -o aia.asice ev/chat-export 2>/dev/null &&
	expect_exit 3 verify aia.asice > out && test_grep -Fx "aia.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE signature.revocation           no revocation data for '\''AIA Officer'\'', which names http://127.0.0.1:9/ocsp [TRY_LATER]" out &&
	expect_exit 3 verify --online aia.asice > out && test_grep -Fx "aia.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE signature.revocation           no revocation status for '\''AIA Officer'\'': cannot fetch revocation data from '\''http://127.0.0.1:9/ocsp'\'': cannot connect [TRY_LATER]" out &&
	test $(grep -c "signature.revocation" out) = 1 &&
	expect_exit 3 verify --online crl2.asice > out && test_grep -Fx "crl2.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE signature.revocation           no revocation status for '\''Two CRL Officer'\'': cannot fetch revocation data from '\''http://127.0.0.1:9/first.crl'\'': cannot connect [TRY_LATER]" out &&
	test $(grep -c "signature.revocation" out) = 1
'

# verify_sig.c verify_revocation, `continue` removed after a certificate with
# id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): it needs no revocation data, and its lack is
# not then reported as well.
test_expect_success 'a signer certificate with id-pkix-ocsp-nocheck needs no revocation data' '
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=No Check Officer" -out nochk.csr &&
	openssl x509 -req -in nochk.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -set_serial 4848 \
		-extfile aia.cnf -extensions nochk -out nochk.pem 2>/dev/null &&
	scelle seal -q --key "$PKI/officer.key" --cert nochk.pem --tsa "$tsa_url" --revocation-data none -o nochk.asice ev/chat-export 2>/dev/null &&
	verify -v nochk.asice > out && test_grep -Fx "nochk.asice: TOTAL-PASSED" out &&
	test_grep -Fx "  passed        signature.revocation           '\''No Check Officer'\'' needs no revocation check (id-pkix-ocsp-nocheck)" out &&
	test $(grep -c "signature.revocation" out) = 1
'

# revocation.c revocation_urls `gn->d.ia5->length > 7` (`> -> >=`): a CRL distribution point
# "http://" names no host, and no location: the certificate is said to name none (and the
# hint is --crl's), not to name "http://".
test_expect_success 'a CRL distribution point of "http://" alone names no location' '
	printf "[bare]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\ncrlDistributionPoints = URI:http://\n" > bare.cnf &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Bare URL Officer" -out bare.csr &&
	openssl x509 -req -in bare.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -set_serial 4949 \
		-extfile bare.cnf -extensions bare -out bare.pem 2>/dev/null &&
	openssl x509 -in bare.pem -noout -text > bare.txt && test_grep -x " *URI:http://" bare.txt &&
	scelle seal -q --key "$PKI/officer.key" --cert bare.pem --tsa "$tsa_url" --revocation-data none -o bare.asice ev/chat-export 2>/dev/null &&
	expect_exit 3 verify bare.asice > out && test_grep -Fx "bare.asice: INDETERMINATE" out &&
	test_grep -Fx "  INDETERMINATE signature.revocation           no revocation data for '\''Bare URL Officer'\'', which names no CRL distribution point or OCSP responder [TRY_LATER]" out &&
	test_grep "add the issuer.s CRL with --crl FILE" out
'

# revocation.c cert_cn `X509_NAME_get_text_by_NID(n, NID_commonName, out, len) <= 0` (`<= -> <`):
# a certificate whose commonName is empty (made with Python's cryptography: openssl refuses
# one) is named by its whole subject, not by ''.
test_expect_success 'a signer whose commonName is empty is named by its whole subject' '
	python3 - "$PKI/ca.pem" "$PKI/ca.key" "$PKI/officer.pem" nocn.pem <<-\PY &&
	import datetime, sys, warnings
	from cryptography import x509
	from cryptography.x509.oid import NameOID
	from cryptography.hazmat.primitives import hashes, serialization
	warnings.simplefilter("ignore")   # the empty commonName, which cryptography warns of
	load = lambda p: open(p, "rb").read()
	ca, off = x509.load_pem_x509_certificate(load(sys.argv[1])), x509.load_pem_x509_certificate(load(sys.argv[3]))
	key = serialization.load_pem_private_key(load(sys.argv[2]), None)
	now = datetime.datetime.now(datetime.timezone.utc)
	name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
	                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Demo Police Nationale"),
	                  x509.NameAttribute(NameOID.COMMON_NAME, "", _validate=False)])
	b = x509.CertificateBuilder().subject_name(name).issuer_name(ca.subject).public_key(off.public_key()) \
	    .serial_number(5050).not_valid_before(now - datetime.timedelta(days=1)) \
	    .not_valid_after(now + datetime.timedelta(days=30))
	for e in off.extensions:
	    b = b.add_extension(e.value, e.critical)
	open(sys.argv[4], "wb").write(b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
	PY
	openssl x509 -in nocn.pem -noout -subject > nocn.txt && test_grep -x "subject=C = FR, O = Demo Police Nationale, CN = " nocn.txt &&
	scelle seal -q --key "$PKI/officer.key" --cert nocn.pem --tsa "$tsa_url" --revocation-data "$PKI/ca.crl" -o nocn.asice ev/chat-export 2>/dev/null &&
	verify -v nocn.asice > out && test_grep -Fx "nocn.asice: TOTAL-PASSED" out &&
	test_grep -Fx "  passed        signature.revocation           '\''/C=FR/O=Demo Police Nationale/CN='\'' is not revoked (CRL)" out
'

test_done
