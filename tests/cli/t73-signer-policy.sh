#!/bin/sh
# t73-signer-policy.sh — who may seal and with what (FORMAT.md §5.1): a certificate under the
# trust anchor that was not issued for signing (TLS server, key encipherment, time-stamping,
# code signing, the CA itself), a TSA certificate without the critical timeStamping EKU
# alone, RSA-1024 and P-192 keys, SHA-1 and MD5 references, tokens and ledger records made
# so, and a stated officer the certificate does not bear out.  Each was TOTAL-PASSED before.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
RS="python3 $TOP/tests/data/resign.py"
seal() { scelle seal -q --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
# jcheck ID FILE.json — "STATUS SUBINDICATION MESSAGE" of each check ID in a --json result
jcheck() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[2]))
for c in d["checks"]:
    if c["id"] == sys.argv[1]:
        print(c["status"], c.get("subindication") or "-", c["message"])' "$1" "$2"
}
jverdict() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$1"; }

# The certificates with a wrong usage, all under the officers' root CA (or the TSA root).
cat > bad.cnf <<'CNF' || exit 2
[tls]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
[kenc]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
[tstamp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[codesign]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = codeSigning
[docsign]
basicConstraints = critical,CA:FALSE
keyUsage = critical,nonRepudiation
extendedKeyUsage = 1.3.6.1.5.5.7.3.36
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[tsa_nocrit]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = timeStamping
[tsa_extra]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping,1.3.6.1.5.5.7.3.36
[tsa_ok]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
CNF
mkcert() { # name key-algorithm-option subject ca ext
	openssl genpkey $2 -out "$1.key" 2>/dev/null &&
	openssl req -new -utf8 -key "$1.key" -subj "$3" 2>/dev/null |
		openssl x509 -req -CA "$PKI/$4.pem" -CAkey "$PKI/$4.key" -days 100 -extfile bad.cnf \
		-extensions "$5" -out "$1.pem" 2>/dev/null
}
EC="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
mkcert tls "$EC" "/C=FR/O=Demo Police Nationale/CN=www.police.example" ca tls &&
mkcert kenc "$EC" "/C=FR/O=Demo Police Nationale/CN=Encryption Only" ca kenc &&
mkcert tstamp "$EC" "/C=FR/O=Demo Police Nationale/CN=Time Stamping Unit" ca tstamp &&
mkcert codesign "$EC" "/C=FR/O=Demo Police Nationale/CN=Code Signing" ca codesign &&
mkcert docsign "$EC" "/C=FR/O=Demo Police Nationale/CN=Document Signer" ca docsign &&
mkcert rsa1024 "-algorithm RSA -pkeyopt rsa_keygen_bits:1024" "/C=FR/O=Demo Police Nationale/CN=Small RSA" ca signer &&
mkcert p192 "-algorithm EC -pkeyopt ec_paramgen_curve:P-192" "/C=FR/O=Demo Police Nationale/CN=Small EC" ca signer &&
mkcert tsa-nocrit "$EC" "/C=FR/O=Demo Time Authority/CN=TSA EKU not critical" tsa-ca tsa_nocrit &&
mkcert tsa-extra "$EC" "/C=FR/O=Demo Time Authority/CN=TSA EKU and more" tsa-ca tsa_extra &&
mkcert tsa-rsa1024 "-algorithm RSA -pkeyopt rsa_keygen_bits:1024" "/C=FR/O=Demo Time Authority/CN=TSA RSA 1024" tsa-ca tsa_ok &&
mkcert tsa-ok "$EC" "/C=FR/O=Demo Time Authority/CN=TSA control" tsa-ca tsa_ok || exit 2

seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o base.asice ev/ad-capture || exit 2

# ------------------------------------------------------------------- point 4 ----
for c in tls kenc tstamp codesign ca; do
	case $c in ca) key=$PKI/ca.key cert=$PKI/ca.pem ;; *) key=$c.key cert=$c.pem ;; esac
	$RS base.asice "as-$c.asice" "$key" "$cert" || exit 2
done
signer_usage() { # name, then the words the message must hold
	expect_exit 3 verify --no-timestamp-ok --json "as-$1.asice" > "$1.json" &&
	test "$(jverdict "$1.json")" = INDETERMINATE &&
	jcheck signature.signer_usage "$1.json" > "$1.got" &&
	test_grep -E "^INDETERMINATE CHAIN_CONSTRAINTS_FAILURE the signer's certificate '.*' $2" "$1.got" &&
	expect_exit 3 verify --no-timestamp-ok "as-$1.asice" > "$1.txt" &&
	test_grep -E "^  INDETERMINATE +signature.signer_usage .*$2.* \[CHAIN_CONSTRAINTS_FAILURE\]$" "$1.txt"
}
test_expect_success 'a TLS-server-only certificate under the anchor does not seal: INDETERMINATE' '
	signer_usage tls "is not a signing certificate: its extended key usage allows neither emailProtection, documentSigning nor anyExtendedKeyUsage"
'
test_expect_success 'a keyEncipherment-only certificate does not seal' '
	signer_usage kenc "is not a signing certificate: its key usage allows neither digitalSignature nor nonRepudiation"
'
test_expect_success 'a time-stamping certificate does not seal' '
	signer_usage tstamp "is not a signing certificate: its extended key usage allows neither"
'
test_expect_success 'a code-signing certificate does not seal' '
	signer_usage codesign "is not a signing certificate: its extended key usage allows neither"
'
test_expect_success 'the root CA itself does not seal' '
	signer_usage ca "is a CA certificate \(basicConstraints cA\), not a signer.s"
'
test_expect_success 'a documentSigning certificate seals (the control)' '
	seal --key docsign.key --cert docsign.pem -o docsign.asice ev/ad-capture &&
	verify --no-timestamp-ok --json docsign.asice > docsign.json &&
	test "$(jverdict docsign.json)" = TOTAL-PASSED &&
	jcheck signature.signer_usage docsign.json | test_grep "^TOTAL-PASSED - " -
'
test_expect_success 'seal refuses a certificate that cannot sign evidence' '
	for c in tls kenc tstamp codesign; do
		test_must_fail --exit=2 seal --key $c.key --cert $c.pem -o no.asice ev/ad-capture 2> err &&
		test_grep "^scelle: certificate .$c.pem. cannot seal evidence: it is not a signing certificate" err &&
		test ! -e no.asice || return 1
	done &&
	test_must_fail --exit=2 seal --key "$PKI/ca.key" --cert "$PKI/ca.pem" -o no.asice ev/ad-capture 2> err &&
	test_grep "cannot seal evidence: it is a CA certificate" err &&
	test_must_fail --exit=2 scelle custody add base.asice --event opened --key tls.key --cert tls.pem 2> err &&
	test_grep "cannot seal evidence: it is not a signing certificate" err
'

# The TSA: a token over the signature value of base-tsa.asice, its TSTInfo signed again by
# the certificate under test (openssl ts -reply refuses most of them), grafted in place.
seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --tsa "$tsa_url" -o base-tsa.asice ev/ad-capture &&
mkdir x && (cd x && unzip -q ../base-tsa.asice) &&
python3 "$TOP/tests/data/tstoken.py" x/META-INF/signature001.p7s x > /dev/null &&
openssl cms -verify -noverify -inform DER -in x/token1.der -out tst.der 2>/dev/null || exit 2
graft() { # name cert key [md]
	openssl cms -sign -binary -nodetach -in tst.der -econtent_type 1.2.840.113549.1.9.16.1.4 \
		-signer "$2" -inkey "$3" -md "${4:-sha256}" -cades -nosmimecap -outform DER -out "tok-$1.der" &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s "tok-$1.der" "sig-$1.p7s" > /dev/null &&
	python3 "$TOP/tests/data/zipedit.py" base-tsa.asice "ts-$1.asice" replace META-INF/signature001.p7s "sig-$1.p7s"
}
graft ok tsa-ok.pem tsa-ok.key && graft nocrit tsa-nocrit.pem tsa-nocrit.key &&
graft extra tsa-extra.pem tsa-extra.key && graft rsa1024 tsa-rsa1024.pem tsa-rsa1024.key &&
graft sha1 tsa-ok.pem tsa-ok.key sha1 || exit 2
tsa_case() { # name subindication message
	expect_exit 3 verify --json "ts-$1.asice" > "ts-$1.json" &&
	jcheck timestamp.token "ts-$1.json" > "ts-$1.got" &&
	test_grep -E "^INDETERMINATE $2 time-stamp 1 by .*: $3" "ts-$1.got"
}
test_expect_success 'a token re-signed by a good TSA certificate passes (the control)' '
	verify --json ts-ok.asice > ts-ok.json && test "$(jverdict ts-ok.json)" = TOTAL-PASSED
'
test_expect_success 'a TSA certificate whose timeStamping EKU is not critical: INDETERMINATE' '
	tsa_case nocrit CHAIN_CONSTRAINTS_FAILURE "the TSA certificate .* lacks the critical timeStamping extended key usage \(RFC 3161 §2.3\)$"
'
test_expect_success 'a TSA certificate with timeStamping and another EKU: INDETERMINATE' '
	tsa_case extra CHAIN_CONSTRAINTS_FAILURE "the TSA certificate .* has an extended key usage beside timeStamping \(RFC 3161 §2.3: timeStamping alone\)$"
'

# ------------------------------------------------------------------- point 5 ----
test_expect_success 'an RSA-1024 signer: seal refuses, verify is INDETERMINATE' '
	test_must_fail --exit=2 seal --key rsa1024.key --cert rsa1024.pem -o no.asice ev/ad-capture 2> err &&
	test_grep -Fx "scelle: certificate '\''rsa1024.pem'\'' cannot seal evidence: a 1024-bit RSA key (at least 2048 bits) is too weak (ETSI TS 119 312)" err &&
	$RS base.asice rsa1024.asice rsa1024.key rsa1024.pem &&
	expect_exit 3 verify --no-timestamp-ok --json rsa1024.asice > rsa1024.json &&
	jcheck signature.algorithm rsa1024.json | test_grep -Fx "INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE the signature is made with a 1024-bit RSA key (at least 2048 bits), which ETSI TS 119 312 no longer accepts" -
'
test_expect_success 'a P-192 signer: verify is INDETERMINATE' '
	$RS base.asice p192.asice p192.key p192.pem &&
	expect_exit 3 verify --no-timestamp-ok --json p192.asice > p192.json &&
	jcheck signature.algorithm p192.json | test_grep -Fx "INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE the signature is made with a 192-bit EC key (at least 256 bits), which ETSI TS 119 312 no longer accepts" -
'
test_expect_success 'a CMS signature with SHA-1 as its digest: INDETERMINATE' '
	RESIGN_MD=sha1 $RS base.asice cms-sha1.asice "$PKI/officer.key" "$PKI/officer.pem" &&
	expect_exit 3 verify --no-timestamp-ok --json cms-sha1.asice > cms-sha1.json &&
	jcheck signature.algorithm cms-sha1.json | test_grep -Fx "INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE the signature uses the digest SHA1, which ETSI TS 119 312 no longer accepts" -
'
weak_manifest() { # name algorithm-uri openssl-digest
	unzip -p base.asice META-INF/ASiCManifest001.xml > "m-$1.xml" &&
	python3 - "m-$1.xml" "$2" "$3" base.asice <<-'PY'
	import base64, hashlib, re, sys, zipfile
	path, uri, alg, arc = sys.argv[1:]
	z = zipfile.ZipFile(arc)
	m = open(path).read()
	def sub(r):
	    name = re.search(r'URI="([^"]*)"', r.group(0)).group(1)
	    d = base64.b64encode(hashlib.new(alg, z.read(name)).digest()).decode()
	    r = re.sub(r'Algorithm="[^"]*"', 'Algorithm="%s"' % uri, r.group(0))
	    return re.sub(r"<ds:DigestValue>[^<]*<", "<ds:DigestValue>%s<" % d, r)
	open(path, "w").write(re.sub(r"<DataObjectReference .*?</DataObjectReference>", sub, m, flags=re.S))
	PY
	$RS base.asice "m-$1.asice" "$PKI/officer.key" "$PKI/officer.pem" "META-INF/ASiCManifest001.xml=m-$1.xml"
}
test_expect_success 'SHA-1 manifest references: INDETERMINATE, and a changed file is still TOTAL-FAILED' '
	weak_manifest sha1 http://www.w3.org/2000/09/xmldsig#sha1 sha1 &&
	expect_exit 3 verify --no-timestamp-ok --json m-sha1.asice > m-sha1.json &&
	jcheck manifest.algorithm m-sha1.json | test_grep -Fx "INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE 3 references are made with sha1 (first '\''evidence.xml'\''), which ETSI TS 119 312 no longer accepts" - &&
	python3 "$TOP/tests/data/zipedit.py" m-sha1.asice m-sha1-flip.asice flip evidence/ad-capture/ad-4711.html &&
	expect_exit 1 verify --no-timestamp-ok m-sha1-flip.asice > out &&
	test_grep "FAILED *manifest.digest .*sha1 differs from ASiCManifest" out
'
test_expect_success 'MD5 manifest references: INDETERMINATE' '
	weak_manifest md5 http://www.w3.org/2001/04/xmldsig-more#md5 md5 &&
	expect_exit 3 verify --no-timestamp-ok --json m-md5.asice > m-md5.json &&
	jcheck manifest.algorithm m-md5.json | test_grep "^INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE 3 references are made with md5 " -
'
test_expect_success 'a token signed with SHA-1, or by an RSA-1024 TSA key: INDETERMINATE' '
	tsa_case sha1 CRYPTO_CONSTRAINTS_FAILURE_NO_POE "the token uses the digest SHA1, which ETSI TS 119 312 no longer accepts" &&
	tsa_case rsa1024 CRYPTO_CONSTRAINTS_FAILURE_NO_POE "the token is made with a 1024-bit RSA key \(at least 2048 bits\)"
'

# The ledger: record 2 re-signed, over the Exclusive C14N of its event (xmllint), by a
# certificate the record then names as its actor's.
seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o led.asice ev/ad-capture &&
scelle custody add led.asice --event opened --key "$PKI/officer.key" --cert "$PKI/officer.pem" || exit 2
resign_record() { # name key cert
	hex=$(openssl x509 -in "$3" -outform DER | sha256sum | cut -d" " -f1) &&
	old=$(sed -n 's/.*<actor [^>]*certificate="\([0-9a-f]*\)".*/\1/p' led.asice.custody.xml | tail -1) &&
	python3 "$TOP/tests/data/ledgeredit.py" led.asice.custody.xml e.xml edit 2 "$old" "$hex" &&
	python3 - e.xml <<-'PY' > ev.xml &&
	import re, sys
	t = open(sys.argv[1]).read()
	ev = re.findall(r"<event .*?</event>", t, re.S)[1]
	print(ev.replace("<event ", '<event xmlns="urn:scelle:custody:1" ', 1), end="")
	PY
	xmllint --exc-c14n ev.xml > ev.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -outform DER -signer "$3" -inkey "$2" \
		-in ev.c14n -out ev.p7s &&
	cp led.asice "l-$1.asice" &&
	python3 "$TOP/tests/data/ledgeredit.py" e.xml "l-$1.asice.custody.xml" setsig 2 "$(base64 -w0 ev.p7s)"
}
test_expect_success 'a ledger record re-signed by the officer verifies (the control)' '
	resign_record ok "$PKI/officer.key" "$PKI/officer.pem" &&
	verify --no-timestamp-ok --json l-ok.asice > l-ok.json && test "$(jverdict l-ok.json)" = TOTAL-PASSED
'
test_expect_success 'a ledger record signed by a TLS certificate: INDETERMINATE' '
	resign_record tls tls.key tls.pem &&
	expect_exit 3 verify --no-timestamp-ok --json l-tls.asice > l-tls.json &&
	jcheck custody.signer_usage l-tls.json | test_grep "^INDETERMINATE CHAIN_CONSTRAINTS_FAILURE record 2: the signer.s certificate .* is not a signing certificate" -
'
test_expect_success 'a ledger record signed with an RSA-1024 key: INDETERMINATE' '
	resign_record rsa1024 rsa1024.key rsa1024.pem &&
	expect_exit 3 verify --no-timestamp-ok --json l-rsa1024.asice > l-rsa1024.json &&
	jcheck custody.algorithm l-rsa1024.json | test_grep -F "INDETERMINATE CRYPTO_CONSTRAINTS_FAILURE_NO_POE record 2: the signature is made with a 1024-bit RSA key" -
'

# ------------------------------------------------------------------- point 7 ----
test_expect_success 'a French key sealed as a Spanish judge: identity.claim at seal and verify' '
	seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --officer "Juge d'\''instruction Dupont (ES)" \
		--country ES -o claim.asice ev/ad-capture 2> err &&
	test_grep -Fx "scelle: warning: identity.claim: stated officer '\''Juge d'\''instruction Dupont (ES)'\'' is not in the signing certificate '\''C = FR, O = Demo Police Nationale, OU = OCRTEH, CN = Capitaine Demo Martin'\'': the certificate is the signer, the stated name only a claim" err &&
	test_grep "identity.claim: stated country .ES." err &&
	verify --no-timestamp-ok --json claim.asice > claim.json &&
	test "$(jverdict claim.json)" = TOTAL-PASSED &&
	jcheck identity.claim claim.json | test_grep -F "TOTAL-PASSED - stated officer '\''Juge d'\''instruction Dupont (ES)'\'', country '\''ES'\'' not found in the signer'\''s certificate" - &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"signer\"].endswith(\"CN = Capitaine Demo Martin\"), d[\"signer\"]; assert d[\"identity_claim\"] == \"differs\", d.get(\"identity_claim\")" claim.json &&
	verify --no-timestamp-ok claim.asice > out &&
	test_grep "^  warning *identity.claim *stated officer" out &&
	verify --no-timestamp-ok --report claim.html claim.asice > /dev/null &&
	test_grep -F "Capitaine Demo Martin" claim.html &&
	test_grep -F "stated, not found in the certificate" claim.html
'
test_expect_success 'a stated name in another case, order and without accents matches' '
	mkcert accent "$EC" "/C=FR/O=Demo Police Nationale/OU=OCRTEH/CN=Hélène Lefèvre" ca signer &&
	seal --key accent.key --cert accent.pem --officer "LEFEVRE helene" --unit ocrteh --country FR \
		-o accent.asice ev/ad-capture 2> err &&
	! grep -v "^scelle: warning: sealed without a time-stamp (no time-stamp authority given)" err &&
	verify --no-timestamp-ok --json accent.asice > accent.json &&
	jcheck identity.claim accent.json | test_grep "^TOTAL-PASSED - the stated officer is found in the signer" -
'
test_expect_success 'a custody actor the certificate does not bear out: identity.claim on the record' '
	cp led.asice act.asice && cp led.asice.custody.xml act.asice.custody.xml &&
	scelle custody add act.asice --event examined --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--actor "Inspectora Garcia" &&
	verify --no-timestamp-ok --json act.asice > act.json &&
	test "$(jverdict act.json)" = TOTAL-PASSED &&
	jcheck identity.claim act.json | test_grep -F "TOTAL-PASSED - record 3: stated actor '\''Inspectora Garcia'\'' not found in the signer'\''s certificate '\''C = FR, O = Demo Police Nationale, OU = OCRTEH, CN = Capitaine Demo Martin'\''" -
'
test_done
