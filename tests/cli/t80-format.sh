#!/bin/sh
# t80-format.sh — formats/FORMAT.md "Verifying without scelle": the ```sh verify-steps
# blocks, extracted from the document as printed there and run literally with bash, pass on
# a sealed, time-stamped archive with its custody ledger, and fail, at the step that should
# catch it, on forged copies.  So the document and the tool cannot drift apart.
. "$(dirname "$0")/lib.sh"
make_pki
FORMAT="$TOP/formats/FORMAT.md"
ZE="python3 $TOP/tests/data/zipedit.py"
start_tsa || exit 2

# The steps, each block preceded by a line naming it, so that a failure says where.
awk '/^```sh verify-steps$/ { n++; print "echo \"== step " n "\""; on = 1; next }
     /^```/ { on = 0 }
     on' "$FORMAT" >steps.sh

# run_steps DIR ARCHIVE [LEDGER] [ROOT] — the folder FORMAT.md asks for, then the steps.
run_steps() {
	rm -rf "$1" && mkdir "$1" &&
	cp "$2" "$1/case.asice" &&
	{ [ -z "${3:-}" ] || cp "$3" "$1/case.asice.custody.xml"; } &&
	cp "${4:-$PKI/ca.pem}" "$1/ROOT.pem" &&
	cp "$PKI/tsa-ca.pem" "$1/TSA-ROOT.pem" &&
	cp "$TOP/formats/evidence.xsd" "$TOP/formats/custody.xsd" "$1/" &&
	(cd "$1" && bash ../steps.sh) >"$1.out" 2>&1
}
# failed_at DIR N — the steps failed, and at step N: set -e (step 1) stopped them there,
# before the last line, "all checks passed".
failed_at() {
	if [ -f "$1.out" ] && [ "$(grep '^== step' "$1.out" | tail -1)" = "== step $2" ] &&
	    ! grep -q "all checks passed" "$1.out"; then
		return 0
	fi
	echo "expected a failure at step $2; output:" >&2; cat "$1.out" >&2; return 1
}

# The archive with its ledger; names with a space and accents, to be percent-encoded in the
# manifest.
test_expect_success 'setup' '
	cp -R "$TOP/examples/evidence/ad-capture" "$TOP/examples/evidence/chat-export" . &&
	scelle seal -o case.asice --tsa "$tsa_url" --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
		--case "OCRTEH Paris:FR:2026/0042" --officer "Capitaine Martin" --country FR \
		ad-capture chat-export >sealed.out &&
	scelle custody add case.asice --event transferred --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" --to "UCRIF Madrid" --tsa "$tsa_url" -q &&
	scelle custody add case.asice --event received --key "$PKI/es-officer.key" \
		--cert "$PKI/es-officer.pem" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" \
		--tsa "$tsa_url" -q &&
	mkdir -p "in/chat export" &&
	cp "$TOP/examples/evidence/chat-export/_chat.txt" "in/chat export/_chat été.txt" &&
	printf "latin-1 name\n" >"in/chat export/$(printf "caf\351.txt")" &&
	printf "ad\n" >"in/chat export/ad&<\"1\">.html" &&
	scelle seal -q -o names.asice --tsa "$tsa_url" --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
		"in/chat export"
'

test_expect_success 'FORMAT.md holds the seven verify-steps blocks' '
	test "$(grep -c "^== step\|^echo \"== step" steps.sh)" = 7 &&
	bash -n steps.sh
'

test_expect_success 'the steps pass on a sealed, time-stamped archive with its ledger' '
	{ run_steps good case.asice case.asice.custody.xml || { cat good.out; false; }; } &&
	test_grep "^CAdES Verification successful$" good.out &&
	test_grep "^Verification: OK$" good.out &&
	test_grep "^evidence/chat-export/_chat.txt: OK$" good.out &&
	test_grep "^Time stamp: " good.out &&
	test_grep "^token1 " good.out &&
	test -s good/record3.p7s &&
	test "$(tail -n 1 good.out)" = "all checks passed"
'

# The recipe as printed is run by bash without -e: its own "set -e" is what stops it.
test_expect_success 'the recipe stops itself at the first failure (set -e in step 1)' '
	head -n 3 steps.sh | test_grep -x "set -e   # stop at the first command that fails" -
'

test_expect_success 'step 2 names the signer by the SignerInfo, also when the signature carries its CA first' '
	scelle seal -q -o p12.asice --key "$PKI/officer.p12" --pass pass:secret \
		--revocation-data "$PKI/ca.crl" ad-capture &&
	mkdir p12x && (cd p12x && unzip -q ../p12.asice) &&
	openssl pkcs7 -inform DER -in p12x/META-INF/signature001.p7s -print_certs -noout |
		head -n 1 | test_grep "CN = Demo Police Root CA" - &&
	{ run_steps p12 p12.asice || { cat p12.out; false; }; } &&
	test_grep -x "subject=C = FR, O = Demo Police Nationale, OU = OCRTEH, CN = Capitaine Demo Martin" p12.out &&
	! grep "^subject=.*Root CA" p12.out &&
	test "$(tail -n 1 p12.out)" = "all checks passed"
'

test_expect_success 'an archive without time-stamp: step 5 says so and runs no openssl ts on a pattern' '
	scelle seal -q -o nots.asice --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--revocation-data "$PKI/ca.crl" ad-capture 2>/dev/null &&
	{ run_steps nots nots.asice || { cat nots.out; false; }; } &&
	test_grep -x "no time-stamp: CAdES-B-B only, the sealing time is the signer.s claim" nots.out &&
	! grep -e "Verification: FAILED" -e "token\*" -e "^token1 " nots.out &&
	test "$(tail -n 1 nots.out)" = "all checks passed"
'

test_expect_success 'a p12-signed archive with a changed item still fails at step 3' '
	$ZE p12.asice p12bad.asice flip evidence/ad-capture/ad-4711.html &&
	! run_steps p12bad p12bad.asice && failed_at p12bad 3 &&
	test_grep "^MISMATCH: evidence/ad-capture/ad-4711.html$" p12bad.out
'

test_expect_success 'step 6 prints the seal identifier and file digest that seal printed' '
	id=$(sed -n "s/^seal identifier  *//p" sealed.out) &&
	fd=$(sed -n "s/^file digest  *\([0-9a-f]*\).*/\1/p" sealed.out) &&
	test_grep "^$id  META-INF/ASiCManifest001.xml$" good.out &&
	test_grep "^$fd  case.asice$" good.out
'

test_expect_success 'names with a space and accents: percent-encoded, decoded by step 3' '
	{ run_steps names names.asice names.asice.custody.xml || { cat names.out; false; }; } &&
	test_grep "URI=\"evidence/chat%20export/_chat%20%C3%A9t%C3%A9.txt\"" names/sealed/META-INF/ASiCManifest001.xml &&
	test_grep "^evidence/chat export/_chat été.txt: OK$" names.out
'

test_expect_success 'a Latin-1 name: stored escaped, URI escaped once more, originalName kept' '
	test_grep "URI=\"evidence/chat%20export/caf%25E9.txt\"" names/sealed/META-INF/ASiCManifest001.xml &&
	test_grep "path=\"evidence/chat export/caf%E9.txt\"" names/sealed/evidence.xml &&
	test_grep "<originalName>Y2hhdCBleHBvcnQvY2Fm6S50eHQ=</originalName>" names/sealed/evidence.xml &&
	test "$(printf "chat export/caf\351.txt" | base64)" = Y2hhdCBleHBvcnQvY2Fm6S50eHQ= &&
	test_grep "^evidence/chat export/caf%E9.txt: OK$" names.out
'

# seal lays plain items out itself (evidence_xml.c), as libxml2's writer would: xmllint
# --format, libxml2's own layout, must give the same bytes, for plain items, escaped names,
# an original name and a chat export's intake.
test_expect_success 'evidence.xml and the manifest are laid out as libxml2 lays them out' '
	test_grep "path=\"evidence/chat export/ad&amp;&lt;&quot;1&quot;&gt;.html\"" names/sealed/evidence.xml &&
	test_grep "URI=\"evidence/chat%20export/ad&amp;%3C%221%22%3E.html\"" names/sealed/META-INF/ASiCManifest001.xml &&
	mkdir layout && unzip -q -d layout case.asice &&
	for f in names/sealed/evidence.xml names/sealed/META-INF/ASiCManifest001.xml \
	    layout/evidence.xml layout/META-INF/ASiCManifest001.xml; do
		xmllint --format "$f" | cmp - "$f" || return 1
	done
'

test_expect_success 'scelle agrees with the stock tools on the good archive' '
	scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" case.asice
'

test_expect_success 'a mimetype entry that is compressed fails at step 1' '
	python3 -c "
import zipfile, sys
src = zipfile.ZipFile(\"case.asice\")
with zipfile.ZipFile(\"deflated.asice\", \"w\") as z:
    for i in src.infolist():
        z.writestr(i, src.read(i), compress_type=zipfile.ZIP_DEFLATED if i.filename == \"mimetype\" else i.compress_type)
" &&
	! run_steps deflated deflated.asice && failed_at deflated 1
'

test_expect_success 'a changed manifest fails at step 2 (openssl cms -verify)' '
	$ZE case.asice man.asice flip META-INF/ASiCManifest001.xml &&
	! run_steps man man.asice && failed_at man 2
'

test_expect_success 'an archive signed under another root fails at step 2' '
	! run_steps otherroot case.asice "" "$PKI/other-ca.pem" && failed_at otherroot 2
'

test_expect_success 'a changed evidence file fails at step 3 with MISMATCH' '
	$ZE case.asice item.asice flip evidence/ad-capture/ad-4711.html &&
	! run_steps item item.asice && failed_at item 3 &&
	test_grep "^MISMATCH: evidence/ad-capture/ad-4711.html$" item.out
'

test_expect_success 'a changed evidence.xml fails at step 3 with MISMATCH' '
	unzip -p case.asice evidence.xml | sed "s/Capitaine Martin/Capitaine Dupont/" >ev.xml &&
	$ZE case.asice ev.asice replace evidence.xml ev.xml &&
	! run_steps ev ev.asice && failed_at ev 3 &&
	test_grep "^MISMATCH: evidence.xml$" ev.out
'

test_expect_success 'a file added to the archive fails at step 3 (not in the manifest)' '
	echo "planted" >planted.txt &&
	$ZE case.asice added.asice add evidence/planted.txt planted.txt &&
	! run_steps added added.asice && failed_at added 3 &&
	test_grep "^> evidence/planted.txt$" added.out
'

test_expect_success 'a time-stamp token over another signature fails at step 5' '
	scelle seal -q -o other.asice --tsa "$tsa_url" --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" ad-capture &&
	mkdir o && (cd o && unzip -q ../other.asice) &&
	python3 "$TOP/tests/data/tstoken.py" o/META-INF/signature001.p7s o >/dev/null &&
	mkdir g && (cd g && unzip -q ../case.asice) &&
	python3 "$TOP/tests/data/tstoken.py" --graft g/META-INF/signature001.p7s o/token1.der grafted.p7s >/dev/null &&
	$ZE case.asice grafted.asice replace META-INF/signature001.p7s grafted.p7s &&
	! run_steps grafted grafted.asice && failed_at grafted 5
'

test_expect_success 'a changed ledger record fails at step 7' '
	sed "s/UCRIF Madrid/UCRIF Malaga/" case.asice.custody.xml >forged.custody.xml &&
	! run_steps ledger case.asice forged.custody.xml && failed_at ledger 7 &&
	test_grep "CMS Verification failure\|verify error\|content verify error" ledger.out
'

test_expect_success 'a ledger record removed breaks the chain at step 7' '
	python3 -c "
import re
s = open(\"case.asice.custody.xml\").read()
recs = re.findall(r\"<record>.*?</record>\", s, re.S)
open(\"cut.custody.xml\", \"w\").write(s.replace(recs[1], \"\"))
" &&
	! run_steps cut case.asice cut.custody.xml && failed_at cut 7 &&
	test_grep "^MISMATCH: record 2 does not chain to record 1$" cut.out
'

test_expect_success 'step 7 prints the ledger head as scelle does, and refuses a comment in the ledger' '
	scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" case.asice >v.out &&
	run_steps head case.asice case.asice.custody.xml &&
	test_grep "^ledger head: 3 records, sha256 [0-9a-f]\{64\}$" head.out &&
	test "$(sed -n "s/^ledger head: //p" head.out)" = "$(sed -n "s/^  ledger head: //p" v.out)" &&
	sed "1a<!-- approved -->" case.asice.custody.xml >comment.custody.xml &&
	! run_steps comment case.asice comment.custody.xml && failed_at comment 7 &&
	test_grep "^MISMATCH: the ledger holds content no signature covers$" comment.out
'
test_done
