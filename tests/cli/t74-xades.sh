#!/bin/sh
# t74-xades.sh — `seal --signature xades`: ASiC-E with a XAdES baseline signature in
# META-INF/signatures001.xml and an OpenDocument META-INF/manifest.xml (FORMAT.md §6).
# scelle verifies it (TOTAL-PASSED with revocation data); the stock xmlsec1 verifies the
# extracted signature with the recipe of FORMAT.md §8; xmllint finds both XML files
# well-formed; every forgery class fails; `stamp` turns a B-B archive into B-T.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
mkdir odd && printf 'odd name\n' > "odd/a b#c%41.txt"
start_tsa || exit 2
XE="python3 $TOP/tests/data/xadesedit.py"
ZE="python3 $TOP/tests/data/zipedit.py"
SIG=META-INF/signatures001.xml
CHAT=evidence/chat-export/_chat.txt
seal() { scelle seal -q --signature xades --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }

test_expect_success 'seal --signature xades writes signatures001.xml and manifest.xml, no CAdES files' '
	seal --tsa "$tsa_url" --revocation-data "$PKI/ca.crl" -o x.asice ev/ad-capture ev/chat-export odd &&
	seal --tsa "$tsa_url" -o other.asice ev/chat-export &&
	unzip -Z1 x.asice > names &&
	test_grep -x "$SIG" names && test_grep -x META-INF/manifest.xml names &&
	! grep -e "\.p7s$" -e "\.tst$" -e ASiCManifest names &&
	test "$(head -n 1 names)" = mimetype &&
	unzip -p x.asice $SIG > sig.xml && unzip -p x.asice META-INF/manifest.xml > manifest.xml &&
	xmllint --noout sig.xml manifest.xml
'

test_expect_success 'the signature: one Id-ed detached reference per file, SignedProperties, B-T, B-LT' '
	n=$(grep -v -e ^mimetype -e ^META-INF/ names | wc -l) &&
	test "$(grep -o "<ds:Reference Id=\"S0-ref-[0-9]*\" URI=" sig.xml | wc -l)" -eq "$n" &&
	test_grep "URI=\"evidence/odd/a%20b%23c%2541.txt\"" sig.xml &&
	test_grep "Type=\"http://uri.etsi.org/01903#SignedProperties\" URI=\"#S0-SignedProperties\"" sig.xml &&
	test "$(grep -o "<xades:DataObjectFormat ObjectReference=\"#S0-ref-[0-9]*\"><xades:MimeType>" sig.xml | wc -l)" -eq "$n" &&
	test_grep "<xades:SigningTime>" sig.xml && test_grep "<xades:SigningCertificateV2>" sig.xml &&
	test_grep "xml-exc-c14n#" sig.xml &&
	test "$(grep -o "<xades:SignatureTimeStamp " sig.xml | wc -l)" -eq 1 &&
	test_grep "<xades:EncapsulatedCRLValue>" sig.xml &&
	openssl x509 -in "$PKI/officer.pem" -outform DER | base64 -w0 > officer.b64 &&
	test_grep "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>$(cat officer.b64)<" sig.xml
'

test_expect_success 'manifest.xml: a / entry, every file once, media types as signed' '
	n=$(grep -v -e ^mimetype -e ^META-INF/ names | wc -l) &&
	test_grep "full-path=\"/\" manifest:media-type=\"application/vnd.etsi.asic-e+zip\"" manifest.xml &&
	grep -o "full-path=\"[^\"]*\"" manifest.xml | sort > listed &&
	test "$(uniq -d listed | wc -l)" -eq 0 &&
	test "$(wc -l < listed)" -eq $((n + 1)) &&
	test_grep "full-path=\"evidence.xml\" manifest:media-type=\"application/xml\"" manifest.xml &&
	test_grep "<xades:MimeType>application/xml</xades:MimeType>" sig.xml
'

test_expect_success 'scelle verifies the XAdES archive: TOTAL-PASSED, seal id, revocation from the signature' '
	scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" x.asice > out &&
	test_grep "^x.asice: TOTAL-PASSED$" out &&
	scelle verify --json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" x.asice > out.json &&
	test_grep "XAdES signature verifies with libxmlsec1" out.json &&
	test_grep "time-stamp 1 by" out.json &&
	test_grep "is not revoked (CRL)" out.json &&
	scelle seal --signature xades --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--revocation-data none -o y.asice ev/chat-export > seal.out &&
	id=$(sed -n "s/^seal identifier *//p" seal.out) &&
	test -n "$id" && verify --no-timestamp-ok y.asice > out && test_grep "^y.asice: TOTAL-PASSED$" out &&
	scelle show --json y.asice | test_grep "$id"
'

test_expect_success 'without revocation data and time-stamp it is INDETERMINATE, not passed' '
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" y.asice > out &&
	test_grep "^y.asice: INDETERMINATE$" out
'

# run_recipe DIR ARCHIVE: the folder of FORMAT.md §9 (case.asice, ROOT.pem), Step 1's
# unpacking into sealed/, then the xades-steps block, verbatim, in bash.
awk '/^```sh xades-steps$/ { on = 1; next } /^```/ { on = 0 } on' "$TOP/formats/FORMAT.md" > recipe.sh
run_recipe() {
	rm -rf "$1" && mkdir -p "$1/sealed" && cp "$2" "$1/case.asice" && cp "$PKI/ca.pem" "$1/ROOT.pem" &&
	(cd "$1/sealed" && unzip -q ../case.asice && bash -e ../../recipe.sh) > "$1.out" 2>&1
}

test_expect_success 'the FORMAT.md recipe: xmlsec1 --verify and the reference list pass' '
	test "$(grep -c "^xmlsec1 --verify" recipe.sh)" -eq 1 &&
	run_recipe r x.asice && test_grep "^OK$" r.out &&
	test_grep "CN = Capitaine Demo Martin" r.out
'

test_expect_success 'the recipe fails on a changed file, and on a file added' '
	mkdir -p r1/sealed && cp x.asice r1/case.asice && cp "$PKI/ca.pem" r1/ROOT.pem &&
	(cd r1/sealed && unzip -q ../case.asice) && printf "x" >> "r1/sealed/$CHAT" &&
	! (cd r1/sealed && bash -e ../../recipe.sh) > r1.out 2>&1 &&
	! test_grep "^OK$" r1.out &&
	printf "planted\n" > planted.txt && $ZE x.asice planted.asice add evidence/planted.txt planted.txt &&
	! run_recipe r2 planted.asice && test_grep "evidence/planted.txt" r2.out
'

test_expect_success 'custody add, show and extract work on a XAdES archive' '
	cp x.asice c.asice && cp x.asice.custody.xml c.asice.custody.xml &&
	scelle custody add c.asice --event transferred --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--to "UCRIF Madrid" --tsa "$tsa_url" -q &&
	verify c.asice > out && test_grep "^c.asice: TOTAL-PASSED$" out &&
	test_grep "ledger head: 2 records" out &&
	scelle show c.asice > show.out && test_grep "evidence/odd/a b#c%41.txt" show.out &&
	scelle extract -q -C out.d --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --crl "$PKI/ca.crl" c.asice &&
	cmp "out.d/odd/a b#c%41.txt" "odd/a b#c%41.txt"
'

# stamp (FORMAT.md §5.2): y.asice was sealed without a TSA (B-B); the copy gains a
# xades:SignatureTimeStamp over the C14N SignatureValue, and nothing else changes.
test_expect_success 'stamp: a B-B XAdES archive becomes B-T, only signatures001.xml changes, seal id kept' '
	id=$(sed -n "s/^seal identifier *//p" seal.out) &&
	scelle stamp --tsa "$tsa_url" -o yst.asice y.asice > st.out &&
	test_grep "^stamped yst.asice (1 time-stamp added)" st.out &&
	test_grep "^seal identifier *$id *(unchanged)" st.out &&
	test -f yst.asice.custody.xml &&
	unzip -p yst.asice $SIG > yst.xml && unzip -p y.asice $SIG > y.xml &&
	test "$(grep -o "<xades:SignatureTimeStamp Id=\"S0-TS-0\">" yst.xml | wc -l)" -eq 1 &&
	! grep -q SignatureTimeStamp y.xml &&
	xmllint --noout yst.xml &&
	unzip -Z1 y.asice > y.names && unzip -Z1 yst.asice > yst.names && cmp y.names yst.names &&
	while read -r n; do
		test "$n" = "$SIG" ||
		test "$(unzip -p y.asice "$n" | sha256sum)" = "$(unzip -p yst.asice "$n" | sha256sum)" || return 1
	done < y.names
'

test_expect_success 'stamp: the B-T copy verifies TOTAL-PASSED with its time-stamp checked, ledger carried' '
	scelle verify -v --trust "$PKI/ca.pem" --crl "$PKI/ca.crl" --tsa-trust "$PKI/tsa-ca.pem" yst.asice > out &&
	test_grep "^yst.asice: TOTAL-PASSED$" out &&
	test_grep "passed *timestamp.token *time-stamp 1 by .*Demo TSA 1" out &&
	test_grep "custody.ledger .*1 records, chain intact" out &&
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" --crl "$PKI/ca.crl" y.asice > /dev/null
'

test_expect_success 'stamp: the FORMAT.md recipe (xmlsec1 --verify) still passes on the stamped copy' '
	run_recipe r3 yst.asice && test_grep "^OK$" r3.out
'

test_expect_success 'stamp: a time-stamped XAdES archive gains another SignatureTimeStamp, as CAdES' '
	scelle stamp --tsa "$tsa_url" -o yst2.asice yst.asice > st2.out &&
	test_grep "^stamped yst2.asice (1 time-stamp added)" st2.out &&
	unzip -p yst2.asice $SIG > yst2.xml &&
	test_grep "<xades:SignatureTimeStamp Id=\"S0-TS-0\">.*<xades:SignatureTimeStamp Id=\"S0-TS-1\">" yst2.xml &&
	scelle verify -v --trust "$PKI/ca.pem" --crl "$PKI/ca.crl" --tsa-trust "$PKI/tsa-ca.pem" yst2.asice > out &&
	test_grep "^yst2.asice: TOTAL-PASSED$" out &&
	test_grep "timestamp.token *time-stamp 2 by" out
'

# A character changed in the middle of the token lands in its structure (FAILED) or in the
# TSA certificate it carries (its ESSCertID no longer matches: INDETERMINATE, as any token
# whose TSA certificate is not the one it names): never passed.
test_expect_success 'stamp: tampering after stamp fails (data, time-stamp, signature value)' '
	$ZE yst.asice s1.asice flip "$CHAT" &&
	expect_exit 1 verify s1.asice > out && test_grep "^s1.asice: TOTAL-FAILED$" out &&
	$XE yst.asice s2.asice b64flip EncapsulatedTimeStamp &&
	test_must_fail verify s2.asice > out && ! grep -q "TOTAL-PASSED" out &&
	test_grep -E "^ *(FAILED|INDETERMINATE) *timestamp.token" out &&
	$XE yst.asice s3.asice ts-from other.asice &&
	expect_exit 1 verify s3.asice > out && test_grep "^s3.asice: TOTAL-FAILED$" out &&
	$XE yst.asice s4.asice b64flip SignatureValue &&
	expect_exit 1 verify s4.asice > out && test_grep "^s4.asice: TOTAL-FAILED$" out
'

# expect_fail ARCHIVE PATTERN: exit 1, TOTAL-FAILED, and the reason (grep -e) in the output.
expect_fail() {
	expect_exit 1 verify "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}

test_expect_success 'forgery: a data byte' '
	$ZE x.asice f1.asice flip "$CHAT" &&
	expect_fail f1.asice "_chat.txt.*sha256 differs from the XAdES signature"
'

test_expect_success 'forgery: an evidence.xml byte' '
	$ZE x.asice f2.asice flip evidence.xml 200 &&
	expect_fail f2.asice "evidence.xml.*differs from the XAdES signature"
'

test_expect_success 'forgery: a reference removed' '
	$XE x.asice f3.asice sub "<ds:Reference Id=\"S0-ref-1\".*?</ds:Reference>" "" &&
	expect_fail f3.asice "is not covered by the signature"
'

test_expect_success 'forgery: a reference added to an external URI' '
	$XE x.asice f4.asice sub "<ds:Reference Id=\"S0-ref-SignedProperties\"" \
		"<ds:Reference URI=\"http://example.org/x\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>\\g<0>" &&
	expect_fail f4.asice "points outside the archive (refused: external URI)"
'

test_expect_success 'forgery: a file referenced twice' '
	$XE x.asice f13.asice sub "(<ds:Reference) Id=\"S0-ref-1\"( .*?</ds:Reference>)" "\\1 Id=\"S0-ref-1\"\\2\\1\\2" &&
	expect_fail f13.asice "a file is referenced twice: .evidence/"
'

test_expect_success 'forgery: a reference to a file in META-INF' '
	$XE x.asice f14.asice sub "<ds:Reference Id=\"S0-ref-SignedProperties\"" \
		"<ds:Reference URI=\"META-INF/manifest.xml\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>\\g<0>" &&
	expect_fail f14.asice "names a file that is not signed data (META-INF/, mimetype): .META-INF/manifest.xml"
'

test_expect_success 'forgery: a reference with a transform' '
	$XE x.asice f5.asice sub "(<ds:Reference Id=\"S0-ref-1\"[^>]*>)" \
		"\\1<ds:Transforms><ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#base64\"/></ds:Transforms>" &&
	expect_fail f5.asice "a data reference has transforms"
'

test_expect_success 'forgery: a signature value byte' '
	$XE x.asice f6.asice b64flip SignatureValue &&
	expect_fail f6.asice "signature.crypto .*the signature value does not verify"
'

test_expect_success 'forgery: the signer certificate swapped (IssuerSerialV2 dropped), re-signed by its key (xmlsec1 --sign)' '
	mkdir sw && (cd sw && unzip -q ../x.asice) &&
	es=$(openssl x509 -in "$PKI/es-officer.pem" -outform DER | base64 -w0) &&
	sed "s|<ds:X509Certificate>[^<]*<|<ds:X509Certificate>$es<|; s|<xades:IssuerSerialV2>[^<]*</xades:IssuerSerialV2>||" \
		sw/$SIG > sw/t.xml &&
	(cd sw && xmlsec1 --sign --id-attr:Id SignedProperties --privkey-pem "$PKI/es-officer.key" \
		--output $SIG t.xml) 2> /dev/null && rm sw/t.xml &&
	(cd sw && zip -q -X -0 ../sw.asice mimetype && zip -q -X -r ../sw.asice . -x mimetype) &&
	expect_fail sw.asice "SigningCertificateV2 does not match the signer.s certificate"
'

test_expect_success 'forgery: a transform on the SignedProperties reference other than C14N' '
	$XE x.asice f12.asice sub "(URI=\"#S0-SignedProperties\"><ds:Transforms><ds:Transform Algorithm=\")[^\"]*" \
		"\\1http://www.w3.org/TR/1999/REC-xpath-19991116" &&
	expect_fail f12.asice "SignedProperties reference has a transform other than C14N"
'

test_expect_success 'verify prints nothing of libxmlsec1 on stderr' '
	expect_exit 1 verify f6.asice > /dev/null 2> err6 &&
	test ! -s err6
'

test_expect_success 'forgery: SignedProperties edited (the signing time)' '
	$XE x.asice f7.asice sub "<xades:SigningTime>2" "<xades:SigningTime>1" &&
	expect_fail f7.asice "reference to .#S0-SignedProperties. does not match"
'

test_expect_success 'forgery: the time-stamp swapped for another archive'"'"'s' '
	$XE x.asice f8.asice ts-from other.asice &&
	expect_fail f8.asice "time-stamp 1.*HASH_FAILURE\|time-stamp 1 by.*imprint"
'

test_expect_success 'forgery: an unsigned extra file' '
	printf "planted\n" > planted.txt &&
	$ZE x.asice f9.asice add evidence/planted.txt planted.txt &&
	expect_fail f9.asice "evidence/planted.txt. is not covered by the signature"
'

test_expect_success 'forgery: a second element with the SignedProperties Id (wrapping)' '
	$XE x.asice f10.asice sub "(<ds:Object>)" "<ds:Object><x Id=\"S0-SignedProperties\"/></ds:Object>\\1" &&
	expect_fail f10.asice "is used twice"
'

test_expect_success 'forgery: an unsigned file in META-INF' '
	$ZE x.asice f11.asice add META-INF/extra.xml planted.txt &&
	expect_fail f11.asice "META-INF/extra.xml. is not covered by the signature"
'

test_expect_success 'an unknown --signature is a usage error' '
	expect_exit 2 scelle seal --signature pades --key "$PKI/officer.key" -o z.asice ev 2> err &&
	test_grep "unknown signature format .pades." err
'
# B-LT with OCSP, what libdigidocpp demands: a CA run with `openssl ca` whose officer
# certificate names a loopback OCSP responder (tests/data/ocsp_http.py answers with stock
# `openssl ocsp -index`); seal fetches the response by default, after the time-stamp.
OCSPPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir rca rca/new && cat > rca/ca.cnf <<CNF
[ca]
default_ca = rca
[rca]
dir = .
database = index.txt
new_certs_dir = new
serial = serial
default_md = sha256
default_days = 365
policy = anything
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSPPORT/
CNF
(cd rca && : > index.txt && echo 1000 > serial &&
 openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rca.key &&
 openssl req -x509 -new -key rca.key -subj "/O=Demo Revocation Authority/CN=Demo Revocation CA" \
	-days 3650 -config ca.cnf -extensions root -out rca.pem &&
 openssl req -new -key "$PKI/officer.key" -subj "/O=Demo Police Nationale/CN=ocsp-officer" -out o.csr &&
 openssl ca -batch -config ca.cnf -cert rca.pem -keyfile rca.key -notext -extensions ocsp \
	-in o.csr -out ../ocsp-officer.pem && cp rca.pem ..) > ca.log 2>&1 || { cat ca.log >&2; exit 2; }
start_server ocsp python3 "$TOP/tests/data/ocsp_http.py" "$T/ocsp.port" "$T/rca" "$OCSPPORT" || exit 2

test_expect_success 'B-LT with OCSP: the response is in RevocationValues, no older than the time-stamp' '
	scelle seal -q --signature xades --key "$PKI/officer.key" --cert ocsp-officer.pem --chain rca.pem \
		--tsa "$tsa_url" -o lt.asice ev/chat-export 2> err &&
	test ! -s err &&
	unzip -p lt.asice $SIG > lt.xml &&
	test "$(grep -o "<xades:EncapsulatedOCSPValue>" lt.xml | wc -l)" -eq 1 &&
	test_grep "<xades:CertificateValues><xades:EncapsulatedX509Certificate>" lt.xml &&
	sed -n "s|.*<xades:EncapsulatedOCSPValue>\([^<]*\)<.*|\1|p" lt.xml | base64 -d > ocsp.der &&
	openssl ocsp -respin ocsp.der -resp_text -noverify > ocsp.txt &&
	test_grep "Cert Status: good" ocsp.txt &&
	sed -n "s|.*<xades:EncapsulatedTimeStamp>\([^<]*\)<.*|\1|p" lt.xml | base64 -d > ts.der &&
	openssl ts -reply -token_in -in ts.der -text -token_out > ts.txt &&
	produced=$(date -u -d "$(sed -n "s/^ *Produced At: //p" ocsp.txt)" +%s) &&
	stamped=$(date -u -d "$(sed -n "s/^Time stamp: //p" ts.txt)" +%s) &&
	test "$produced" -ge "$stamped" &&
	scelle verify -v --trust rca.pem --tsa-trust "$PKI/tsa-ca.pem" lt.asice > out &&
	test_grep "^lt.asice: TOTAL-PASSED$" out &&
	test_grep "passed *signature.revocation *.ocsp-officer. is not revoked (OCSP)" out
'

test_expect_success 'B-LT with OCSP: revoked at seal time, seal refuses' '
	(cd rca && openssl ca -config ca.cnf -cert rca.pem -keyfile rca.key -revoke ../ocsp-officer.pem) > /dev/null 2>&1 &&
	sleep 1 &&
	test_must_fail scelle seal -q --signature xades --key "$PKI/officer.key" --cert ocsp-officer.pem \
		--chain rca.pem --tsa "$tsa_url" -o rev.asice ev/chat-export 2> err &&
	test_grep "revoked" err && test ! -e rev.asice
'

test_done
