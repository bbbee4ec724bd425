#!/bin/sh
# t70-keys.sh — signing keys as officers hold them: PKCS#12 files with and without a pass
# phrase, smart cards and HSMs through PKCS#11 (a SoftHSM2 token made here), RSA (PSS and
# PKCS#1 v1.5) and ECDSA P-256/P-384; pass phrases and PINs never shown; the signer checks.
. "$(dirname "$0")/lib.sh"
# Under check-asan: libp11 leaks at exit after a failed key load (tests/lsan.supp); the
# suppression needs whole stacks, which the fast unwinder cannot walk through libcrypto.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
make_pki
mkdir ev && echo "capture of ad 4711" > ev/ad.html

seal() { scelle seal -q "$@" ev; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
# The signature's algorithm as openssl prints it, and an independent check with openssl cms.
sigalg() { unzip -p "$1" META-INF/signature001.p7s | openssl cms -cmsout -inform DER -print |
	sed -n '/signatureAlgorithm:/{n;p;}' | sed 's/^ *algorithm: //'; }
cms_ok() {
	rm -rf x && mkdir x && (cd x && unzip -q "../$1") &&
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile "$PKI/ca.pem" -purpose any -out /dev/null
}

# ---------------------------------------------------------------- PKCS#12 ----
openssl pkcs12 -export -inkey "$PKI/officer.key" -in "$PKI/officer.pem" -certfile "$PKI/ca.pem" \
	-passout pass: -name officer -out nopass.p12 2>/dev/null &&
openssl pkcs12 -export -inkey "$PKI/officer.key" -in "$PKI/officer.pem" \
	-passout pass:S3cretPhrase-4711 -name officer -out secret.p12 2>/dev/null || exit 2

test_expect_success 'a PKCS#12 file without a pass phrase needs no --pass and no TTY' '
	seal -o p12-nopass.asice --key nopass.p12 </dev/null &&
	verify p12-nopass.asice > out && test_grep "TOTAL-PASSED" out
'
test_expect_success 'a PKCS#12 file with a pass phrase, given by env:, file: and fd:' '
	PW=secret seal -o p12-env.asice --key "$PKI/officer.p12" --pass env:PW &&
	printf "secret\n" > pw.txt && seal -o p12-file.asice --key "$PKI/officer.p12" --pass file:pw.txt &&
	seal -o p12-fd.asice --key "$PKI/officer.p12" --pass fd:3 3<pw.txt &&
	verify -q p12-env.asice p12-file.asice p12-fd.asice
'
test_expect_success 'a wrong PKCS#12 pass phrase is named as such, and not echoed' '
	test_must_fail --exit=2 seal -o bad.asice --key "$PKI/officer.p12" --pass pass:Wr0ngPhrase 2>err &&
	test_grep -Fx "scelle: wrong pass phrase for '\''$PKI/officer.p12'\''" err &&
	! grep -F Wr0ngPhrase err && test ! -e bad.asice
'
test_expect_success 'an encrypted key without --pass and without a TTY fails at once' '
	test_must_fail --exit=2 seal -o bad.asice --key "$PKI/officer-enc.key" --cert "$PKI/officer.pem" \
		</dev/null 2>err &&
	test_grep -F "scelle: '\''$PKI/officer-enc.key'\'' needs a pass phrase (use --pass)" err
'

# ------------------------------------------------------ pass phrase hygiene ----
# --cert from a FIFO holds seal after the options were read (the certificate is loaded
# after them) until this shell writes it: /proc/PID/cmdline is read in between.
mkfifo cert.fifo || exit 2
cmdline_of_waiting_seal() { # out passarg...
	out=$1; shift
	scelle seal -q -o "$out" --key secret.p12 --cert cert.fifo "$@" ev &
	pid=$!
	exec 4>cert.fifo	# returns once seal opened the FIFO: its options are read
	tr "\0" " " < /proc/$pid/cmdline > cmdline
	cat "$PKI/officer.pem" >&4
	exec 4>&-
	wait $pid
}

test_expect_success 'a pass: pass phrase is wiped from /proc/PID/cmdline once read' '
	cmdline_of_waiting_seal slow1.asice --pass pass:S3cretPhrase-4711 &&
	test_grep -e "--cert cert.fifo --pass  *ev" cmdline && ! grep -F S3cretPhrase cmdline &&
	verify -q slow1.asice &&
	cmdline_of_waiting_seal slow2.asice --pass=pass:S3cretPhrase-4711 &&
	test_grep -e "--cert cert.fifo --pass= *ev" cmdline && ! grep -F S3cretPhrase cmdline
'
test_expect_success 'nothing the tool writes contains the pass phrase' '
	seal -o secret.asice --key secret.p12 --pass pass:S3cretPhrase-4711 > seal.out 2>&1 &&
	verify -v secret.asice > v.txt && verify --json secret.asice > v.json &&
	scelle show secret.asice > show.txt && scelle show --json secret.asice > show.json &&
	rm -rf y && mkdir y && (cd y && unzip -q ../secret.asice) &&
	! grep -r -F S3cretPhrase seal.out v.txt v.json show.txt show.json y secret.asice
'

# -------------------------------------------------------- signer checks ----
cat > ku.cnf <<'CNF'
[noku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
[soon]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
CNF
openssl req -new -key "$PKI/officer.key" -subj "/CN=Soon Expired" 2>/dev/null |
	openssl x509 -req -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 10 -extfile ku.cnf \
	-extensions soon -out soon.pem 2>/dev/null &&
openssl req -new -key "$PKI/officer.key" -subj "/CN=Encryption Only" 2>/dev/null |
	openssl x509 -req -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 100 -extfile ku.cnf \
	-extensions noku -out noku.pem 2>/dev/null || exit 2

test_expect_success 'a certificate that expires within 30 days seals with a warning' '
	seal -o soon.asice --key "$PKI/officer.key" --cert soon.pem 2>err &&
	test_grep -E "^scelle: warning: certificate .soon.pem. expires in (9|10) days \(20[0-9-]+T[0-9:]+Z\)$" err &&
	seal -o fine.asice --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" 2>err && ! grep -v "^scelle: warning: sealed without a time-stamp (no time-stamp authority given)" err
'
test_expect_success 'a certificate without digitalSignature or nonRepudiation is refused' '
	test_must_fail --exit=2 seal -o noku.asice --key "$PKI/officer.key" --cert noku.pem 2>err &&
	test_grep -Fx "scelle: certificate '\''noku.pem'\'' cannot seal evidence: it is not a signing certificate: its key usage allows neither digitalSignature nor nonRepudiation" err
'
test_expect_success 'a key that is not the certificate'\''s is refused' '
	test_must_fail --exit=2 seal -o mism.asice --key "$PKI/es-officer.key" --cert "$PKI/officer.pem" 2>err &&
	test_grep -Fx "scelle: the key does not match certificate '\''$PKI/officer.pem'\''" err
'
test_expect_success 'RSA software keys sign with PSS by default, PKCS#1 v1.5 on request' '
	seal -o rsa-pss.asice --key "$PKI/rsa-officer.key" --cert "$PKI/rsa-officer.pem" &&
	seal -o rsa-v15.asice --key "$PKI/rsa-officer.key" --cert "$PKI/rsa-officer.pem" --rsa-padding pkcs1 &&
	test "$(sigalg rsa-pss.asice)" = "rsassaPss (1.2.840.113549.1.1.10)" &&
	test "$(sigalg rsa-v15.asice)" = "rsaEncryption (1.2.840.113549.1.1.1)" &&
	verify -q rsa-pss.asice rsa-v15.asice && cms_ok rsa-pss.asice && cms_ok rsa-v15.asice &&
	test_must_fail --exit=2 seal -o x.asice --key "$PKI/rsa-officer.key" --cert "$PKI/rsa-officer.pem" \
		--rsa-padding oaep 2>err &&
	test_grep -Fx "scelle: unknown RSA padding '\''oaep'\'' (use pss or pkcs1)" err
'

# ------------------------------------------------------ PKCS#11: SoftHSM2 ----
MOD=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && MOD=$m && break
done
[ -n "$MOD" ] || { echo "softhsm2 is not installed (tests/deps.sh)" >&2; exit 2; }
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" > softhsm2.conf
export SOFTHSM2_CONF="$T/softhsm2.conf"
p11() { pkcs11-tool --module "$MOD" --token-label "Officer Card" "$@"; }
{
	softhsm2-util --init-token --free --label "Officer Card" --pin 4711 --so-pin 87654321 &&
	# P-256: the officer's existing key, imported (as a card personalised by the PKI).
	openssl pkcs8 -topk8 -nocrypt -in "$PKI/officer.key" -out officer.p8 &&
	softhsm2-util --import officer.p8 --token "Officer Card" --label ec256 --id 01 --pin 4711 &&
	openssl x509 -in "$PKI/officer.pem" -outform DER -out officer.der &&
	p11 --login --pin 4711 --write-object officer.der --type cert --id 01 --label ec256 &&
	# RSA-2048 and P-384: generated on the token; only their public keys ever leave it.
	p11 --login --pin 4711 --keypairgen --key-type rsa:2048 --id 02 --label rsa &&
	p11 --read-object --type pubkey --id 02 -o rsa.pub.der &&
	openssl pkey -pubin -inform DER -in rsa.pub.der -out rsa.pub.pem &&
	openssl x509 -new -subj "/C=FR/O=Demo Police Nationale/CN=Card RSA" -force_pubkey rsa.pub.pem \
		-CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -extfile "$PKI/ext.cnf" -extensions signer \
		-days 365 -out card-rsa.pem &&
	p11 --login --pin 4711 --keypairgen --key-type EC:secp384r1 --id 03 --label ec384 &&
	PKCS11_MODULE_PATH="$MOD" openssl req -new -engine pkcs11 -keyform engine \
		-key "pkcs11:token=Officer%20Card;object=ec384;type=private" -passin pass:4711 \
		-subj "/C=FR/O=Demo Police Nationale/CN=Card P-384" -out ec384.csr &&
	openssl x509 -req -in ec384.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -extfile "$PKI/ext.cnf" \
		-extensions signer -days 365 -out card-ec384.pem
} >token.log 2>&1 || { cat token.log >&2; exit 2; }
URI="pkcs11:token=Officer%20Card;object"

hsm() { seal --pkcs11-module "$MOD" "$@"; }

test_expect_success 'P-256 key on the token, certificate taken from the token' '
	hsm -o card-ec256.asice --key "$URI=ec256;type=private" --pass pass:4711 &&
	verify card-ec256.asice > out && test_grep "TOTAL-PASSED" out &&
	test "$(sigalg card-ec256.asice)" = "ecdsa-with-SHA256 (1.2.840.10045.4.3.2)" &&
	cms_ok card-ec256.asice &&
	scelle show card-ec256.asice > show && test_grep "Capitaine Demo Martin" show
'
test_expect_success 'RSA key generated on the token: PSS by default, PKCS#1 v1.5 on request' '
	PIN=4711 hsm -o card-pss.asice --key "$URI=rsa" --cert card-rsa.pem --pass env:PIN &&
	PIN=4711 hsm -o card-v15.asice --key "$URI=rsa" --cert card-rsa.pem --pass env:PIN --rsa-padding pkcs1 &&
	test "$(sigalg card-pss.asice)" = "rsassaPss (1.2.840.113549.1.1.10)" &&
	test "$(sigalg card-v15.asice)" = "rsaEncryption (1.2.840.113549.1.1.1)" &&
	verify -q card-pss.asice card-v15.asice && cms_ok card-pss.asice && cms_ok card-v15.asice
'
test_expect_success 'P-384 key generated on the token' '
	printf "4711\n" > pin.txt &&
	hsm -o card-ec384.asice --key "$URI=ec384" --cert card-ec384.pem --pass file:pin.txt &&
	verify -q card-ec384.asice && cms_ok card-ec384.asice
'
test_expect_success 'the generated private keys cannot leave the token' '
	p11 --login --pin 4711 --list-objects --type privkey > objs &&
	test "$(grep -c "Access: *sensitive, always sensitive, never extractable, local" objs)" -eq 2
'
test_expect_success 'a wrong PIN is named as such, asked once, and not echoed' '
	test_must_fail --exit=2 hsm -o bad.asice --key "$URI=ec256" --pass pass:9999 2>err &&
	test_grep -Fx "scelle: wrong PIN for '\''$URI=ec256'\'' (PIN incorrect)" err &&
	! grep -F 9999 err && test ! -e bad.asice &&
	hsm -o after.asice --key "$URI=ec256" --pass pass:4711
'
test_expect_success 'a token key without a PIN and without a TTY fails at once' '
	test_must_fail --exit=2 hsm -o bad.asice --key "$URI=ec256" </dev/null 2>err &&
	test_grep -Fx "scelle: '\''$URI=ec256'\'' needs a PIN (use --pass)" err
'
test_expect_success 'an unknown object, a missing module' '
	test_must_fail --exit=2 hsm -o bad.asice --key "$URI=nothing" --pass pass:4711 2>err &&
	test_grep -F "scelle: no private key '\''$URI=nothing'\'' on the token" err &&
	test_must_fail --exit=2 seal --pkcs11-module "$T/none.so" -o bad.asice --key "$URI=ec256" \
		--pass pass:4711 2>err &&
	test_grep -Fx "scelle: cannot load PKCS#11 module '\''$T/none.so'\'': No such file or directory" err
'
test_expect_success 'a certificate on the token that is not the key'\''s is refused' '
	test_must_fail --exit=2 hsm -o bad.asice --key "$URI=rsa" --cert card-ec384.pem --pass pass:4711 2>err &&
	test_grep -Fx "scelle: the key does not match certificate '\''card-ec384.pem'\''" err
'

test_expect_success 'custody add signs with a token key too (default module: p11-kit proxy)' '
	scelle custody add card-ec256.asice --event examined --key "$URI=ec256" --pass pass:4711 -q &&
	scelle custody show --trust "$PKI/ca.pem" --no-timestamp-ok card-ec256.asice > out &&
	test_grep -i "examined" out
'
test_expect_success 'custody add wipes a pass: pass phrase from /proc/PID/cmdline too' '
	{ scelle custody add secret.asice --event transferred --key secret.p12 --cert cert.fifo \
		--pass pass:S3cretPhrase-4711 -q & } &&
	pid=$! && exec 4>cert.fifo && tr "\0" " " < /proc/$pid/cmdline > cmdline &&
	cat "$PKI/officer.pem" >&4 && exec 4>&- && wait $pid &&
	test_grep -e "--cert cert.fifo --pass  *-q" cmdline && ! grep -F S3cretPhrase cmdline &&
	! grep -F S3cretPhrase secret.asice.custody.xml
'

test_done
