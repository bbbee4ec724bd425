#!/bin/sh
# t41-extract.sh — scelle extract: verified first, byte-identical items with their original
# mtimes, a BagIt bag that checks, and nothing ever written outside the folder or over a file.
. "$(dirname "$0")/lib.sh"
make_pki
# fixed original mtimes, to see that extraction restores them
test_expect_success 'setup' '
	cp -R "$TOP/examples/evidence" ev &&
	find ev -type f -exec touch -d "2024-03-01 12:34:56 UTC" {} + &&
	touch -d "2023-12-24 08:00:00 UTC" ev/chat-export/_chat.txt &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" -o good.asice \
		--case "OCRTEH Paris:FR:2026/0042" --case "UCRIF Madrid:ES:DP-77/2026" \
		--officer "Capitaine Demo Martin" --unit OCRTEH ev/ad-capture ev/chat-export &&
	python3 "$TOP/tests/data/zipedit.py" good.asice bad.asice flip evidence/ad-capture/ad-4711.html
'
x() { scelle extract --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
mkdir -p deep/down && cd deep/down || exit 2   # so that '../x' has somewhere to land

# craft OUT OLDNAME NEWNAME [symlink]: a copy of good.asice with one item renamed, in the ZIP
# and in evidence.xml, or (symlink) turned into a symbolic link entry to NEWNAME.
craft() {
	python3 - ../../good.asice "$@" <<-'PY'
	import sys, zipfile
	src, out, old, new = sys.argv[1:5]
	link = len(sys.argv) > 5
	zin = zipfile.ZipFile(src)
	with zipfile.ZipFile(out, "w") as z:
	    for i in zin.infolist():
	        data = zin.read(i.filename)
	        zi = zipfile.ZipInfo(i.filename, i.date_time)
	        zi.compress_type = i.compress_type
	        if i.filename == "evidence.xml" and not link:
	            data = data.replace(('path="%s"' % old).encode(), ('path="%s"' % new).encode())
	        if i.filename == old:
	            if link:
	                zi.create_system = 3
	                zi.external_attr = (0o120777 << 16)
	                data = new.encode()
	            else:
	                zi.filename = new
	        z.writestr(zi, data)
	PY
}
nothing_outside() { # no file appeared anywhere in the test folder, out*/ and outputs aside
	found=$(cd "$T" && find . -newer "$T/stamp" ! -path "./deep/down/out*" ! -path "./deep/down" \
		! -path . ! -path ./deep ! -name "*.asice" ! -name ".out" ! -name err ! -name stamp) &&
	test -z "$found" || { echo "written outside: $found"; false; }
}

test_expect_success 'extract writes every item byte-identical, read-only, with its mtime' '
	x -C out ../../good.asice > msg && test_grep "^../../good.asice: 4 items extracted into out (TOTAL-PASSED)$" msg &&
	cmp out/ad-capture/ad-4711.html "$T/ev/ad-capture/ad-4711.html" &&
	cmp out/ad-capture/ad-4711-screenshot.png "$T/ev/ad-capture/ad-4711-screenshot.png" &&
	cmp out/chat-export/_chat.txt "$T/ev/chat-export/_chat.txt" &&
	cmp out/chat-export/media/00000001-PHOTO-2026-11-20.png "$T/ev/chat-export/media/00000001-PHOTO-2026-11-20.png" &&
	test "$(stat -c %Y out/chat-export/_chat.txt)" = "$(date -d "2023-12-24 08:00:00 UTC" +%s)" &&
	test "$(stat -c %Y out/ad-capture/ad-4711.html)" = "$(date -d "2024-03-01 12:34:56 UTC" +%s)" &&
	test "$(stat -c %a out/ad-capture/ad-4711.html)" = 444 &&
	test "$(find out -type f | wc -l)" = 4
'
test_expect_success 'extract never overwrites: a second run fails and changes nothing' '
	find out -type f -exec sha256sum {} + | sort > before &&
	test_must_fail --exit=2 x -C out ../../good.asice 2> err &&
	test_grep "^scelle: cannot extract .*: .ad-capture/ad-4711-screenshot.png. exists; not overwriting$" err &&
	find out -type f -exec sha256sum {} + | sort > after && cmp before after
'
test_expect_success 'ITEM selects one file or a folder; an unknown ITEM is an error' '
	x -q -C one ../../good.asice evidence/chat-export/_chat.txt && test "$(find one -type f)" = one/chat-export/_chat.txt &&
	x -q -C two ../../good.asice chat-export/ && test "$(find two -type f | wc -l)" = 2 &&
	test_must_fail --exit=2 x -C three ../../good.asice chat-export/nope.txt 2> err &&
	test_grep "no item .chat-export/nope.txt. in the archive" err && test ! -e three/chat-export
'
test_expect_success 'a TOTAL-FAILED archive is refused, saying so; --force extracts it' '
	test_must_fail --exit=1 x -C bad ../../bad.asice 2> err &&
	test_grep "^scelle: .../../bad.asice. failed verification; not extracting (--force extracts it anyway)$" err &&
	test_grep "HASH_FAILURE" err && test ! -e bad/ad-capture &&
	test_must_fail --exit=1 x --force -C bad ../../bad.asice > out.txt 2> err &&
	test_grep "extracting anyway" err && test "$(find bad -type f | wc -l)" = 4 &&
	! cmp -s bad/ad-capture/ad-4711.html "$T/ev/ad-capture/ad-4711.html"
'
test_expect_success 'an INDETERMINATE archive is extracted, with exit status 3' '
	expect_exit 3 scelle extract -q --trust "$PKI/other-ca.pem" --no-timestamp-ok -C ind ../../good.asice &&
	test "$(find ind -type f | wc -l)" = 4
'
test_expect_success 'an item named ../x is refused, with and without --force' '
	touch "$T/stamp" && sleep 1 &&
	craft dotdot.asice evidence/ad-capture/ad-4711.html ../x &&
	test_must_fail --exit=1 x -C out2 dotdot.asice 2> err && test_grep "failed verification" err &&
	test_must_fail --exit=2 x --force -C out2 dotdot.asice 2> err &&
	test_grep "refusing to extract .\.\./x.: .\.. or .\.\.. in path" err &&
	test ! -e ../x && test ! -e x && test ! -e out2/ad-capture && nothing_outside
'
test_expect_success 'an item named evidence/../../x is refused' '
	craft dotdot2.asice evidence/ad-capture/ad-4711.html evidence/../../x &&
	test_must_fail --exit=2 x --force -C out3 dotdot2.asice 2> err &&
	test_grep "refusing to extract .evidence/\.\./\.\./x.: .\.. or .\.\.. in path" err &&
	test ! -e ../x && test ! -e x && nothing_outside
'
test_expect_success 'an item named /etc/x (absolute) is refused' '
	test ! -e /etc/x && craft abs.asice evidence/ad-capture/ad-4711.html /etc/x &&
	test_must_fail --exit=1 x -C out4 abs.asice 2> err &&
	test_must_fail --exit=2 x --force -C out4 abs.asice 2> err &&
	test_grep "refusing to extract ./etc/x.: absolute path" err && test ! -e /etc/x && nothing_outside
'
test_expect_success 'a symbolic link entry is refused and nothing is written' '
	craft link.asice evidence/ad-capture/ad-4711.html ../../../../victim symlink &&
	test_must_fail --exit=1 x -C out5 link.asice 2> err && test_grep "symbolic link entry" err &&
	test_must_fail --exit=2 x --force -C out5 link.asice 2> err &&
	test_grep "refusing to extract .evidence/ad-capture/ad-4711.html.: a symbolic link entry" err &&
	test ! -e out5 && test ! -e "$T/victim" && nothing_outside
'
test_expect_success 'a symbolic link to a folder inside DIR is not followed' '
	mkdir -p out6 elsewhere && ln -s ../elsewhere out6/ad-capture &&
	test_must_fail --exit=2 x -C out6 ../../good.asice 2> err &&
	test_grep "refusing to write through .ad-capture.: not a folder (a symbolic link?)" err &&
	test -z "$(ls elsewhere)" && test ! -e out6/chat-export
'
test_expect_success 'a symbolic link planted at a file name is not written through' '
	mkdir -p out7/ad-capture && echo precious > victim &&
	ln -s ../../victim out7/ad-capture/ad-4711.html &&
	test_must_fail --exit=2 x -C out7 ../../good.asice 2> err &&
	test_grep "ad-capture/ad-4711.html. exists; not overwriting" err &&
	test "$(cat victim)" = precious && test ! -e out7/chat-export
'
test_expect_success '--bagit lays out an RFC 8493 bag whose manifest checks' '
	x -q --bagit -C bag ../../good.asice &&
	printf "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" > want && cmp want bag/bagit.txt &&
	(cd bag && sha256sum --strict -c manifest-sha256.txt) > sums &&
	test "$(grep -c ": OK$" sums)" = 4 &&
	test "$(find bag/data -type f | wc -l)" = 4 &&
	test_grep "^Case-Reference: 2026/0042 (OCRTEH Paris, FR)$" bag/bag-info.txt &&
	test_grep "^Case-Reference: DP-77/2026 (UCRIF Madrid, ES)$" bag/bag-info.txt &&
	test_grep "^Source-Organization: OCRTEH$" bag/bag-info.txt &&
	test_grep "^Seal-Identifier: [0-9a-f]\{64\}$" bag/bag-info.txt &&
	test_grep "^Bagging-Date: [0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$" bag/bag-info.txt &&
	bytes=$(find bag/data -type f -exec cat {} + | wc -c) &&
	test_grep "^Payload-Oxum: $bytes.4$" bag/bag-info.txt &&
	cmp bag/data/chat-export/_chat.txt "$T/ev/chat-export/_chat.txt" &&
	test_must_fail --exit=2 x -q --bagit -C bag ../../good.asice 2> err && test_grep "exists; not overwriting" err
'
test_expect_success 'extract --help; usage errors exit 2' '
	scelle extract --help > out.txt && test_grep -- "--bagit" out.txt &&
	test_must_fail --exit=2 scelle extract 2> err && test_grep "^scelle: no archive given$" err &&
	test_must_fail --exit=2 scelle extract --bogus x.asice 2> err
'
test_expect_success 'extract takes the verifier options of verify: a ledger head that differs refuses it' '
	cd ../.. && scelle extract --help >help && scelle verify --help >vhelp &&
	for o in --trust --trust-dir --system-trust --untrusted --crl --online --no-revocation-check \
		--tsa-trust --no-timestamp-ok --max-skew --ledger --ledger-head --require-ledger; do
		test_grep -q -- "^      $o\b" help && test_grep -q -- "^      $o\b" vhelp || return 1
	done &&
	h=$(printf "%064d" 0) &&
	test_must_fail --exit=1 x -C lh --ledger-head $h good.asice 2>err >out &&
	test_grep "ledger" err && test ! -e lh &&
	mv good.asice.custody.xml kept.xml &&
	test_must_fail --exit=1 x -C rl --require-ledger good.asice 2>err && test ! -e rl &&
	x -q -C rl2 good.asice && mv kept.xml good.asice.custody.xml &&
	test_must_fail --exit=2 x -C ms --max-skew later good.asice 2>err &&
	test_grep "^scelle: invalid --max-skew .later. (seconds)$" err &&
	x -q -C nr --no-revocation-check --max-skew 60 good.asice && test -d nr/ad-capture
'
test_done
