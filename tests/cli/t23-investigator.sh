#!/bin/sh
# t23-investigator.sh — what an investigator meets at the end of a working day (issue 19):
# `seal --force` keeps the custody ledger it would replace; a seal without a time-stamp says
# so; a dead TSA fails at once and the next one is asked; https TSAs with basic
# authentication; `--on-collision rename` for IMG_0001.JPG beside img_0001.jpg, and the code
# points of names that look alike.
. "$(dirname "$0")/lib.sh"
make_pki
mkdir ev && printf 'capture one\n' >ev/a.txt && printf 'capture two\n' >ev/b.txt
start_tsa || exit 2
seal() {
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"
}
fr() { scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }

# --- seal --force and the custody ledger -------------------------------------------------

test_expect_success 'seal --force keeps the old ledger under its seal identifier, byte for byte' '
	seal --tsa "$tsa_url" -o case.asice ev/a.txt &&
	old=$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	fr case.asice --event transferred --to "Policia Nacional" >/dev/null &&
	fr case.asice --event examined --note "second hand-over" >/dev/null &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 3 &&
	cp case.asice.custody.xml before.xml &&
	seal --tsa "$tsa_url" --force -o case.asice ev/b.txt 2>err &&
	echo "scelle: warning: the custody ledger of the replaced archive was moved to" \
		"'"'"'case.asice.custody.$old.xml'"'"'" >want &&
	diff -u want err &&
	cmp before.xml "case.asice.custody.$old.xml" &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 1 &&
	new=$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	test_grep "sealId=\"$new\"" case.asice.custody.xml
'

test_expect_success 'seal --force refuses when the aside name exists: nothing replaced' '
	seal --tsa "$tsa_url" -o two.asice ev/a.txt &&
	id=$(unzip -p two.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	echo "an earlier copy" >"two.asice.custody.$id.xml" &&
	cp two.asice two.before && cp two.asice.custody.xml two.ledger.before &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" --force -o two.asice ev/b.txt 2>err &&
	echo "scelle: cannot keep the custody ledger '"'"'two.asice.custody.xml'"'"':" \
		"'"'"'two.asice.custody.$id.xml'"'"' already exists (move one of them away)" >want &&
	diff -u want err &&
	cmp two.before two.asice && cmp two.ledger.before two.asice.custody.xml &&
	test "$(cat "two.asice.custody.$id.xml")" = "an earlier copy"
'

test_expect_success 'seal without --force names the ledger it will not replace' '
	rm -f two.asice &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" -o two.asice ev/b.txt 2>err &&
	test_grep "^scelle: .two.asice.custody.xml. already exists (use --force to replace it)$" err &&
	! test -e two.asice
'

test_expect_success 'seal --force refuses a ledger that names no seal identifier: nothing replaced' '
	echo "<notes/>" >two.asice.custody.xml &&
	seal --tsa "$tsa_url" -o three.asice ev/a.txt && rm three.asice.custody.xml &&
	cp three.asice two.asice &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" --force -o two.asice ev/b.txt 2>err &&
	test_grep "^scelle: cannot keep the custody ledger: .two.asice.custody.xml. names no seal identifier in its first record$" err &&
	cmp three.asice two.asice && test "$(cat two.asice.custody.xml)" = "<notes/>"
'

test_expect_success 'stamp --force keeps the ledger of the copy it replaces, too' '
	seal -o off.asice ev/a.txt 2>/dev/null &&
	id=$(unzip -p off.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	scelle stamp -q --tsa "$tsa_url" -o st.asice off.asice &&
	fr st.asice --event transferred --to "Policia Nacional" >/dev/null &&
	cp st.asice.custody.xml st.before &&
	scelle stamp -q --force --tsa "$tsa_url" -o st.asice off.asice 2>err &&
	echo "scelle: warning: the custody ledger of the replaced archive was moved to" \
		"'"'"'st.asice.custody.$id.xml'"'"'" >want &&
	diff -u want err &&
	cmp st.before "st.asice.custody.$id.xml" &&
	cmp off.asice.custody.xml st.asice.custody.xml &&
	test_must_fail --exit=2 scelle stamp -q --force --tsa "$tsa_url" -o st.asice off.asice 2>err &&
	test_grep -x "scelle: cannot keep the custody ledger .st.asice.custody.xml.: .st.asice.custody.$id.xml. already exists (move one of them away)" err
'

# --- time-stamping ------------------------------------------------------------------------

verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --crl "$PKI/ca.crl" "$@"; }

test_expect_success 'a seal without --tsa says, in one line, what the receiver will get and what to do' '
	seal -o plain.asice ev/a.txt 2>err &&
	echo "scelle: warning: sealed without a time-stamp (no time-stamp authority given): the receiver will get INDETERMINATE until one is added (give --tsa URL, or add one later with scelle stamp)" >want &&
	diff -u want err &&
	expect_exit 3 verify plain.asice >/dev/null
'

# A port that was just free: nothing listens there, the connection is refused.
closed=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
dead_url="http://127.0.0.1:$closed/tsa"

test_expect_success 'a TSA on a closed port fails at once, not after the timeout' '
	start=$(date +%s) &&
	test_must_fail --exit=2 seal --tsa "$dead_url" --tsa-timeout 20 -o dead.asice ev/a.txt 2>err &&
	test $(( $(date +%s) - start )) -lt 5 &&
	echo "scelle: cannot connect to time-stamp authority '"'"'$dead_url'"'"': Connection refused" >want &&
	diff -u want err &&
	! test -e dead.asice && ! test -e dead.asice.custody.xml
'

test_expect_success 'a dead TSA, then a live one: a warning, and the token of the second' '
	seal --tsa "$dead_url" --tsa "$tsa_url" -o next.asice ev/a.txt 2>err &&
	echo "scelle: warning: cannot connect to time-stamp authority '"'"'$dead_url'"'"': Connection refused" >want &&
	diff -u want err &&
	verify next.asice >out &&
	test_grep "^next.asice: TOTAL-PASSED$" out
'

test_expect_success 'two dead TSAs: the first is a warning, the seal fails with the second' '
	test_must_fail --exit=2 seal --tsa "$dead_url" --tsa "${dead_url}2" -o dead.asice ev/a.txt 2>err &&
	test_grep -x "scelle: warning: cannot connect to time-stamp authority .$dead_url.: Connection refused" err &&
	test_grep -x "scelle: cannot connect to time-stamp authority .${dead_url}2.: Connection refused" err &&
	test "$(wc -l <err)" = 2
'

# A TLS PKI for the https front (tests/data/tsa_https.py): its own CA, a server certificate
# for localhost and 127.0.0.1, a client certificate.
tls_cert() { # name subject ext
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-subj "/CN=$2" -out "$1.csr" 2>/dev/null &&
	printf "%s\n" "$3" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA tlsca.pem -CAkey tlsca.key -CAcreateserial -days 30 \
		-extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tlsca.key \
	-subj "/CN=Test TLS CA" -days 30 -out tlsca.pem 2>/dev/null &&
tls_cert server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth" &&
tls_cert client "Demo unit client" "extendedKeyUsage=clientAuth" &&
tls_cert elsewhere tsa.example "subjectAltName=DNS:tsa.example" || exit 2
FRONT="python3 $TOP/tests/data/tsa_https.py"
start_server https $FRONT "$T/https.port" server.pem server.key "$tsa_url" || exit 2
https_url=$(echo "$https_url" | sed "s|^http://127.0.0.1|https://localhost|")
start_server auth $FRONT "$T/auth.port" server.pem server.key "$tsa_url" demo:s3cret || exit 2
auth_url=$(echo "$auth_url" | sed "s|^http://|https://|")
start_server mtls $FRONT "$T/mtls.port" server.pem server.key "$tsa_url" "" tlsca.pem || exit 2
mtls_url=$(echo "$mtls_url" | sed "s|^http://|https://|")
start_server wrong $FRONT "$T/wrong.port" elsewhere.pem elsewhere.key "$tsa_url" || exit 2
wrong_url=$(echo "$wrong_url" | sed "s|^http://127.0.0.1|https://localhost|")

# The https front is reached by name, as a real TSA is: "localhost" must resolve (/etc/hosts,
# which Debian's netbase writes: tests/deps.sh installs it).
test_skip_unless "localhost does not resolve here (no /etc/hosts: netbase, tests/deps.sh)" getent hosts localhost
test_expect_success 'an https TSA with --tsa-ca: a token, TOTAL-PASSED' '
	seal --tsa "$https_url" --tsa-ca tlsca.pem -o https.asice ev/a.txt 2>err &&
	! test -s err &&
	verify https.asice >out &&
	test_grep "^https.asice: TOTAL-PASSED$" out
'

test_expect_success 'an https TSA whose certificate the system store does not know is refused' '
	test_must_fail --exit=2 seal --tsa "$https_url" -o bad.asice ev/a.txt 2>err &&
	test_grep "^scelle: cannot reach time-stamp authority .$https_url.: certificate verify failed" err &&
	! test -e bad.asice
'

test_expect_success 'an https TSA reached under another name than its certificate holds is refused' '
	test_must_fail --exit=2 seal --tsa "$wrong_url" --tsa-ca tlsca.pem -o bad.asice ev/a.txt 2>err &&
	test_grep "^scelle: cannot reach time-stamp authority .$wrong_url.: certificate verify failed" err
'

test_skip_end

test_expect_success '--tsa-auth env:VAR: HTTP basic authentication, and nothing without it' '
	TSA_AUTH=demo:s3cret seal --tsa "$auth_url" --tsa-ca tlsca.pem --tsa-auth env:TSA_AUTH -o auth.asice ev/a.txt &&
	test_grep "^authorization: Basic ZGVtbzpzM2NyZXQ=$" "$T/auth.log" &&
	verify auth.asice >out && test_grep "TOTAL-PASSED" out &&
	test_must_fail --exit=2 seal --tsa "$auth_url" --tsa-ca tlsca.pem -o bad.asice ev/a.txt 2>err &&
	test_grep "^scelle: time-stamp authority .$auth_url. answered with an HTTP error: .*401" err &&
	echo demo:wrong >wrong.txt &&
	test_must_fail --exit=2 seal --tsa "$auth_url" --tsa-ca tlsca.pem --tsa-auth file:wrong.txt -o bad.asice ev/a.txt 2>err &&
	test_grep "401" err && ! test -e bad.asice
'

test_expect_success '--tsa-auth never takes the secret itself, nor sends it over plain http' '
	test_must_fail --exit=2 seal --tsa "$auth_url" --tsa-auth demo:s3cret -o bad.asice ev/a.txt 2>err &&
	echo "scelle: invalid --tsa-auth source (use env:VAR or file:PATH, holding user:password)" >want &&
	diff -u want err &&
	TSA_AUTH=demo:s3cret test_must_fail --exit=2 seal --tsa "$tsa_url" --tsa-auth env:TSA_AUTH -o bad.asice ev/a.txt 2>err &&
	echo "scelle: time-stamp authority '"'"'$tsa_url'"'"': a password is sent over https only" >want &&
	diff -u want err &&
	TSA_AUTH=nocolon test_must_fail --exit=2 seal --tsa "$auth_url" --tsa-auth env:TSA_AUTH -o bad.asice ev/a.txt 2>err &&
	echo "scelle: TSA authentication must be user:password" >want &&
	diff -u want err
'

test_expect_success 'a TSA that wants a client certificate: --tsa-cert and --tsa-key' '
	seal --tsa "$mtls_url" --tsa-ca tlsca.pem --tsa-cert client.pem --tsa-key client.key -o mtls.asice ev/a.txt &&
	verify mtls.asice >out && test_grep "TOTAL-PASSED" out &&
	test_must_fail --exit=2 seal --tsa "$mtls_url" --tsa-ca tlsca.pem -o bad.asice ev/a.txt 2>err &&
	test_grep "^scelle: cannot reach time-stamp authority .$mtls_url.: " err &&
	test_must_fail --exit=2 seal --tsa "$mtls_url" --tsa-ca tlsca.pem --tsa-key client.key -o bad.asice ev/a.txt 2>err &&
	test_grep -x "scelle: a TSA client key needs its certificate" err
'

test_expect_success 'stamp takes the same options: an https TSA with a password adds the token' '
	echo demo:s3cret >auth.txt &&
	scelle stamp -q --tsa "$auth_url" --tsa-ca tlsca.pem --tsa-auth file:auth.txt -o plain-stamped.asice plain.asice &&
	verify plain-stamped.asice >out &&
	test_grep "^plain-stamped.asice: TOTAL-PASSED$" out
'

# --- colliding names -----------------------------------------------------------------------

# A phone dump: IMG_0001.JPG beside img_0001.jpg and Img_0001.jpg; "café" in NFD (as macOS
# names files) beside "café" in NFC.  The expected messages are made here, outside the
# bodies, where printf can write the bytes.
mkdir phone nfd &&
printf 'upper' >phone/IMG_0001.JPG && printf 'lower' >phone/img_0001.jpg &&
printf 'mixed' >phone/Img_0001.jpg && printf 'other' >phone/IMG_0002.JPG &&
NFD=$(printf 'cafe\314\201.txt') && NFC=$(printf 'caf\303\251.txt') &&
printf 'decomposed' >"nfd/$NFD" && printf 'composed' >"nfd/$NFC" || exit 2
printf "scelle: 'nfd/%s' and 'nfd/%s' would collide: 'evidence/nfd/%s' and 'evidence/nfd/%s' differ only in case or Unicode normalisation: U+0065 U+0301 against U+00E9 (--on-collision rename keeps both)\n" \
	"$NFD" "$NFC" "$NFD" "$NFC" >want.nfd
printf "scelle: 'phone/IMG_0001.JPG' and 'phone/Img_0001.jpg' would collide: 'evidence/phone/IMG_0001.JPG' and 'evidence/phone/Img_0001.jpg' differ only in case or Unicode normalisation: U+004D U+0047 U+005F U+0030 U+0030 U+0030 U+0031 U+002E U+004A U+0050 U+0047 against U+006D U+0067 U+005F U+0030 U+0030 U+0030 U+0031 U+002E U+006A U+0070 U+0067 (--on-collision rename keeps both)\n" >want.phone
printf "evidence/nfd/%s\nevidence/nfd/%s\nevidence/phone/IMG_0001.JPG\nevidence/phone/IMG_0002.JPG\nevidence/phone/Img_0001~2.jpg\nevidence/phone/img_0001~3.jpg\n" \
	"$NFD" "$(printf 'caf\303\251~2.txt')" >want.names

test_expect_success 'by default a colliding pair refuses the seal, with the code points that differ' '
	test_must_fail --exit=2 seal --tsa "$tsa_url" -o nfd.asice nfd 2>err &&
	diff -u want.nfd err &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" --on-collision refuse -o phone.asice phone 2>err &&
	diff -u want.phone err &&
	! test -e nfd.asice && ! test -e phone.asice
'

test_expect_success '--on-collision takes refuse or rename only' '
	test_must_fail --exit=2 seal -o x.asice --on-collision keep phone 2>err &&
	test_grep -x "scelle: invalid --on-collision .keep. (use refuse or rename)" err
'

test_expect_success '--on-collision rename: every file sealed, the others as name~N, TOTAL-PASSED' '
	seal --tsa "$tsa_url" --on-collision rename -o phone.asice phone nfd &&
	unzip -Z1 phone.asice | grep "^evidence/" | LC_ALL=C sort >names &&
	diff -u want.names names &&
	verify phone.asice >out &&
	test_grep "^phone.asice: TOTAL-PASSED$" out &&
	unzip -p phone.asice evidence.xml >ev.xml &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" ev.xml 2>/dev/null &&
	b64=$(printf "phone/img_0001.jpg" | base64) &&
	xmllint --xpath "string(//*[local-name()=\"item\"][@path=\"evidence/phone/img_0001~3.jpg\"]/*[local-name()=\"originalName\"])" ev.xml >got &&
	test "$(cat got)" = "$b64" &&
	xmllint --xpath "count(//*[local-name()=\"originalName\"])" ev.xml >got &&
	test "$(cat got)" = 3 &&
	test "$(unzip -p phone.asice "evidence/phone/img_0001~3.jpg")" = lower &&
	test "$(unzip -p phone.asice "evidence/phone/Img_0001~2.jpg")" = mixed
'

test_expect_success 'extract writes both files of a pair, byte for byte; show names the original' '
	scelle extract -q --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" -C x phone.asice &&
	cmp phone/IMG_0001.JPG x/phone/IMG_0001.JPG &&
	cmp phone/img_0001.jpg "x/phone/img_0001~3.jpg" &&
	cmp phone/Img_0001.jpg "x/phone/Img_0001~2.jpg" &&
	cmp "nfd/$NFD" "x/nfd/$NFD" &&
	cmp "nfd/$NFC" "x/nfd/$(printf "caf\303\251~2.txt")" &&
	test "$(find x -type f | wc -l)" = 6 &&
	scelle show phone.asice >out.txt &&
	test_grep -A1 "  evidence/phone/img_0001~3.jpg$" out.txt | tail -n 1 >line &&
	test_grep -x "                renamed (names collided); original name: phone/img_0001.jpg" line &&
	test "$(grep -c "renamed (names collided)" out.txt)" = 3
'

test_done
