#!/bin/sh
# t63-zip-names.sh — ZIP forgeries that give an entry a second name or a second reading
# (issue 16, points 1 and 8): each must give TOTAL-FAILED (exit 1) naming its check, in the
# text verdict and in the JSON alike; and seal and verify judge name collisions with one key.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
ZH="python3 $TOP/tests/data/ziphack.py"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
seal -o good.asice ev/ad-capture ev/chat-export
printf "forged content\n" > forged.txt
PNG=evidence/ad-capture/ad-4711-screenshot.png	# STORED
CHAT=evidence/chat-export/_chat.txt		# DEFLATEd

# expect_fail ARCHIVE CHECK PATTERN: exit 1 and TOTAL-FAILED in text and in JSON, with the
# check CHECK failed for PATTERN (grep -e in the text, re.search in the JSON message, the
# PATTERN's parentheses literal in both).
expect_fail() {
	expect_exit 1 verify "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "FAILED  *$2  *.*$3" "$1.out" &&
	expect_exit 1 verify --json "$1" > "$1.json" &&
	python3 - "$1.json" "$2" "$3" <<-'PY'
	import json, re, sys
	d = json.load(open(sys.argv[1]))
	assert d["verdict"] == "TOTAL-FAILED", d["verdict"]
	hits = [c for c in d["checks"] if c["id"] == sys.argv[2] and c["status"] == "TOTAL-FAILED"
	        and re.search(re.sub(r"([()])", r"\\\1", sys.argv[3]), c["message"])]
	assert hits, [c for c in d["checks"] if c["status"] != "TOTAL-PASSED"]
	PY
}

test_expect_success 'the archive the forgeries start from verifies' '
	verify good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out
'
test_expect_success '1: a replaced item behind an Info-ZIP Unicode Path (0x7075) with a wrong CRC' '
	$ZH good.asice u-upath.asice upath $PNG evidence/ad-capture/other.png forged.txt &&
	expect_fail u-upath.asice container.structure "local extra field of .$PNG. holds a field 0x7075 (Info-ZIP Unicode Path)" &&
	expect_fail u-upath.asice manifest.digest "$PNG.: sha256 differs from ASiCManifest" &&
	python3 -c "import json,sys; d = json.load(open(sys.argv[1])); assert not [i for i in d[\"items\"] if i[\"path\"] == sys.argv[2] and i[\"ok\"]]" u-upath.asice.json "$PNG"
'
test_expect_success '2: an Info-ZIP Unicode Path field in the central directory' '
	$ZH good.asice u-cpath.asice extra $CHAT 7075 central &&
	expect_fail u-cpath.asice container.structure "the extra field of .$CHAT. holds a field 0x7075"
'
test_expect_success '3: an Info-ZIP Unicode Comment field (0x6375)' '
	$ZH good.asice u-ucom.asice extra $CHAT 6375 local &&
	expect_fail u-ucom.asice container.structure "holds a field 0x6375 (Info-ZIP Unicode Comment)"
'
test_expect_success '4: an unknown extra field, in both headers' '
	$ZH good.asice u-unknown.asice extra evidence.xml cafe both &&
	expect_fail u-unknown.asice container.structure "local extra field of .evidence.xml. holds a field 0xcafe (unknown)" &&
	test_grep "the extra field of .evidence.xml. holds a field 0xcafe" u-unknown.asice.out
'
test_expect_success '5: a ZIP64 field that no 32-bit slot calls for' '
	$ZH good.asice u-z64.asice extra $CHAT 0001 central &&
	expect_fail u-z64.asice container.structure "ZIP64 field of .$CHAT. is damaged, lacks a value its record needs or holds one it does not"
'
test_expect_success 'a ZIP64 field that its 32-bit slots call for is accepted (what seal writes)' '
	$ZH good.asice ok-z64.asice force64 $CHAT &&
	verify ok-z64.asice > out && test_grep "^ok-z64.asice: TOTAL-PASSED$" out &&
	python3 -c "import zipfile,sys; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None" ok-z64.asice
'
test_expect_success '6: a local header naming another file than the central directory' '
	$ZH good.asice u-lname.asice lname $PNG evidence/ad-capture/other.png &&
	expect_fail u-lname.asice container.structure "the local header names .evidence/ad-capture/other.png. where the central directory names .$PNG."
'
test_expect_success '7: a local header name with .. and one with a backslash' '
	$ZH good.asice u-ldotdot.asice lname $PNG ../../ad-4711-screenshot.png &&
	expect_fail u-ldotdot.asice container.structure "the local header names .\.\./\.\./ad-4711-screenshot.png." &&
	$ZH good.asice u-lbslash.asice lname $PNG "evidence\\ad-capture\\ad-4711-screenshot.png" &&
	expect_fail u-lbslash.asice container.structure "the local header names .evidence.*ad-capture.*ad-4711-screenshot.png. where"
'
test_expect_success '8: a non-ASCII name without the UTF-8 flag (bit 11): CP437 elsewhere' '
	mkdir -p uni && echo "saisie" > "uni/$(printf "caf\303\251").txt" &&
	seal -o uni.asice uni && verify uni.asice > out &&
	$ZH uni.asice u-cp437.asice rename "evidence/uni/$(printf "caf\303\251").txt" "evidence/uni/$(printf "caf\303\251").txt" 0 &&
	expect_fail u-cp437.asice container.names "is not ASCII and not flagged as UTF-8 (general purpose bit 11): other readers decode it as CP437"
'
test_expect_success '9: a signed item missing from the ZIP' '
	$ZE good.asice u-missing.asice remove $PNG &&
	expect_fail u-missing.asice evidence.items ".$PNG. is listed in evidence.xml but missing from the archive" &&
	expect_fail u-missing.asice manifest.references "references a file that is not in the archive"
'
test_expect_success '10: an entry whose Unix mode says symbolic link' '
	$ZH good.asice u-link.asice mode $CHAT 120777 &&
	expect_fail u-link.asice container.names "unsafe entry: symbolic link entry"
'
test_expect_success '11: a file comment in the central directory' '
	$ZH good.asice u-fcom.asice fcomment $PNG "verified by the court" &&
	expect_fail u-fcom.asice container.structure ".$PNG. has a file comment of 21 bytes"
'
test_expect_success '12: an entry whose name is the folder of another' '
	$ZE good.asice u-folder.asice add "$CHAT/inner.txt" forged.txt &&
	expect_fail u-folder.asice container.names ".$CHAT/inner.txt. lies in a folder that is also a file of the archive"
'
test_expect_success '13: a DEFLATE stream with bytes after its end inside the entry' '
	python3 - good.asice u-tail.asice "$CHAT" <<-PY &&
	import struct, sys, zipfile, zlib
	src, dst, name = sys.argv[1:]
	zin = zipfile.ZipFile(src)
	with zipfile.ZipFile(dst, "w") as z:
	    for i in zin.infolist():
	        z.writestr(i, zin.read(i.filename), compress_type=i.compress_type)
	raw = bytearray(open(dst, "rb").read())
	# hidden bytes after the DEFLATE stream: csize grows by 6, in both headers
	zi = zipfile.ZipFile(dst).getinfo(name)
	lo = zi.header_offset
	nl, xl = struct.unpack_from("<HH", raw, lo + 26)
	end = lo + 30 + nl + xl + zi.compress_size
	raw[end:end] = b"HIDDEN"
	struct.pack_into("<I", raw, lo + 18, zi.compress_size + 6)
	e = raw.rfind(b"PK\x05\x06")
	cd = struct.unpack_from("<I", raw, e + 16)[0] + 6
	struct.pack_into("<I", raw, e + 16, cd)
	o = cd
	while raw[o:o + 4] == b"PK\x01\x02":
	    n, x, c = struct.unpack_from("<HHH", raw, o + 28)
	    off = struct.unpack_from("<I", raw, o + 42)[0]
	    if raw[o + 46:o + 46 + n] == name.encode():
	        struct.pack_into("<I", raw, o + 20, zi.compress_size + 6)
	    elif off > lo:
	        struct.pack_into("<I", raw, o + 42, off + 6)
	    o += 46 + n + x + c
	open(dst, "wb").write(raw)
	PY
	expect_fail u-tail.asice container.zip ".$CHAT. cannot be read: bytes follow the end of its DEFLATE stream"
'
test_expect_success '14: a DEFLATE entry whose central record claims fewer bytes than it inflates to' '
	$ZH good.asice u-short.asice usize $CHAT 100 &&
	expect_fail u-short.asice container.zip ".$CHAT. cannot be read: it inflates to more than the 100 bytes its central record says"
'
test_expect_success '15: a second end record, with no comment, inside the comment of the real one' '
	python3 - good.asice u-eocd.asice <<-PY &&
	import struct, sys
	b = open(sys.argv[1], "rb").read()
	e = b.rfind(b"PK\x05\x06")
	real = bytearray(b[e:e + 22])
	fake = bytes(real)
	real[20:22] = struct.pack("<H", 22)
	open(sys.argv[2], "wb").write(b[:e] + bytes(real) + fake)
	PY
	expect_fail u-eocd.asice container.structure "a second central directory: 22 bytes between the central directory and the end record"
'

# --- issue 16 point 8: one collision key (names.c) for seal and verify ---------------------
# pair NAME1 NAME2 collide|apart: seal refuses both names in one archive exactly when
# verify fails an archive that holds both (the second added by zipedit).
pair() {
	d=p$(printf "%s" "$1$2" | od -An -tx1 | tr -d " \n" | cut -c1-16) &&
	mkdir -p "$d/one" "$d/two" && echo a > "$d/two/$1" && echo b > "$d/two/$2" && echo a > "$d/one/$1" &&
	seal -o "$d.asice" --as "x/$1" "$d/one/$1" && verify "$d.asice" > /dev/null &&
	$ZE "$d.asice" "$d-2.asice" add "evidence/x/$2" "$d/two/$2" &&
	expect_exit 1 verify "$d-2.asice" > "$d.out" &&
	if [ "$3" = collide ]; then
		test_must_fail --exit=2 seal -o "$d-s.asice" "$d/two" 2> "$d.err" &&
		test_grep "would collide: .* differ only in case or Unicode normalisation" "$d.err" &&
		test_grep "FAILED  *container.names  *.evidence/x/.*differ only in case or Unicode normalisation" "$d.out"
	else
		seal -o "$d-s.asice" "$d/two" && verify "$d-s.asice" > /dev/null &&
		! grep -q "container.names" "$d.out"
	fi
}
test_expect_success 'Straße and STRASSE: full case folding, one file for seal and verify' '
	pair "$(printf "Stra\303\237e")" STRASSE collide
'
test_expect_success 'é in NFC and in NFD: one name for seal and verify' '
	pair "$(printf "caf\303\251")" "$(printf "cafe\314\201")" collide
'
test_expect_success 'the titlecase digraph ǅ and ǆ: one name for seal and verify' '
	pair "$(printf "\307\205ep")" "$(printf "\307\206ep")" collide
'
test_expect_success 'İ (dotted capital I) and i with a combining dot: one name for seal and verify' '
	pair "$(printf "\304\260l")" "$(printf "i\314\207l")" collide
'
test_expect_success 'Turkish dotless ı and I: two names for seal and verify (no Turkish folding)' '
	pair "$(printf "\304\261l")" "Il" apart
'
test_done
