#!/bin/sh
# t42-hostile-display.sh — what a person reads (issue 18): names and text from an archive, a
# ledger or the command line reach the text verdict, the progress line, show, show --xml on
# a terminal and the HTML report in one display form (scelle(1) "DISPLAY OF NAMES"), and
# free text with control characters is refused before anything is written.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
u() { printf "$1"; }	# octal escapes to bytes: u '\342\200\256' is U+202E

RLO=$(u '\342\200\256') ZWSP=$(u '\342\200\213') LS=$(u '\342\200\250') NEL=$(u '\302\205')
ESC=$(u '\033') CSI=$(u '\302\233')
PAD=$(printf '%0280d' 0 | tr 0 ' ')

# An archive sealed by the book, whose item names are as a sender chose them: valid UTF-8
# without C0 controls, so stored as they are (--as names the 300-character one, too long
# for a file name on disk).
mkdir -p ev && printf 1 > ev/a && printf 2 > ev/b && printf 3 > ev/c
seal -o names.asice --officer "Jean${RLO}Dupont" --place "Nanterre${ZWSP}" \
	--as "a-invoice${RLO}gpj.exe" ev/a --as "zw${ZWSP}sp${LS}ls" ev/b \
	--as "pad${PAD}case.asice: TOTAL-PASSED" ev/c
# The same archive with entries a forger added: an escape sequence and a carriage return
# that redraw the line, NEL, and a name that is not UTF-8 (its bytes patched in place).
python3 - "$TOP/tests/data/zipedit.py" <<'PY'
import subprocess, sys
subprocess.check_call([sys.executable, sys.argv[1], "names.asice", "h1.asice", "add",
    "evidence/\x1b[2K\rcase.asice: TOTAL-PASSED\x1b[8m", "ev/a"])
subprocess.check_call([sys.executable, sys.argv[1], "h1.asice", "h2.asice", "add",
    "evidence/nel\u0085x", "ev/a"])
subprocess.check_call([sys.executable, sys.argv[1], "h2.asice", "h3.asice", "add",
    "evidence/BADNAME", "ev/a"])
subprocess.check_call([sys.executable, sys.argv[1], "h3.asice", "h4.asice", "add",
    "evidence/back\\slash", "ev/a"])
d = open("h4.asice", "rb").read()
assert d.count(b"evidence/BADNAME") == 2        # local header and central directory
open("hostile.asice", "wb").write(d.replace(b"evidence/BADNAME", b"evidence/\xff\xc3names"))
PY

# the display forms every output must show
D_ESC='evidence/\x1B[2K\x0Dcase.asice: TOTAL-PASSED\x1B[8m'
D_RLO='evidence/a-invoice\u202Egpj.exe'
D_ZW='evidence/zw\u200Bsp\u2028ls'
D_PAD="evidence/pad $(printf '%0279d' 0 | sed 's/0/\\x20/g')case.asice: TOTAL-PASSED"
D_NEL='evidence/nel\u0085x'
D_BAD='evidence/\xFF\xC3names'
D_BACK='evidence/back\\slash'
# clean FILE: well-formed UTF-8 without a raw control, bidi or invisible character (after
# the progress line's own "\r\033[K" and a terminal's CR LF are taken out)
clean() {
	python3 - "$1" <<-'PY'
	import re, sys
	t = open(sys.argv[1], "rb").read().decode("utf-8")
	t = t.replace("\r\x1b[K", "").replace("\r\n", "\n")
	bad = re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]", t)
	assert not bad, bad
	PY
}

test_expect_success 'text verdict: hostile entry names in their display form, on one line each' '
	expect_exit 1 verify hostile.asice > out &&
	test_grep -F "  FAILED        container.coverage             '\''$D_ESC'\'' is not covered by the signed manifest" out &&
	test_grep -F "'\''$D_NEL'\'' is not covered" out &&
	test_grep -F "'\''$D_BAD'\'' is not covered" out &&
	test "$(grep -c "^[^ ]" out)" = 1 && test_grep -F "'\''$D_BACK'\''" out && clean out
'
test_expect_success 'text verdict: the archive file name too' '
	cp hostile.asice "x${ESC}[1m${RLO}.asice" &&
	expect_exit 1 verify "x${ESC}[1m${RLO}.asice" > out &&
	test "$(head -n 1 out)" = "x\\x1B[1m\\u202E.asice: TOTAL-FAILED" && clean out
'
test_expect_success 'show: item names, officer and place in their display form' '
	scelle show names.asice > out &&
	test_grep -F "  $D_RLO" out && test_grep -F "  $D_ZW" out && test_grep -F "  $D_PAD" out &&
	test_grep -x -F "officer         Jean\\u202EDupont" out &&
	test_grep -x -F "place           Nanterre\\u200B" out && clean out
'
test_expect_success 'HTML report: the same display form, HTML-escaped' '
	expect_exit 1 verify --report r.html hostile.asice > /dev/null &&
	test_grep -F "$D_ESC" r.html && test_grep -F "$D_NEL" r.html && test_grep -F "$D_BAD" r.html &&
	verify --report n.html names.asice > /dev/null &&
	test_grep -F "$D_RLO" n.html && test_grep -F "$D_ZW" n.html && test_grep -F "$D_PAD" n.html &&
	test_grep -F "Jean\\u202EDupont" n.html && clean r.html && clean n.html &&
	xmllint --html --noout r.html 2> lint && test ! -s lint
'
test_expect_success 'JSON keeps the strings themselves, as valid JSON' '
	expect_exit 1 verify --json hostile.asice > j &&
	python3 - j <<-PY
	import json, sys
	o = json.loads(open(sys.argv[1], encoding="utf-8").read())
	msgs = " ".join(c["message"] or "" for c in o["checks"])
	assert "evidence/\x1b[2K\rcase.asice: TOTAL-PASSED\x1b[8m" in msgs, msgs
	assert "evidence/nel\u0085x" in msgs and "evidence/\ufffd\ufffdnames" in msgs, msgs
	PY
'
test_skip_unless "no script(1) to give the command a terminal" sh -c 'command -v script'
test_expect_success 'show --xml on a terminal: display form, lines and indentation kept' '
	script -qec "$SCELLE show --xml names.asice" /dev/null > tty &&
	test_grep -F "path=\"$D_RLO\"" tty && test_grep -F "<officer name=\"Jean\\u202EDupont\"" tty &&
	test_grep "^    <item id=\"i1\"" tty && clean tty &&
	scelle show --xml names.asice > pipe && unzip -p names.asice evidence.xml | cmp - pipe
'
# The progress line names the first item hashed.  A forger lists a name with a carriage
# return and a bidi override (XML carries them as &#13; and the character) in the manifest
# and evidence.xml: the signature breaks, and the line must not hide it.
python3 - <<'PY'
import zipfile
src = zipfile.ZipFile("names.asice")
with zipfile.ZipFile("forged.asice", "w") as z:
    for i in src.infolist():
        data, name = src.read(i.filename), i.filename
        if name == "evidence/a-invoice\u202egpj.exe":
            name = "evidence/\rX\u202eok"
        if name in ("evidence.xml", "META-INF/ASiCManifest001.xml"):
            data = data.replace("a-invoice\u202egpj.exe".encode(), "&#13;X\u202eok".encode())
        zi = zipfile.ZipInfo(name, i.date_time)
        zi.compress_type = i.compress_type
        z.writestr(zi, data)
PY
test_expect_success 'progress line on a terminal: the item name in its display form' '
	expect_exit 1 script -qec "$SCELLE verify --no-timestamp-ok --trust $PKI/ca.pem forged.asice" /dev/null > tty &&
	test_grep -F "ETA 0:00  evidence/\\x0DX\\u202Eok" tty && test_grep "forged.asice: TOTAL-FAILED" tty &&
	clean tty
'
test_expect_success 'progress line: a long name is cut to 40 characters, never inside an escape' '
	rm -rf long && mkdir long && printf 1 > "long/$(printf "%023d" 0)${RLO}abcdefghij" &&
	seal -o long.asice long &&
	script -qec "$SCELLE verify --no-timestamp-ok --trust $PKI/ca.pem long.asice" /dev/null > tty &&
	test_grep -F "ETA 0:00  evidence/long/$(printf "%023d" 0)…$(printf "\r")" tty && clean tty
'
test_skip_end

# Free text is refused at input, before anything is written (exit 2, one line).
refused() { # option message args... : seal with OPTION refused with MESSAGE
	opt=$1 msg=$2; shift 2
	rm -f out.asice &&
	test_must_fail --exit=2 seal -o out.asice "$@" ev/a 2> err &&
	test "$(cat err)" = "scelle: $opt: $msg" && test ! -e out.asice &&
	test -z "$(ls -A | grep "^out.asice")"
}
test_expect_success 'seal refuses control characters in --officer, --role, --unit, --place' '
	refused --officer "control character U+0007 not allowed" --officer "$(u "Jean\007")" &&
	refused --role "control character U+001B not allowed" --role "$(u "OPJ\033[2J")" &&
	refused --unit "control character U+009B not allowed" --unit "OCRTEH${CSI}2J" &&
	refused --place "control character U+000A not allowed" --place "$(u "Nanterre\nforged")" &&
	refused --place "byte 0xFF is not UTF-8" --place "$(u "Nanterre\377")"
'
test_expect_success 'seal refuses control characters in --case' '
	refused --case "control character U+0007 not allowed" --case "$(u "OCRTEH\007:FR:1")" &&
	refused --case "control character U+0085 not allowed" --case "OCRTEH:FR:2026${NEL}1"
'
test_expect_success 'seal refuses control characters in a --case-file, keeps its line breaks' '
	printf "<case xmlns=\"urn:scelle:evidence:1\">\n  <description>a\302\233b</description>\n</case>\n" > c1.xml &&
	rm -f out.asice &&
	test_must_fail --exit=2 seal -o out.asice --case-file c1.xml ev/a 2> err &&
	test "$(cat err)" = "scelle: case file '\''c1.xml'\'': control character U+009B not allowed" &&
	test ! -e out.asice &&
	printf "<case xmlns=\"urn:scelle:evidence:1\">\n\t<description>two\nlines</description>\n</case>\n" > c2.xml &&
	seal -o out.asice --case-file c2.xml ev/a && verify out.asice > /dev/null
'
test_expect_success 'custody add refuses control characters in every free-text option' '
	cp names.asice.custody.xml before.xml &&
	for o in actor role org place from to note; do
		test_must_fail --exit=2 scelle custody add names.asice --event transferred \
			--key "$PKI/officer.key" --cert "$PKI/officer.pem" --$o "$(u "x\033[2Jy")" 2> err &&
		test "$(cat err)" = "scelle: --$o: control character U+001B not allowed" || return 1
	done &&
	test_must_fail --exit=2 scelle custody add names.asice --event transferred \
		--key "$PKI/officer.key" --cert "$PKI/officer.pem" --note "$(u "line\nline")" 2> err &&
	test "$(cat err)" = "scelle: --note: control character U+000A not allowed" &&
	for e in "other:a${CSI}2J" "$(u "other:a\377")"; do
		test_must_fail --exit=2 scelle custody add names.asice --event "$e" \
			--key "$PKI/officer.key" --cert "$PKI/officer.pem" 2> err &&
		test_grep "^scelle: unknown event" err || return 1
	done &&
	cmp before.xml names.asice.custody.xml
'
test_expect_success 'bidi and invisible characters are allowed in, and shown escaped out' '
	scelle custody add names.asice --event transferred --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" --to "UCRIF${RLO}Madrid" -q &&
	scelle custody show --trust "$PKI/ca.pem" --no-timestamp-ok names.asice > out &&
	test_grep -F " to UCRIF\\u202EMadrid -- verifies" out && clean out
'
test_done
