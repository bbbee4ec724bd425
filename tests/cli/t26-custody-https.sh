#!/bin/sh
# t26-custody-https.sh — `scelle custody add --tsa` reaches an https TSA as seal and stamp do
# (t23): --tsa-ca, --tsa-auth env:VAR|file:PATH, --tsa-cert/--tsa-key.  A record
# time-stamped over https verifies; a TSA certificate outside --tsa-ca, a missing password,
# and a password over plain http each fail before anything is recorded.
. "$(dirname "$0")/lib.sh"
make_pki
mkdir ev && printf 'capture one\n' >ev/a.txt
start_tsa || exit 2
fr() { scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }
show() { scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }

# The https front of t23 (tests/data/tsa_https.py) before `scelle tsa`: a TLS CA of its
# own, a server certificate for localhost and 127.0.0.1, a client certificate.
tls_cert() { # name subject ext
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-subj "/CN=$2" -out "$1.csr" 2>/dev/null &&
	printf "%s\n" "$3" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA tlsca.pem -CAkey tlsca.key -CAcreateserial -days 30 \
		-extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tlsca.key \
	-subj "/CN=Test TLS CA" -days 30 -out tlsca.pem 2>/dev/null &&
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout otherca.key \
	-subj "/CN=Another TLS CA" -days 30 -out otherca.pem 2>/dev/null &&
tls_cert server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth" &&
tls_cert client "Demo unit client" "extendedKeyUsage=clientAuth" || exit 2
FRONT="python3 $TOP/tests/data/tsa_https.py"
start_server auth $FRONT "$T/auth.port" server.pem server.key "$tsa_url" demo:s3cret || exit 2
auth_url=$(echo "$auth_url" | sed "s|^http://127.0.0.1|https://localhost|")
start_server mtls $FRONT "$T/mtls.port" server.pem server.key "$tsa_url" "" tlsca.pem || exit 2
mtls_url=$(echo "$mtls_url" | sed "s|^http://|https://|")

scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
	--tsa "$tsa_url" -o case.asice ev/a.txt || exit 2

test_expect_success 'custody add --help names the https TSA options' '
	scelle custody add --help >help &&
	test_grep "^      --tsa-ca FILE  *https TSA: CA certificates" help &&
	test_grep "^      --tsa-auth SPEC  *https TSA: user:password for HTTP basic" help &&
	test_grep "^      --tsa-cert FILE, --tsa-key FILE  https TSA: client certificate and key" help
'

# From here on the ledger grows one record a test, each through an https front reached by
# name, as a real TSA is: "localhost" must resolve (/etc/hosts, which Debian's netbase
# writes: tests/deps.sh installs it).
test_skip_unless "localhost does not resolve here (no /etc/hosts: netbase, tests/deps.sh)" getent hosts localhost
test_expect_success 'an https TSA with --tsa-ca and --tsa-auth env:VAR: the record is time-stamped and verifies' '
	: >"$T/auth.log" &&
	TSA_AUTH=demo:s3cret fr case.asice --event transferred --to "Policia Nacional" \
		--tsa "$auth_url" --tsa-ca tlsca.pem --tsa-auth env:TSA_AUTH >out &&
	test_grep "^recorded .transferred. as record 2 of the custody ledger of case.asice$" out &&
	test_grep -x "authorization: Basic ZGVtbzpzM2NyZXQ=" "$T/auth.log" &&
	show case.asice >out &&
	test_grep "^  2  [0-9T:-]*Z tsa  transferred  .* -- verifies$" out
'

test_expect_success 'stock tools: the record'"'"'s token from the https TSA verifies with openssl ts -verify' '
	xmllint --xpath "string((//*[local-name()=\"signature\"])[2])" case.asice.custody.xml | base64 -d >r2.p7s &&
	mkdir r2 && test "$(python3 "$TOP/tests/data/tstoken.py" r2.p7s r2)" = 1 &&
	d=$(openssl dgst -sha256 -r r2/sigvalue.bin | cut -d" " -f1) &&
	openssl ts -verify -digest "$d" -in r2/token1.der -token_in -CAfile "$PKI/tsa-ca.pem" 2>&1 |
		test_grep "^Verification: OK$" -
'

test_expect_success '--tsa-auth file:PATH works too; a wrong password or none is refused, nothing recorded' '
	echo demo:s3cret >auth.txt && echo demo:wrong >wrong.txt &&
	fr case.asice --event examined --tsa "$auth_url" --tsa-ca tlsca.pem --tsa-auth file:auth.txt >/dev/null &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 3 &&
	cp case.asice.custody.xml before.xml &&
	test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" --tsa-ca tlsca.pem 2>err &&
	test_grep "^scelle: time-stamp authority .$auth_url. answered with an HTTP error: .*401" err &&
	test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" --tsa-ca tlsca.pem \
		--tsa-auth file:wrong.txt 2>err &&
	test_grep "^scelle: time-stamp authority .$auth_url. answered with an HTTP error: .*401" err &&
	cmp before.xml case.asice.custody.xml
'

test_expect_success 'a TSA certificate that --tsa-ca does not lead to fails clearly, nothing recorded' '
	cp case.asice.custody.xml before.xml &&
	TSA_AUTH=demo:s3cret test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" \
		--tsa-ca otherca.pem --tsa-auth env:TSA_AUTH 2>err &&
	test_grep -x "scelle: cannot reach time-stamp authority .$auth_url.: certificate verify failed.*" err &&
	TSA_AUTH=demo:s3cret test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" \
		--tsa-auth env:TSA_AUTH 2>err &&
	test_grep -x "scelle: cannot reach time-stamp authority .$auth_url.: certificate verify failed.*" err &&
	cmp before.xml case.asice.custody.xml
'

test_expect_success '--tsa-auth never takes the secret itself, nor sends it over plain http' '
	cp case.asice.custody.xml before.xml &&
	test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" --tsa-auth demo:s3cret 2>err &&
	echo "scelle: invalid --tsa-auth source (use env:VAR or file:PATH, holding user:password)" >want &&
	diff -u want err &&
	TSA_AUTH=demo:s3cret test_must_fail --exit=2 fr case.asice --event examined --tsa "$tsa_url" \
		--tsa-auth env:TSA_AUTH 2>err &&
	echo "scelle: time-stamp authority '"'"'$tsa_url'"'"': a password is sent over https only" >want &&
	diff -u want err &&
	test_must_fail --exit=2 fr case.asice --event examined --tsa "$auth_url" --tsa-ca missing.pem 2>err &&
	echo "scelle: cannot open '"'"'missing.pem'"'"': No such file or directory" >want &&
	diff -u want err &&
	cmp before.xml case.asice.custody.xml
'

test_expect_success 'a TSA that wants a client certificate: --tsa-cert and --tsa-key' '
	fr case.asice --event copied --tsa "$mtls_url" --tsa-ca tlsca.pem --tsa-cert client.pem \
		--tsa-key client.key >/dev/null &&
	show case.asice >out &&
	test_grep "^  4  [0-9T:-]*Z tsa  copied  .* -- verifies$" out &&
	test_must_fail --exit=2 fr case.asice --event copied --tsa "$mtls_url" --tsa-ca tlsca.pem 2>err &&
	test_grep "^scelle: cannot reach time-stamp authority .$mtls_url.: " err &&
	test_must_fail --exit=2 fr case.asice --event copied --tsa "$mtls_url" --tsa-ca tlsca.pem \
		--tsa-key client.key 2>err &&
	test_grep -x "scelle: a TSA client key needs its certificate" err &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 4
'

test_skip_end

test_done
