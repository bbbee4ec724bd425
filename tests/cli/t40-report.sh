#!/bin/sh
# t40-report.sh — the verdict rendered as text, JSON (against its schema) and HTML, in
# English, French and Spanish, on a passing, a failing and an indeterminate archive.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
# a hostile item name: it must reach the report as text, never as markup
test_expect_success 'setup' '
	cp -R "$TOP/examples/evidence" ev &&
	mkdir ev/hostile && echo "planted" > "ev/hostile/x<script>alert(1)<script>.txt" &&
	seal -o good.asice --case "OCRTEH Paris:FR:2026/0042" --case "UCRIF Madrid:ES:DP-77/2026" \
		--officer "Capitaine <i>Demo</i> & Co" --place "Nanterre" ev/ad-capture ev/chat-export ev/hostile &&
	python3 "$TOP/tests/data/zipedit.py" good.asice bad.asice flip evidence/ad-capture/ad-4711.html
'
ok() { scelle verify --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" "$@"; }   # passes
ind() { scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" "$@"; }                     # no time-stamp
PY=/usr/bin/python3   # Debian's python3-jsonschema, not a pyenv python on PATH

# validate_json FILE: every line of FILE is one object valid against the schema.
validate_json() {
	$PY - "$TOP/formats/verify-result.schema.json" "$1" <<-'PY'
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(schema)
	v = jsonschema.Draft202012Validator(schema)
	lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
	assert lines, "no JSON output"
	for line in lines:
	    v.validate(json.loads(line))
	print(len(lines), "valid")
	PY
}
# html_ok FILE: xmllint finds no error, no active content, every item of the JSON listed.
html_ok() {
	xmllint --html --noout "$1" 2> lint.err && test ! -s lint.err &&
	! grep -Ei '<script|<iframe|<img|<link|src=|href=|url\(|@import' "$1" &&
	$PY - "$1" "$2" <<-'PY'
	import html, json, sys
	page = open(sys.argv[1], encoding="utf-8").read()
	r = json.loads(open(sys.argv[2]).read())
	assert r["items"], "no items"
	for it in r["items"]:
	    assert html.escape(it["path"]) in page, "item missing: " + it["path"]
	PY
}

test_expect_success 'text: pass, fail, indeterminate give their verdict and exit code' '
	ok good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	expect_exit 1 ok bad.asice > out && test_grep "^bad.asice: TOTAL-FAILED$" out &&
	test_grep "HASH_FAILURE" out &&
	expect_exit 3 ind good.asice > out && test_grep "^good.asice: INDETERMINATE$" out
'
test_expect_success 'several archives: one line each, a summary, the worst exit code' '
	expect_exit 1 ok -q good.asice bad.asice good.asice &&
	expect_exit 1 ok good.asice bad.asice good.asice > out &&
	test_grep -c ": TOTAL-" out > n && test "$(cat n)" = 3 &&
	test_grep "^3 archives: 2 passed, 1 failed, 0 indeterminate$" out &&
	expect_exit 3 ind good.asice good.asice > out && test_grep "^2 archives: 0 passed, 0 failed, 2 indeterminate$" out
'
test_expect_success 'JSON of a passing, a failing and an indeterminate archive validates' '
	ok --json good.asice > pass.json && validate_json pass.json &&
	test_grep "\"verdict\":\"TOTAL-PASSED\"" pass.json &&
	test_must_fail --exit=1 ok --json bad.asice > fail.json && validate_json fail.json &&
	test_grep "\"subindication\":\"HASH_FAILURE\"" fail.json &&
	test_must_fail --exit=3 ind --json good.asice > ind.json && validate_json ind.json &&
	test_grep "\"verdict\":\"INDETERMINATE\"" ind.json
'
test_expect_success 'JSON for several archives is one valid object per line (JSON Lines)' '
	test_must_fail --exit=1 ok --json good.asice bad.asice good.asice > many.json &&
	test "$(wc -l < many.json)" = 3 && validate_json many.json > v && test_grep "^3 valid" v
'
test_expect_success 'JSON carries cases, items with mtime and sha256, and show --json validates' '
	$PY -c "import json,sys; r=json.load(open(\"pass.json\")); assert len(r[\"cases\"])==2; \
assert r[\"cases\"][1][\"reference\"]==\"DP-77/2026\"; it=r[\"items\"][0]; assert it[\"mtime\"] and len(it[\"sha256\"])==64" &&
	scelle show --json good.asice > show.json && validate_json show.json
'
test_expect_success 'JSON stays valid when an entry name is not UTF-8' '
	python3 - <<-PY &&
	import zipfile
	src = zipfile.ZipFile("good.asice")
	with zipfile.ZipFile("latin.asice", "w") as out:
	    for i in src.infolist():
	        out.writestr(i, src.read(i.filename))
	    out.writestr("evidence/cafXX.txt", b"x")
	data = open("latin.asice", "rb").read().replace(b"cafXX", b"caf\xe9X")
	open("latin.asice", "wb").write(data)
	PY
	test_must_fail --exit=1 ok --json latin.asice > latin.json && validate_json latin.json &&
	test_grep "caf\\\\ufffdX" latin.json
'
test_expect_success 'control characters in entry names reach neither the terminal nor the page' '
	python3 -c "
import zipfile
z = zipfile.ZipFile(\"ctl.asice\", \"w\")
z.writestr(\"mimetype\", \"application/vnd.etsi.asic-e+zip\")
z.writestr(\"evidence/a\x1b[31mRED\x07\x9b.txt\", \"x\")
z.close()" &&
	test_must_fail --exit=1 ok -v --report ctl.html ctl.asice > out &&
	test_grep -F "a\x1B[31mRED\x07\u009B.txt" out && ! LC_ALL=C grep -q "$(printf "[\033\007]")" out &&
	xmllint --html --noout ctl.html 2> lint.err && test ! -s lint.err &&
	! LC_ALL=C grep -q "$(printf "[\033\007]")" ctl.html &&
	test_grep -F "a\x1B[31mRED\x07\u009B.txt" ctl.html
'
test_expect_success 'HTML report of a passing archive: well-formed, verdict, cases, every item' '
	ok --json --report pass.html good.asice > pass.json && html_ok pass.html pass.json &&
	test_grep "banner passed" pass.html && test_grep "TOTAL-PASSED" pass.html &&
	test_grep "DP-77/2026" pass.html && test_grep "UCRIF Madrid" pass.html &&
	test_grep "Nanterre" pass.html && test_grep "openssl cms -verify -cades -binary -inform DER" pass.html &&
	test_grep "$(sed -n "s/.*\"file_digest\":\"\([0-9a-f]*\)\".*/\1/p" pass.json)" pass.html
'
test_expect_success 'the "check it yourself" commands of the report run and give what it says' '
	rm -rf run && mkdir run && cp good.asice "$PKI/ca.pem" run/ &&
	$PY -c "import html,re,sys; p=open(\"pass.html\").read(); \
print(html.unescape(re.search(r\"<pre>(.*?)</pre>\", p, re.S).group(1)))" > run/check.sh &&
	test_grep -c "^#    [0-9a-f]\{64\}$" run/check.sh > n && test "$(cat n)" = 2 &&
	(cd run && sh -e check.sh) > run.out 2>&1 &&
	test_grep "Verification successful" run.out &&
	for h in $(sed -n "s/^#    \([0-9a-f]\{64\}\)$/\1/p" run/check.sh); do test_grep "^$h " run.out || exit 1; done &&
	b64=$(tail -n 1 run.out) && test_grep -F "$b64" run/sealed/META-INF/ASiCManifest001.xml
'
test_expect_success 'HTML report of a failing and of an indeterminate archive' '
	test_must_fail --exit=1 ok --json --report fail.html bad.asice > fail.json &&
	html_ok fail.html fail.json && test_grep "banner failed" fail.html &&
	test_grep "TOTAL-FAILED" fail.html && test_grep "HASH_FAILURE" fail.html &&
	test_must_fail --exit=3 ind --json --report ind.html good.asice > ind.json &&
	html_ok ind.html ind.json && test_grep "banner indeterminate" ind.html &&
	test_grep "No time-stamp" ind.html
'
test_expect_success 'hostile names are escaped: no <script> element, the text is shown' '
	! grep -i "<script" pass.html && test_grep "x&lt;script&gt;alert(1)" pass.html &&
	test_grep "Capitaine &lt;i&gt;Demo&lt;/i&gt; &amp; Co" pass.html
'
test_expect_success 'a forged time shaped like a date cannot smuggle markup either' '
	unzip -p good.asice evidence.xml |
		sed "s|<time>[^<]*</time>|<time>\&lt;img/x\&gt;-28T10:00:00Z</time>|" > forged.xml &&
	test_grep -F "<time>&lt;img/x&gt;-28T10:00:00Z</time>" forged.xml &&
	python3 "$TOP/tests/data/zipedit.py" good.asice timed.asice replace evidence.xml forged.xml &&
	test_must_fail --exit=1 ok --report timed.html timed.asice > /dev/null &&
	test_grep -F "&lt;img/x&gt;-28T10:00:00Z" timed.html && ! grep -i "<img" timed.html
'
test_expect_success 'the report is replaced whole, and --report takes one archive' '
	ok --force --report pass.html good.asice > /dev/null && html_ok pass.html pass.json &&
	test "$(ls pass.html.* 2>/dev/null)" = "" &&
	test_must_fail --exit=2 ok --report x.html good.asice good.asice 2> err &&
	test_grep "^scelle: --report takes one archive, or the volumes of one set$" err && test ! -e x.html
'
test_expect_success 'French: --lang fr translates the verdict, the checks and the report' '
	ok --lang fr -v good.asice > out && test_grep "TOTAL-PASSED (scellé intact et vérifié)" out &&
	test_grep "réussi" out && test_grep "Lecture du manifeste signé" out &&
	ok --lang fr --report fr.html good.asice > /dev/null && html_ok fr.html pass.json &&
	test_grep "<html lang=\"fr\">" fr.html && test_grep "Scellé vérifié" fr.html &&
	test_grep "Vérifiez vous-même" fr.html && test_grep "Capitaine &lt;i&gt;Demo" fr.html
'
test_expect_success 'Spanish: from --lang es and from LANG; data stay as written' '
	test_must_fail --exit=1 ok --lang es bad.asice > out && test_grep "TOTAL-FAILED (precinto roto o no válido)" out &&
	test_grep "FALLIDO" out &&
	LC_ALL= LC_MESSAGES= LANG=es_ES.UTF-8 ok --report es.html good.asice > out &&
	test_grep "precinto intacto y verificado" out && test_grep "Precinto verificado" es.html &&
	test_grep "2026/0042" es.html
'
test_expect_success 'English is the default; an unknown language is a usage error' '
	LC_ALL= LC_MESSAGES= LANG=de_DE.UTF-8 ok good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	LC_ALL=C ok --lang en good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	test_must_fail --exit=2 ok --lang xx good.asice 2> err &&
	test_grep "^scelle: unknown language .xx. (use en, fr or es)$" err
'
test_expect_success 'JSON is never translated' '
	ok --lang fr --json good.asice > frj.json && validate_json frj.json &&
	test_grep "\"status\":\"TOTAL-PASSED\"" frj.json && ! grep -q "réussi" frj.json
'
test_expect_success 'show lists the custody timeline from the ledger beside the archive' '
	cp good.asice shown.asice && cp good.asice.custody.xml shown.asice.custody.xml &&
	scelle custody add shown.asice --event transferred --key "$PKI/es-officer.key" \
		--cert "$PKI/es-officer.pem" --place Paris --to "UCRIF Madrid" > /dev/null &&
	scelle show shown.asice > out &&
	test_grep "^custody of shown.asice (shown.asice.custody.xml): 2 records$" out &&
	test_grep "^  1  .* sealed  *Capitaine <i>Demo</i> & Co" out &&
	test_grep "^  2  .* transferred .* at Paris to UCRIF Madrid" out &&
	rm shown.asice.custody.xml && scelle show shown.asice > out &&
	test_grep "^no custody ledger (shown.asice.custody.xml)$" out
'
test_expect_success 'every message scelle writes has a French and a Spanish translation' '
	sh "$TOP/src/cli/po/msgids.sh" > scelle.pot 2> /dev/null &&
	msgcmp "$TOP/src/cli/po/fr.po" scelle.pot && msgcmp "$TOP/src/cli/po/es.po" scelle.pot
'
test_expect_success 'verify --help documents --report, --lang and JSON Lines' '
	scelle verify --help > out && test_grep -- "--report FILE" out && test_grep -- "--lang LANG" out &&
	test_grep "JSON Lines" out
'
test_done
