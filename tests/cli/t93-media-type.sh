#!/bin/sh
# t93-media-type.sh — the media types seal records (issue 22: the common formats are named
# from their first bytes, libmagic types the rest): for the examples and a fixture of each
# format, evidence.xml says what file(1) says; random bytes are application/octet-stream,
# and an archive among them is still listed by its members.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
python3 - ev/fixtures <<'PY'
import os, random, struct, sys, zipfile, gzip
d = sys.argv[1]
os.makedirs(d)
r = random.Random(22)
rb = lambda n: bytes(r.getrandbits(8) for _ in range(n))
def w(name, b):
    open(os.path.join(d, name), "wb").write(b)
w("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + rb(3000))
w("shot.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rb(2000))
w("anim.gif", b"GIF89a" + rb(500))
w("sticker.webp", b"RIFF" + struct.pack("<I", 2000) + b"WEBPVP8 " + rb(2000))
w("clip.mp4", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + rb(4000))
w("clip.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + rb(4000))
w("note.m4a", b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom" + rb(4000))
w("img.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + rb(4000))
w("doc.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
w("page.html", "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>caf\u00e9, h\u00f4tel</body></html>\n".encode())
w("old.html", b"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n<html><body>x</body></html>\n")
w("latin1.html", b"<!doctype html>\n<p>caf\xe9</p>\n")
w("notes.txt", "rendez-vous demain gare du Nord, 10 h\n".encode() * 20)
w("data.json", b'{"id": 1, "from": "+33612345678", "text": "ok"}\n')
w("voice.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x0a" + rb(3000))
w("blob.gz", gzip.compress(rb(3000), mtime=0))
w("cache.jpg", b"\x9a\x17\x6c\x65\x02\x03" + rb(4000))   # random bytes named .jpg
with zipfile.ZipFile(os.path.join(d, "inner.zip"), "w") as z:
    z.writestr("a.txt", "hello\n")
PY
# what the random-bytes shortcut may name differently: only cache.jpg
(cd ev && find . -type f | sort | while read -r f; do
	printf '%s %s\n' "evidence/ev/${f#./}" "$(file -b --mime-type "$f")"
done) |
	sed 's|^\(evidence/ev/fixtures/cache.jpg\) .*|\1 application/octet-stream|' > want

test_expect_success 'seal the examples and one file of each format' '
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o a.asice ev 2>/dev/null &&
	unzip -p a.asice evidence.xml > evidence.xml
'
test_expect_success 'evidence.xml records the media type file(1) gives, random bytes as octet-stream' '
	python3 - evidence.xml <<-PY | sort > got &&
	import re, sys
	for m in re.finditer(r"<item [^>]*path=\"([^\"]*)\"[^>]*mediaType=\"([^\"]*)\"", open(sys.argv[1]).read()):
	    print(m.group(1), m.group(2))
	PY
	test "$(wc -l < got)" -ge 24 &&
	diff -u want got
'
test_expect_success 'the fixtures cover each rule of media_type.c' '
	for t in image/jpeg image/png image/gif image/webp video/mp4 video/quicktime audio/x-m4a \
		image/heic application/pdf text/html application/warc application/zip text/plain \
		application/octet-stream; do
		grep -q " $t\$" got || { echo "no $t" >&2; return 1; }
	done
'
test_expect_success 'a ZIP file is still opened and listed by its members' '
	grep -F -q "path=\"a.txt\"" evidence.xml
'
test_done
