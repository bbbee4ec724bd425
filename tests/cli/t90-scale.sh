#!/bin/sh
# t90-scale.sh — ZIP64 end to end: an archive of more than 65,535 entries and an item of
# 5 GiB, sealed, verified, and read by python zipfile, unzip -t and Java's ZipInputStream.
# The 5 GiB item (a sparse file: no disk, but every byte is still hashed, CRC'ed and
# written) takes a few minutes on a small machine, so it runs only with SCELLE_SLOW_TESTS=1.
. "$(dirname "$0")/lib.sh"
make_pki

seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
java_read() {
	mkdir -p "$B/java" &&
	{ test -f "$B/java/ZipRead.class" || javac -encoding UTF-8 -d "$B/java" "$TOP/tests/data/ZipRead.java"; } &&
	java -cp "$B/java" ZipRead "$1"
}
# The ZIP64 end of central directory record and its locator (APPNOTE 4.3.14, 4.3.15) are
# present, and the classic end record says "see ZIP64" where a value does not fit.
zip64_end() {
	python3 - "$1" <<-'PY'
	import struct, sys
	d = open(sys.argv[1], "rb")
	d.seek(-98, 2)
	t = d.read()
	i = t.rfind(b"PK\x05\x06")
	assert i >= 0 and t[i - 20:i - 16] == b"PK\x06\x07", "no ZIP64 locator before the end record"
	n_disk, n_total, cd_size, cd_off = struct.unpack("<HHII", t[i + 8:i + 20])
	loc = struct.unpack("<Q", t[i - 12:i - 4])[0]
	d.seek(loc)
	assert d.read(4) == b"PK\x06\x06", "the locator does not point to a ZIP64 end record"
	print(n_total, cd_off)
	PY
}

# 70,000 tiny items in 70 folders (JSON, as a chat export has them).
test_expect_success 'seal 70,000 items (more than 65,535 entries)' '
	python3 - <<-PY &&
	import json, os
	for d in range(70):
	    os.makedirs("many/d%02d" % d)
	    for i in range(1000):
	        with open("many/d%02d/m%04d.json" % (d, i), "w") as f:
	            f.write(json.dumps({"chat": d, "message": i}, separators=(",", ":")) + "\n")
	PY
	seal -o many.asice many &&
	test -s many.asice
'
test_expect_success 'the archive has ZIP64 end records and 70,004 entries' '
	zip64_end many.asice > end &&
	test "$(cut -d" " -f1 end)" = 65535 &&
	python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.infolist()))" many.asice > n &&
	test "$(cat n)" = 70004
'
test_expect_success 'unzip -t reads all 70,004 entries' '
	unzip -t many.asice > unzip.out &&
	test_grep "No errors detected" unzip.out &&
	test "$(grep -c "^    testing: .*OK$" unzip.out)" = 70004
'
test_skip_unless "no Java compiler (openjdk-17-jdk-headless, tests/deps.sh)" javac -version
test_expect_success 'Java ZipInputStream reads every entry' '
	java_read many.asice > java.out &&
	test "$(wc -l < java.out)" = 70004
'
test_skip_end
test_expect_success 'scelle verify passes and lists 70,000 items' '
	verify --json many.asice > v.json &&
	python3 -c "
import json, sys
v = json.load(open(sys.argv[1]))
assert v[\"verdict\"] == \"TOTAL-PASSED\", v[\"verdict\"]
assert len(v[\"items\"]) == 70000 and all(i[\"ok\"] for i in v[\"items\"])
" v.json
'
# Issue 6 bounds verify at 256 MiB for 100,000 items; scaled to 70,000 that is 179 MiB.
# Reading evidence.xml and the manifest as whole trees took 236 MiB here, streaming them
# about 95 MiB: the bound catches a return to trees with a wide margin for the allocator
# and libraries.  Not under the sanitizers (their shadow memory and quarantine).
not_instrumented() { ! nm "$B/libscelle.a" 2>/dev/null | grep -q __asan_report; }
test_skip_unless "instrumented build: the sanitizers' memory is not scelle's" not_instrumented
test_expect_success 'verify of 70,000 items stays under 179 MiB (peak RSS)' '
	/usr/bin/time -f "%M" -o v.rss scelle verify -q --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" many.asice &&
	test "$(tail -1 v.rss)" -lt $((179 * 1024))
'
test_skip_end
test_expect_success 'a changed byte among 70,000 items is found' '
	cp many.asice bad.asice &&
	python3 - bad.asice <<-PY &&
	import sys, zipfile
	z = zipfile.ZipFile(sys.argv[1])
	i = z.getinfo("evidence/many/d42/m0123.json")
	# The data start: local header (30) + name + extra, all STORED.
	with open(sys.argv[1], "r+b") as f:
	    f.seek(i.header_offset + 26)
	    n, x = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
	    f.seek(i.header_offset + 30 + n + x + 2)
	    c = f.read(1)
	    f.seek(-1, 1)
	    f.write(bytes([c[0] ^ 1]))
	PY
	test_must_fail --exit=1 verify bad.asice > bad.out &&
	test_grep "evidence/many/d42/m0123.json" bad.out
'

test_skip_unless "slow: set SCELLE_SLOW_TESTS=1 to run it" test "${SCELLE_SLOW_TESTS:-0}" = 1
	test_expect_success 'seal a 5 GiB item and a small one after it' '
		truncate -s 5G big.raw && echo "after the big one" > small.txt &&
		seal -o big.asice big.raw small.txt &&
		test "$(stat -c %s big.asice)" -gt 5368709120
	'
	test_expect_success 'the 5 GiB entry has ZIP64 sizes; the entries after it ZIP64 offsets' '
		zip64_end big.asice > end &&
		python3 - big.asice <<-PY
		import sys, zipfile
		z = zipfile.ZipFile(sys.argv[1])
		big = z.getinfo("evidence/big.raw")
		assert big.file_size == 5 << 30 and big.compress_size == 5 << 30, big
		small = z.getinfo("evidence/small.txt")
		assert small.header_offset > 1 << 32, small.header_offset
		assert z.read(small) == b"after the big one\n"
		assert z.namelist()[-1] == "META-INF/signature001.p7s"
		PY
	'
	test_expect_success 'python zipfile checks the CRC of all 5 GiB' '
		python3 -c "import zipfile,sys; assert zipfile.ZipFile(sys.argv[1]).testzip() is None" big.asice
	'
	test_expect_success 'unzip -t accepts the 5 GiB archive' '
		unzip -tq big.asice
	'
	test_expect_success 'Java ZipInputStream reads the 5 GiB entry' '
		command -v javac && java_read big.asice > java.out &&
		grep -q "^evidence/big.raw 5368709120 " java.out &&
		test "$(wc -l < java.out)" = 6
	'
	test_expect_success 'scelle verify passes, and its file digest is sha256sum of the file' '
		verify --json big.asice > v.json &&
		python3 -c "import json,sys; v=json.load(open(sys.argv[1])); assert v[\"verdict\"]==\"TOTAL-PASSED\"; print(v[\"file_digest\"])" v.json > fd &&
		test "$(cat fd)" = "$(sha256sum big.asice | cut -d" " -f1)" &&
		rm -f big.raw big.asice
	'
test_skip_end

test_done
