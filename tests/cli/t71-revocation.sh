#!/bin/sh
# t71-revocation.sh — CAdES-B-LT revocation data: CRLs from `openssl ca -gencrl` and a
# loopback `openssl ocsp` responder; embedded at seal time (files or auto), given at verify
# time (--crl) or fetched then (--online); revoked before signing → TOTAL-FAILED, revoked
# after the time-stamp → passed with the revocation noted, no data → INDETERMINATE (with
# or without a CRL or OCSP location in the certificate); seal embeds data by default; the
# embedded data is judged at the proved time (a clock past the OCSP responder's expiry),
# with the CertID's own hash, from a BER SignedData too (FORMAT.md §5).
. "$(dirname "$0")/lib.sh"
make_pki
mkdir ev && echo "booking record 0042" > ev/booking.txt
start_tsa || exit 2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { python3 -c '
import socket, sys, time
for i in range(100):
    try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)' "$1"; }
CRLPORT=$(free_port)
OCSPPORT=$(free_port)

# A CA of its own, run with `openssl ca` so that it can revoke and publish CRLs; its
# certificates name the CRL (crl-*) or the OCSP responder (ocsp-*) on loopback.
mkdir rca rca/new www && cd rca || exit 2
cat > ca.cnf <<CNF
[ca]
default_ca = rca
[rca]
dir = .
database = index.txt
new_certs_dir = new
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
countryName = optional
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[crl]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$CRLPORT/rca.crl
[ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSPPORT/
[responder]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
: > index.txt && echo 1000 > serial && echo 01 > crlnumber
ca() { openssl ca -batch -config ca.cnf -cert rca.pem -keyfile rca.key "$@" 2>>../ca.log; }
issue() { # name extension
	openssl req -new -key "$PKI/officer.key" -subj "/O=Demo Police Nationale/CN=$1" -out "$1.csr" &&
	ca -notext -extensions "$2" -in "$1.csr" -out "../$1.pem"
}
gencrl() { ca -gencrl -out ../rca.crl && openssl crl -in ../rca.crl -outform DER -out ../www/rca.crl; }
{
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rca.key &&
	openssl req -x509 -new -key rca.key -subj "/O=Demo Revocation Authority/CN=Demo Revocation CA" \
		-days 3650 -config ca.cnf -extensions root -out ../rca.pem &&
	cp ../rca.pem rca.pem &&
	for n in crl-good crl-late crl-early; do issue $n crl || exit 1; done &&
	for n in ocsp-good ocsp-late ocsp-early; do issue $n ocsp || exit 1; done &&
	gencrl
} >../ca.log 2>&1 || { cat ../ca.log >&2; exit 2; }
cd "$T" || exit 2

seal() { # name cert options...
	out=$1 cert=$2; shift 2
	scelle seal -q --key "$PKI/officer.key" --cert "$cert" --chain rca.pem -o "$out" "$@" ev
}
verify() { scelle verify --trust rca.pem --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
# The revocation entries of the signature's SignedData.crls, as openssl sees them.
crls_in() { unzip -p "$1" META-INF/signature001.p7s | openssl asn1parse -inform DER -i; }

# ------------------------------------------------------------ no data ----
test_expect_success 'no revocation data for a certificate that names a CRL: INDETERMINATE' '
	seal nodata.asice crl-good.pem --tsa "$tsa_url" 2>err &&
	test_grep -Fx "scelle: warning: cannot fetch revocation data from '\''http://127.0.0.1:$CRLPORT/rca.crl'\'': cannot connect: sealed without revocation data for '\''crl-good'\'' (not B-LT); verifiers will need it (verify --crl or --online)" err &&
	expect_exit 3 verify nodata.asice > out &&
	test_grep "^nodata.asice: INDETERMINATE$" out &&
	test_grep -F "signature.revocation" out &&
	test_grep -F "no revocation data for '\''crl-good'\'', which names http://127.0.0.1:$CRLPORT/rca.crl" out &&
	test_grep "\[TRY_LATER\]$" out &&
	test_grep -Fx "                what to do: ask the sender for an archive sealed with revocation data, or add the CA'\''s CRL with --crl FILE, or fetch it with --online" out
'
test_expect_success '--no-revocation-check says so, and passes' '
	verify -v --no-revocation-check nodata.asice > out &&
	test_grep "^nodata.asice: TOTAL-PASSED$" out &&
	test_grep "warning *signature.revocation *revocation not checked, as the verifier was asked" out
'
test_expect_success 'a certificate that names no revocation service: seal warns, verify is INDETERMINATE' '
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --tsa "$tsa_url" -o demo.asice ev 2>err &&
	test_grep -Fx "scelle: warning: no revocation data embedded for '\''Capitaine Demo Martin'\'', which names no CRL distribution point or OCSP responder: verifiers will need its status to conclude; embed its issuer'\''s CRL (with --revocation-data FILE; or verify --crl)" err &&
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" demo.asice > out &&
	test_grep "^demo.asice: INDETERMINATE$" out &&
	test_grep -F "signature.revocation           no revocation data for '\''Capitaine Demo Martin'\'', which names no CRL distribution point or OCSP responder [TRY_LATER]" out &&
	test_grep -Fx "                what to do: ask the sender for an archive sealed with revocation data, or add the issuer'\''s CRL with --crl FILE" out &&
	scelle verify -v --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" demo.asice > out &&
	test_grep "^demo.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.Capitaine Demo Martin. is not revoked (CRL)" out
'
test_expect_success 'its issuer'\''s CRL embedded at seal time: no warning, TOTAL-PASSED offline' '
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --tsa "$tsa_url" \
		--revocation-data "$PKI/ca.crl" -o demo-lt.asice ev 2>err &&
	test ! -s err &&
	scelle verify -v --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" demo-lt.asice > out &&
	test_grep "^demo-lt.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.Capitaine Demo Martin. is not revoked (CRL)" out
'

test_expect_success 'revoked, naming no revocation service: INDETERMINATE without data, TOTAL-FAILED with it' '
	(cd "$PKI" && openssl req -new -key officer.key -subj "/O=Demo Police Nationale/CN=Revoked Officer" -out rev.csr &&
	 openssl ca -batch -config ext.cnf -name caopts -cert ca.pem -keyfile ca.key -in rev.csr -days 30 \
		-extfile ext.cnf -extensions signer -notext -out rev.pem &&
	 openssl ca -config ext.cnf -name caopts -cert ca.pem -keyfile ca.key -revoke rev.pem &&
	 openssl ca -config ext.cnf -name caopts -cert ca.pem -keyfile ca.key -gencrl -crldays 30 -out rev.crl) 2>>ca.log &&
	sleep 1 &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/rev.pem" --tsa "$tsa_url" --revocation-data none -o rev.asice ev &&
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" rev.asice > out &&
	test_grep "^rev.asice: INDETERMINATE$" out &&
	test_grep -F "no revocation data for '\''Revoked Officer'\'', which names no CRL distribution point or OCSP responder" out &&
	expect_exit 1 scelle verify --crl "$PKI/rev.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" rev.asice > out &&
	test_grep "^rev.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.revocation *.Revoked Officer. was revoked on .* (CRL), before the signing time .* \[REVOKED\]$" out
'

# ---------------------------------------------------------------- CRLs ----
test_expect_success 'a CRL given at verify time (--crl) settles it' '
	verify -v --crl rca.crl nodata.asice > out &&
	test_grep "^nodata.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.crl-good. is not revoked (CRL)" out
'
test_expect_success 'a CRL embedded at seal time (--revocation-data FILE) settles it offline' '
	seal emb-crl.asice crl-good.pem --tsa "$tsa_url" --revocation-data rca.crl &&
	verify -v emb-crl.asice > out && test_grep "^emb-crl.asice: TOTAL-PASSED$" out &&
	test_grep ".crl-good. is not revoked (CRL)" out &&
	unzip -p emb-crl.asice META-INF/signature001.p7s | openssl cms -cmsout -inform DER -print > cms.txt &&
	test_grep "crls:" cms.txt && test_grep -i "issuer: *O=Demo Revocation Authority, CN=Demo Revocation CA" cms.txt &&
	mkdir x && (cd x && unzip -q ../emb-crl.asice) &&
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile rca.pem -purpose any -out /dev/null
'
test_expect_success 'a CRL under the CA'\''s name but not signed by its key is ignored' '
	(cd rca && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out fake.key &&
	 openssl req -x509 -new -key fake.key -subj "/O=Demo Revocation Authority/CN=Demo Revocation CA" \
		-days 30 -config ca.cnf -extensions root -out fake.pem &&
	 openssl ca -batch -config ca.cnf -cert fake.pem -keyfile fake.key -gencrl -out ../fake.crl) 2>>ca.log &&
	expect_exit 3 verify --crl fake.crl nodata.asice > out &&
	test_grep "no revocation data for .crl-good.*\[TRY_LATER\]" out &&
	seal fake.asice crl-good.pem --tsa "$tsa_url" --revocation-data fake.crl &&
	expect_exit 3 verify fake.asice > out && test_grep "\[TRY_LATER\]" out
'
python3 -m http.server "$CRLPORT" --bind 127.0.0.1 --directory www >crlsrv.log 2>&1 &
echo $! > "$T/crlsrv.pid"
wait_port "$CRLPORT" || { echo "CRL server did not start" >&2; exit 2; }

test_expect_success 'seal embeds the CRL of the distribution point by default (B-LT), verified offline' '
	seal default-crl.asice crl-good.pem --tsa "$tsa_url" 2>err &&
	test ! -s err &&
	verify -v default-crl.asice > out && test_grep "^default-crl.asice: TOTAL-PASSED$" out &&
	test_grep ".crl-good. is not revoked (CRL)" out
'
test_expect_success '--revocation-data auto fetches the CRL from the distribution point' '
	seal auto-crl.asice crl-good.pem --tsa "$tsa_url" --revocation-data auto &&
	test_grep "\"GET /rca.crl HTTP/1.[01]\" 200" crlsrv.log &&
	verify -v auto-crl.asice > out && test_grep "^auto-crl.asice: TOTAL-PASSED$" out &&
	test_grep ".crl-good. is not revoked (CRL)" out
'
test_expect_success 'revoked after the time-stamp: passed, the revocation noted' '
	seal late.asice crl-late.pem --tsa "$tsa_url" &&
	seal late-nots.asice crl-late.pem &&
	sleep 1 && (cd rca && ca -revoke ../crl-late.pem -crl_reason keyCompromise && gencrl) &&
	verify -v --crl rca.crl late.asice > out &&
	test_grep "^late.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.crl-late. was revoked on 20[0-9-]*T[0-9:]*Z (CRL), after the time-stamp of 20[0-9-]*T[0-9:]*Z that proves the signature existed before" out
'
test_expect_success 'revoked, and no time-stamp proves the signature came first: INDETERMINATE' '
	expect_exit 3 verify --no-timestamp-ok --crl rca.crl late-nots.asice > out &&
	test_grep "signature.revocation *.crl-late. was revoked on .* and no time-stamp proves the signature existed before \[REVOKED_NO_POE\]" out
'
test_expect_success 'revoked before the signing time: TOTAL-FAILED, REVOKED' '
	(cd rca && ca -revoke ../crl-early.pem && gencrl) && sleep 1 &&
	seal early.asice crl-early.pem --tsa "$tsa_url" --revocation-data none &&
	expect_exit 1 verify --crl rca.crl early.asice > out &&
	test_grep "^early.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.revocation *.crl-early. was revoked on .* (CRL), before the signing time .* that the time-stamp confirms \[REVOKED\]" out &&
	expect_exit 1 verify --online early.asice > out2 && test_grep "\[REVOKED\]" out2
'
test_expect_success 'seal refuses a certificate that its revocation data says is revoked' '
	test_must_fail --exit=2 seal bad.asice crl-early.pem --revocation-data rca.crl 2>err &&
	test_grep "^scelle: certificate .crl-early. was revoked on 20[0-9-]*T[0-9:]*Z (CRL)$" err &&
	test_must_fail --exit=2 seal bad.asice crl-early.pem --revocation-data auto 2>err &&
	test_grep "was revoked on" err && test ! -e bad.asice
'
kill "$(cat "$T/crlsrv.pid")" 2>/dev/null

test_expect_success 'unusable revocation data is a clear error' '
	test_must_fail --exit=2 seal bad.asice crl-good.pem --revocation-data ev/booking.txt 2>err &&
	test_grep -Fx "scelle: '\''ev/booking.txt'\'' is neither a CRL nor an OCSP response" err &&
	test_must_fail --exit=2 seal bad.asice crl-good.pem --revocation-data auto 2>err &&
	test_grep -F "scelle: cannot fetch revocation data from '\''http://127.0.0.1:$CRLPORT/rca.crl'\''" err &&
	test ! -e bad.asice
'

# ---------------------------------------------------------------- OCSP ----
(cd rca && ca -revoke ../ocsp-early.pem) || exit 2
sleep 1
# A loopback responder that answers with stock `openssl ocsp -index` (tests/data/ocsp_http.py).
start_ocsp() {
	start_server ocsp python3 "$TOP/tests/data/ocsp_http.py" "$T/ocsp.port" "$T/rca" "$OCSPPORT"
}
start_ocsp || exit 2

test_expect_success '--revocation-data auto asks the OCSP responder and embeds its answer (RFC 5940)' '
	seal ocsp.asice ocsp-good.pem --tsa "$tsa_url" --revocation-data auto &&
	verify -v ocsp.asice > out && test_grep "^ocsp.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-good. is not revoked (OCSP)" out &&
	crls_in ocsp.asice > asn1 &&
	test_grep -F ":1.3.6.1.5.5.7.16.2" asn1 &&
	test_grep "^ *23:d=3 .*INTEGER *:05$" asn1 &&
	rm -rf x && mkdir x && (cd x && unzip -q ../ocsp.asice) &&
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile rca.pem -purpose any -out /dev/null
'
test_expect_success 'OCSP: revoked after the time-stamp (--online): passed, noted' '
	seal ocsp-late.asice ocsp-late.pem --tsa "$tsa_url" --revocation-data none &&
	sleep 1 && (cd rca && ca -revoke ../ocsp-late.pem) &&
	verify -v --online ocsp-late.asice > out &&
	test_grep "^ocsp-late.asice: TOTAL-PASSED$" out &&
	test_grep ".ocsp-late. was revoked on .* (OCSP), after the time-stamp of" out
'
test_expect_success 'OCSP: revoked before the signing time (--online): TOTAL-FAILED' '
	seal ocsp-early.asice ocsp-early.pem --tsa "$tsa_url" --revocation-data none &&
	expect_exit 1 verify --online ocsp-early.asice > out &&
	test_grep "FAILED *signature.revocation *.ocsp-early. was revoked on .* (OCSP), before the signing time" out &&
	test_must_fail --exit=2 seal bad.asice ocsp-early.pem --revocation-data auto 2>err &&
	test_grep "^scelle: certificate .ocsp-early. was revoked on .* (OCSP)$" err
'
test_expect_success 'an embedded OCSP answer is still judged offline after the responder is gone' '
	kill "$(cat "$T/ocsp.pid")" && sleep 0.2 &&
	verify ocsp.asice > out && test_grep "^ocsp.asice: TOTAL-PASSED$" out &&
	expect_exit 3 verify --online ocsp-late.asice > out &&
	test_grep "no revocation status for .ocsp-late.: cannot fetch revocation data from .http://127.0.0.1:$OCSPPORT/." out
'

# ------------------------------------------- judged at the proved time ----
test_expect_success 'an OCSP answer whose CertID uses SHA-256 is matched with SHA-256' '
	openssl ocsp -issuer rca.pem -sha256 -cert ocsp-good.pem -no_nonce -reqout req256.der &&
	(cd rca && openssl ocsp -index index.txt -rsigner rca.pem -rkey rca.key -CA rca.pem \
		-reqin ../req256.der -respout ../resp256.der) >>ca.log 2>&1 &&
	openssl ocsp -respin resp256.der -resp_text -noverify > resp.txt &&
	test_grep "Hash Algorithm: sha256" resp.txt &&
	seal sha256.asice ocsp-good.pem --tsa "$tsa_url" --revocation-data resp256.der &&
	verify -v sha256.asice > out && test_grep "^sha256.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-good. is not revoked (OCSP)" out
'
test_expect_success 'an old "good" OCSP answer says nothing of a signature made a day later' '
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	openssl ocsp -issuer rca.pem -cert ocsp-good.pem -no_nonce -reqout req1.der &&
	(cd rca && openssl ocsp -index index.txt -rsigner rca.pem -rkey rca.key -CA rca.pem \
		-reqin ../req1.der -respout ../resp1.der) >>ca.log 2>&1 &&
	env CLOCKSHIFT_SECONDS=86400 LD_PRELOAD=./shift.so scelle seal -q --key "$PKI/officer.key" \
		--cert ocsp-good.pem --chain rca.pem --revocation-data resp1.der -o later.asice ev 2>err &&
	test_grep -Fx "scelle: warning: no revocation data embedded for '\''ocsp-good'\'': verifiers will need its status to conclude; embed its issuer'\''s CRL (with --revocation-data FILE; or verify --crl)" err &&
	expect_exit 3 env CLOCKSHIFT_SECONDS=86400 LD_PRELOAD=./shift.so \
		scelle verify --no-timestamp-ok --trust rca.pem later.asice > out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .ocsp-good., which names http://127.0.0.1:$OCSPPORT/ \[TRY_LATER\]$" out
'
test_expect_success 'a BER SignedData keeps its OCSP answers' '
	rm -rf x && mkdir x && (cd x && unzip -q ../ocsp.asice) &&
	python3 "$TOP/tests/data/cmsedit.py" x/META-INF/signature001.p7s ber.p7s ber &&
	test "$(head -c 2 ber.p7s | od -An -tx1 | tr -d " ")" = 3080 &&
	openssl cms -verify -binary -inform DER -in ber.p7s -content x/META-INF/ASiCManifest001.xml \
		-CAfile rca.pem -purpose any -out /dev/null &&
	python3 "$TOP/tests/data/zipedit.py" ocsp.asice ber.asice replace META-INF/signature001.p7s ber.p7s &&
	verify -v ber.asice > out && test_grep "^ber.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-good. is not revoked (OCSP)" out
'
test_expect_success 'a signature without its signer'\''s certificate: INDETERMINATE, NO_SIGNING_CERTIFICATE_FOUND' '
	python3 "$TOP/tests/data/cmsedit.py" x/META-INF/signature001.p7s nocert.p7s nocerts &&
	python3 "$TOP/tests/data/zipedit.py" ocsp.asice nocert.asice replace META-INF/signature001.p7s nocert.p7s &&
	expect_exit 3 verify nocert.asice > out && test_grep "^nocert.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.crypto *the signer.s certificate is not in the signature: ask the sender for an archive whose signature carries it \[NO_SIGNING_CERTIFICATE_FOUND\]$" out
'
# A delegated responder (RFC 6960 §4.2.2.2) whose certificate expires in a day, as real
# responders' certificates do within months.
(cd rca && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out resp.key &&
 openssl req -new -key resp.key -subj "/O=Demo Revocation Authority/CN=Demo OCSP Responder" -out resp.csr &&
 ca -notext -days 1 -extensions responder -in resp.csr -out resp.pem && issue ocsp-deleg ocsp) >>ca.log 2>&1 || exit 2
start_server ocsp2 python3 "$TOP/tests/data/ocsp_http.py" "$T/ocsp2.port" "$T/rca" "$OCSPPORT" resp || exit 2

test_expect_success 'a delegated responder'\''s answer is embedded by default and judged offline' '
	seal deleg.asice ocsp-deleg.pem --tsa "$tsa_url" 2>err && test ! -s err &&
	crls_in deleg.asice > asn1 && test_grep -F ":1.3.6.1.5.5.7.16.2" asn1 &&
	kill "$(cat "$T/ocsp2.pid")" &&
	verify -v deleg.asice > out && test_grep "^deleg.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-deleg. is not revoked (OCSP)" out
'
test_expect_success 'B-LT outlives its OCSP responder: still TOTAL-PASSED with the clock past its expiry' '
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	test_must_fail env CLOCKSHIFT_SECONDS=259200 LD_PRELOAD=./shift.so \
		openssl verify -CAfile rca.pem rca/resp.pem > v.out 2>&1 &&
	test_grep "certificate has expired" v.out &&
	CLOCKSHIFT_SECONDS=259200 LD_PRELOAD=./shift.so verify -v deleg.asice > out &&
	test_grep "^deleg.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-deleg. is not revoked (OCSP)" out
'

# RFC 6960 §4.2.2.2: only the issuer or its delegated responder may answer for a
# certificate (mutants of revocation.c ocsp_authorised: `OCSP_basic_verify(...) <= 0`,
# the delegate's `return 0`).  A "good" answer from anyone else, or one whose signature
# does not verify, is no answer: INDETERMINATE, not TOTAL-PASSED.
test_expect_success 'a "good" OCSP answer signed by a certificate the CA never made a responder is ignored' '
	openssl ocsp -issuer rca.pem -cert ocsp-good.pem -no_nonce -reqout reqf.der &&
	(cd rca && openssl ocsp -index index.txt -rsigner ../crl-good.pem -rkey "$PKI/officer.key" \
		-CA rca.pem -reqin ../reqf.der -respout ../notdeleg.der) >>ca.log 2>&1 &&
	seal notdeleg.asice ocsp-good.pem --tsa "$tsa_url" --revocation-data notdeleg.der 2>err &&
	crls_in notdeleg.asice > asn1 && test_grep -F ":1.3.6.1.5.5.7.16.2" asn1 &&
	expect_exit 3 verify -v notdeleg.asice > out && test_grep "^notdeleg.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .ocsp-good." out
'
test_expect_success 'a "good" OCSP answer of the CA whose signature does not verify is ignored' '
	(cd rca && openssl ocsp -index index.txt -rsigner rca.pem -rkey rca.key -CA rca.pem \
		-resp_no_certs -reqin ../reqf.der -respout ../badsig.der) >>ca.log 2>&1 &&
	python3 -c "import sys; b = bytearray(open(sys.argv[1], \"rb\").read()); b[-1] ^= 1; open(sys.argv[1], \"wb\").write(b)" badsig.der &&
	seal badsig.asice ocsp-good.pem --tsa "$tsa_url" --revocation-data badsig.der 2>err &&
	crls_in badsig.asice > asn1 && test_grep -F ":1.3.6.1.5.5.7.16.2" asn1 &&
	expect_exit 3 verify -v badsig.asice > out && test_grep "^badsig.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .ocsp-good." out
'

# revocation.c revocation_urls: the first http URL of the certificate, whichever kind comes
# before it, and none of another scheme (mutants: `break` removed in the OCSP loop, `dpn &&
# dpn->type == 0 && j < ...` with `|| ` would run past the names of an ldap-only point).
cat >> rca/ca.cnf <<CNF
[ocsp2]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSPPORT/first,OCSP;URI:http://127.0.0.1:$OCSPPORT/second
[ldap]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
crlDistributionPoints = URI:ldap://127.0.0.1/cn=rca
CNF
(cd rca && issue two-ocsp ocsp2 && issue ldap-crl ldap) >>ca.log 2>&1 || exit 2
test_expect_success 'of two OCSP responders the certificate names, the first is the one named' '
	seal two.asice two-ocsp.pem --tsa "$tsa_url" --revocation-data none &&
	expect_exit 3 verify two.asice > out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .two-ocsp., which names http://127.0.0.1:$OCSPPORT/first \[TRY_LATER\]$" out
'
test_expect_success 'a CRL distribution point that is not http is no location' '
	seal ldap.asice ldap-crl.pem --tsa "$tsa_url" --revocation-data none &&
	expect_exit 3 verify ldap.asice > out &&
	test_grep "INDETERMINATE *signature.revocation *no revocation data for .ldap-crl., which names no CRL distribution point or OCSP responder \[TRY_LATER\]$" out
'

test_done
