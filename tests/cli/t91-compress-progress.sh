#!/bin/sh
# t91-compress-progress.sh — seal --compress none|auto|max, and progress: nothing when stderr
# is not a terminal, a redrawn line on a terminal, JSON lines with --progress=json.
. "$(dirname "$0")/lib.sh"
make_pki

seal() { scelle seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
# name method, one line per entry
methods() {
	python3 -c '
import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    print(i.filename, i.compress_type)' "$1"
}

mkdir ev
cp "$TOP/examples/evidence/ad-capture/ad-4711-screenshot.png" ev/shot.png
cp "$TOP/examples/evidence/ad-capture/ad-4711.html" ev/ad.html
seq 1 20000 | sed 's/^/[20\/11\/2026 21:14] Alice: message /' > ev/chat.txt
head -c 300000 /dev/urandom > ev/blob.bin

test_expect_success 'auto (the default): text DEFLATEd, PNG and random bytes STORED' '
	seal -q -o auto.asice ev && methods auto.asice > m &&
	test_grep "^evidence/ev/chat.txt 8$" m &&
	test_grep "^evidence/ev/ad.html 8$" m &&
	test_grep "^evidence/ev/shot.png 0$" m &&
	test_grep "^evidence/ev/blob.bin 0$" m &&
	unzip -tq auto.asice
'
# Text that DEFLATE shrinks by less than a tenth (random Latin-1 letters: file(1) says
# text/plain): STORED, whether one read holds it whole (judged by its own DEFLATE) or it is
# streamed (judged by a trial on its first 64 KiB).
mkdir flat
python3 -c "
import random, sys
random.seed(7)
al = bytes(range(0x20, 0x7f)) + bytes(range(0xa0, 0x100))
for name, n in (sys.argv[1], 30000), (sys.argv[2], 3000000):
    open(name, \"wb\").write(bytes(random.choice(al) for _ in range(n)))
" flat/small.txt flat/long.txt
cp ev/chat.txt flat/
test_expect_success 'auto: text that DEFLATE does not shrink by a tenth is STORED' '
	test "$(file -b --mime-type flat/small.txt flat/long.txt | sort -u)" = text/plain &&
	seal -q -o flat.asice flat && methods flat.asice > m &&
	test_grep "^evidence/flat/small.txt 0$" m &&
	test_grep "^evidence/flat/long.txt 0$" m &&
	test_grep "^evidence/flat/chat.txt 8$" m &&
	unzip -tq flat.asice
'
test_expect_success 'none: every item STORED' '
	seal -q --compress none -o none.asice ev && methods none.asice > m &&
	test "$(grep -c "^evidence/.* 0$" m)" = 4 &&
	test "$(stat -c %s none.asice)" -gt "$(stat -c %s auto.asice)"
'
test_expect_success 'max: all but known compressed formats DEFLATEd, smaller than auto' '
	seal -q --compress max -o max.asice ev && methods max.asice > m &&
	test_grep "^evidence/ev/blob.bin 8$" m &&
	test_grep "^evidence/ev/chat.txt 8$" m &&
	test_grep "^evidence/ev/shot.png 0$" m &&
	test "$(stat -c %s max.asice)" -le "$(stat -c %s auto.asice)" &&
	unzip -tq max.asice
'
test_expect_success 'every mode keeps the digests of the original bytes' '
	for a in auto none max; do
		scelle verify --no-timestamp-ok --trust "$PKI/ca.pem" $a.asice > /dev/null || exit 1
	done &&
	python3 -c "
import sys, zipfile
z = [zipfile.ZipFile(a) for a in sys.argv[1:]]
names = [n for n in z[0].namelist() if n.startswith(\"evidence/\")]
for n in names:
    assert z[0].read(n) == z[1].read(n) == z[2].read(n) == open(n[len(\"evidence/\"):], \"rb\").read(), n
" auto.asice none.asice max.asice
'
test_expect_success 'an unknown --compress mode is a usage error' '
	test_must_fail --exit=2 seal -q --compress best -o x.asice ev 2> err &&
	test_grep "^scelle: invalid compression '\''best'\'' (use auto, max or none)$" err &&
	test ! -e x.asice
'

test_expect_success 'media types agree with file(1), JPEG included' '
	mkdir types &&
	{ printf "\377\330\377\340\000\020JFIF\000"; head -c 5000 /dev/urandom; } > types/photo.jpg &&
	{ printf "\377\330\377\341\000\030Exif\000\000"; head -c 5000 /dev/urandom; } > types/exif.jpg &&
	cp ev/shot.png ev/ad.html ev/chat.txt ev/blob.bin types/ &&
	seal -q -o types.asice types &&
	unzip -p types.asice evidence.xml > ev.xml &&
	for f in types/*; do
		want=$(file -b --mime-type "$f") &&
		grep -q "path=\"evidence/$f\".* mediaType=\"$want\"" ev.xml ||
		{ echo "$f: file(1) says $want" >&2; grep "$f" ev.xml >&2; exit 1; }
	done
'

truncate -s 300M big.raw
test_expect_success 'no progress when stderr is not a terminal' '
	seal -o p1.asice big.raw 2> err > out &&
	! grep -v -e "^scelle: warning: sealed without a time-stamp (no time-stamp authority given)" -e "^summary: items 1 " err &&
	test_grep "^summary: items 1 " err
'
test_expect_success '--progress=json: JSON lines on stderr, even with -q, ending at the total' '
	start=$(date +%s) &&
	seal -q --progress=json -o p2.asice big.raw 2> prog > out &&
	end=$(date +%s) &&
	test ! -s out &&
	python3 - prog $((end - start)) <<-PY
	import json, sys
	lines = open(sys.argv[1]).read().splitlines()
	# a seal without --tsa ends with that warning (t23)
	assert lines[-1].startswith("scelle: warning: sealed without a time-stamp"), lines[-1]
	lines = lines[:-1]
	objs = [json.loads(l) for l in lines]
	assert objs and all(set(o) == {"done", "total", "item"} for o in objs), lines[:3]
	total = 300 << 20
	assert all(o["total"] == total for o in objs)
	assert [o["done"] for o in objs] == sorted(o["done"] for o in objs)
	assert objs[-1]["done"] == total and objs[-1]["item"] == "evidence/big.raw"
	# at most ten a second, and the last one
	assert len(objs) <= 10 * (int(sys.argv[2]) + 1) + 1, len(objs)
	PY
'
test_expect_success 'verify --progress=json reports the entries it hashes' '
	scelle verify -q --progress=json --no-timestamp-ok --trust "$PKI/ca.pem" p2.asice 2> prog &&
	tail -n 1 prog > last &&
	python3 -c "import json,sys; o=json.load(open(sys.argv[1])); assert o[\"done\"] >= 300 << 20, o" last
'
test_expect_success 'an unknown --progress mode is a usage error' '
	test_must_fail --exit=2 scelle verify --progress=fancy p2.asice 2> err &&
	test_grep "invalid progress mode '\''fancy'\''" err
'
# script(1) runs a command on a pseudo-terminal: tried first, for there may be none to open.
test_skip_unless "no pseudo-terminal can be opened (script -qec)" script -qec "test -t 2" /dev/null
test_expect_success 'on a terminal: one line, redrawn with a carriage return, rate and ETA' '
	script -qec "$SCELLE seal --key $PKI/officer.key --cert $PKI/officer.pem -o p3.asice big.raw" /dev/null > tty.out &&
	test_grep "MB/s" tty.out &&
	test_grep "ETA" tty.out &&
	tr "\r" "\n" < tty.out | grep -c "MB/s" > n &&
	test "$(cat n)" -ge 1
'
test_expect_success 'on a terminal, -q silences the progress' '
	script -qec "$SCELLE seal -q --key $PKI/officer.key --cert $PKI/officer.pem -o p4.asice big.raw" /dev/null > tty.out &&
	! grep -q "MB/s" tty.out
'
test_skip_end

test_done
