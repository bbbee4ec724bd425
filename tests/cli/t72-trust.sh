#!/bin/sh
# t72-trust.sh — where a verifier's trust comes from: PEM bundles (--trust), a hashed
# directory (--trust-dir), the system store (--system-trust), intermediates that travel
# apart from the signature (--untrusted); the report names the anchor used.
. "$(dirname "$0")/lib.sh"
make_pki
verify() { scelle verify --no-timestamp-ok "$@"; }

# root → "Demo Regional CA" (intermediate) → officer; the seal does not embed the
# intermediate, as when a card holds only the officer's certificate.
test_expect_success 'setup' '
	mkdir ev && echo "chat export" > ev/chat.txt &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key &&
	openssl req -new -key inter.key -subj "/C=FR/O=Demo Police Nationale/CN=Demo Regional CA" |
		openssl x509 -req -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 365 \
		-extfile "$PKI/ext.cnf" -extensions ca -out inter.pem &&
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Brigadier Demo Petit" |
		openssl x509 -req -CA inter.pem -CAkey inter.key -days 365 \
		-extfile "$PKI/ext.cnf" -extensions signer -out leaf.pem &&
	mkdir anchors && cp "$PKI/ca.pem" anchors/ && cp "$PKI/other-ca.pem" anchors/ &&
	openssl rehash anchors &&
	mkdir inter && : > inter/index.txt &&
	(cd inter && openssl ca -config "$PKI/ext.cnf" -name caopts -cert ../inter.pem \
		-keyfile ../inter.key -gencrl -crldays 30 -out ../inter.crl) &&
	# Both archives carry the CRLs of their chain (B-LT): revocation is not what this tests.
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
		-o plain.asice ev &&
	scelle seal -q --key "$PKI/officer.key" --cert leaf.pem --revocation-data inter.crl \
		--revocation-data "$PKI/ca.crl" -o nochain.asice ev
'

test_expect_success '--trust-dir: anchors found by subject hash; the anchor is named' '
	verify --json --trust-dir anchors plain.asice > out.json &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verdict\"]==\"TOTAL-PASSED\", d[\"verdict\"]; print(d[\"trust_anchor\"])" out.json > anchor &&
	test_grep "CN *= *Demo Police Root CA" anchor
'
test_expect_success '--trust-dir without the right anchor: INDETERMINATE' '
	mkdir others && cp "$PKI/other-ca.pem" others/ && openssl rehash others &&
	expect_exit 3 verify --trust-dir others plain.asice > out &&
	test_grep "does not chain to a trusted anchor.*NO_CERTIFICATE_CHAIN_FOUND" out
'
test_expect_success '--trust-dir must be a directory' '
	test_must_fail --exit=2 verify --trust-dir "$PKI/ca.pem" plain.asice 2>err &&
	test_grep -Fx "scelle: '\''$PKI/ca.pem'\'' is not a directory (use --trust for a file)" err &&
	test_must_fail --exit=2 verify --trust-dir nowhere plain.asice 2>err &&
	test_grep -Fx "scelle: cannot open '\''nowhere'\'': No such file or directory" err
'
test_expect_success '--system-trust uses the system store (SSL_CERT_FILE here)' '
	SSL_CERT_FILE="$PKI/ca.pem" SSL_CERT_DIR=/nonexistent verify --system-trust plain.asice > out &&
	test_grep "^plain.asice: TOTAL-PASSED$" out &&
	SSL_CERT_FILE="$PKI/other-ca.pem" SSL_CERT_DIR=/nonexistent expect_exit 3 verify --system-trust plain.asice
'
test_expect_success 'without its intermediate the chain cannot be built; --untrusted supplies it' '
	expect_exit 3 verify --trust "$PKI/ca.pem" nochain.asice > out &&
	test_grep "NO_CERTIFICATE_CHAIN_FOUND" out &&
	verify -v --trust "$PKI/ca.pem" --untrusted inter.pem nochain.asice > out &&
	test_grep "^nochain.asice: TOTAL-PASSED$" out &&
	test_grep "chain to trust anchor .*Demo Police Root CA" out
'
test_expect_success 'an --untrusted certificate is not a trust anchor' '
	expect_exit 3 verify --trust "$PKI/other-ca.pem" --untrusted "$PKI/ca.pem" --untrusted inter.pem nochain.asice > out &&
	test_grep "NO_CERTIFICATE_CHAIN_FOUND" out &&
	test_must_fail --exit=2 verify --trust "$PKI/ca.pem" --untrusted ev/chat.txt nochain.asice 2>err &&
	test_grep -Fx "scelle: '\''ev/chat.txt'\'' holds no PEM certificate" err
'
test_expect_success 'several sources of anchors add up' '
	verify --trust "$PKI/other-ca.pem" --trust-dir anchors --untrusted inter.pem plain.asice nochain.asice > out &&
	test_grep "2 archives: 2 passed, 0 failed, 0 indeterminate" out
'
test_expect_success 'extract and custody show take the verifier options as verify does (--untrusted, --trust-dir)' '
	expect_exit 3 scelle extract -q --no-timestamp-ok --trust "$PKI/ca.pem" -C x1 nochain.asice &&
	scelle extract -q --no-timestamp-ok --trust "$PKI/ca.pem" --untrusted inter.pem -C x2 nochain.asice &&
	test -f x2/ev/chat.txt &&
	scelle extract -q --no-timestamp-ok --trust-dir anchors -C x3 plain.asice && test -f x3/ev/chat.txt &&
	test_must_fail --exit=2 scelle extract --trust "$PKI/ca.pem" --untrusted ev/chat.txt -C x4 nochain.asice 2>err &&
	test_grep -Fx "scelle: '\''ev/chat.txt'\'' holds no PEM certificate" err && test ! -e x4
'
test_done
