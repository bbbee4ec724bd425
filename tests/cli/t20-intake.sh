#!/bin/sh
# t20-intake.sh — what each item is and where it came from: members of archives, WARC
# records, chat exports, damaged and hostile archives, --item-info, a file that changes
# while it is read.  Every fixture is built here (zip, bsdtar, tests/data/mkwarc.py, printf).
. "$(dirname "$0")/lib.sh"
make_pki

seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
evxml() { unzip -p "$1" evidence.xml > "$2" && xmllint --noout --schema "$TOP/formats/evidence.xsd" "$2"; }
bad() { # expected-message args...: one line on stderr, exit 2, nothing written
	msg=$1; shift
	rm -f out.asice
	test_must_fail --exit=2 seal -o out.asice "$@" 2> err &&
	test ! -e out.asice && test "$(wc -l < err)" = 1 && test_grep -F "$msg" err &&
	test -z "$(ls -A | grep "out.asice")"
}
# members.py EVIDENCE.XML ITEM-PATH FOLDER: the item's members are exactly the files below
# FOLDER, each with its size and SHA-256.
cat > members.py <<'PY'
import hashlib, os, sys, xml.etree.ElementTree as ET
E = "{urn:scelle:evidence:1}"
xml, item, folder = sys.argv[1:4]
it = [i for i in ET.parse(xml).getroot().iter(E + "item") if i.get("path") == item][0]
m = it.find(E + "members")
assert m.get("status") == "complete", (m.get("status"), m.findtext(E + "error"))
got = {x.get("path"): (int(x.get("size")), x.get("sha256")) for x in m.findall(E + "member") if x.get("kind") == "file"}
want = {}
for root, dirs, files in os.walk(folder):
    for f in files:
        p = os.path.join(root, f)
        d = open(p, "rb").read()
        want[os.path.relpath(p, folder)] = (len(d), hashlib.sha256(d).hexdigest())
assert got == want, (got, want)
assert int(m.get("count")) == len(m.findall(E + "member")), m.get("count")
print(m.get("format"), m.get("filter") or "-", len(got))
PY

mkdir -p src/sub items
printf 'ad text\n' > src/a.txt
python3 -c 'import random; random.seed(4711); open("src/sub/b.bin","wb").write(bytes(random.getrandbits(8) for _ in range(100000)))'
: > src/sub/empty
(cd src && zip -qr ../items/members.zip .)
bsdtar -czf items/members.tgz -C src a.txt sub
bsdtar --format 7zip -cf items/members.7z -C src a.txt sub
bsdtar -cJf items/members.tar.xz -C src a.txt sub

test_expect_success 'ZIP, tar.gz, 7z and tar.xz members are listed with size and SHA-256' '
	seal -o m.asice items && evxml m.asice m.xml &&
	python3 members.py m.xml evidence/items/members.zip src > f1 && test_grep "^zip - 3$" f1 &&
	python3 members.py m.xml evidence/items/members.tgz src > f2 && test_grep "^tar gzip 3$" f2 &&
	python3 members.py m.xml evidence/items/members.7z src > f3 && test_grep "^7z - 3$" f3 &&
	python3 members.py m.xml evidence/items/members.tar.xz src > f4 && test_grep "^tar xz 3$" f4
'
# doc/design.md §5: a container is listed from its copy in the archive, not read twice.
# (strace needs ptrace, which a container may forbid: tried on a command first.)
test_skip_unless "no strace here, or ptrace is not allowed" strace -o /dev/null true
test_expect_success 'a container is opened once: listed from its copy in the archive' '
	# (LeakSanitizer cannot run under ptrace: off for this one run of make check-asan)
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=open,openat -o opens \
		scelle seal -q --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" -o once.asice items/members.zip &&
	test "$(grep -c "members.zip\"" opens)" -eq 1 &&
	evxml once.asice once.xml &&
	python3 members.py once.xml evidence/members.zip src > f5 && test_grep "^zip - 3$" f5
'
test_skip_end
test_expect_success 'a tar that --compress max DEFLATEs is listed from its inflated copy' '
	bsdtar -cf items2.tar -C src a.txt sub &&
	seal --compress max -o max.asice items2.tar && evxml max.asice max.xml &&
	unzip -v max.asice evidence/items2.tar > v && test_grep "Defl:. .*evidence/items2.tar" v &&
	python3 members.py max.xml evidence/items2.tar src > f6 && test_grep "^tar - 3$" f6
'
test_expect_success 'folders inside archives are listed as folders, with media types' '
	test_grep "<member path=\"sub/\" kind=\"folder\"" m.xml &&
	test_grep "path=\"a.txt\" kind=\"file\" size=\"8\" sha256=\"$(sha256sum src/a.txt | cut -c1-64)\" mediaType=\"text/plain\"" m.xml
'
test_expect_success 'nothing was extracted to disk next to the inputs' '
	test "$(find items | sort | tr "\n" " ")" = "items items/members.7z items/members.tar.xz items/members.tgz items/members.zip "
'

mkdir -p nest
cp items/members.zip nest/
bsdtar -cf nest.tar -C nest members.zip
test_expect_success 'an archive inside an archive is listed one level down' '
	seal -o n.asice nest.tar && evxml n.asice n.xml &&
	python3 - n.xml <<-PY
	import sys, xml.etree.ElementTree as ET
	E = "{urn:scelle:evidence:1}"
	m = ET.parse(sys.argv[1]).getroot().find(".//" + E + "members")
	inner = m.find(E + "member").find(E + "members")
	assert m.get("format") == "tar" and inner.get("format") == "zip", (m.attrib, inner)
	assert sorted(x.get("path") for x in inner.findall(E + "member")) == ["a.txt", "sub/", "sub/b.bin", "sub/empty"]
	PY
'
test_expect_success '--list-depth 1 lists the outer archive only' '
	seal -o n1.asice --list-depth 1 nest.tar && evxml n1.asice n1.xml &&
	test "$(grep -c "<members " n1.xml)" = 1 && test_grep "path=\"members.zip\"" n1.xml
'

# WARC files: written by tests/data/mkwarc.py (digests as crawlers write them) and by hand.
printf '<html><body>Annonce 4711</body></html>\n' > page.html
mkdir -p web
python3 "$TOP/tests/data/mkwarc.py" web/cap.warc "https://ads.invalid/4711=page.html" "https://ads.invalid/4711.png=src/sub/b.bin"
python3 "$TOP/tests/data/mkwarc.py" -z web/cap.warc.gz "https://ads.invalid/4711=page.html"
python3 "$TOP/tests/data/mkwarc.py" --tamper 1 web/tampered.warc "https://ads.invalid/4711=page.html"
test_expect_success 'a WARC file is listed record by record: type, target URI, date, digests' '
	seal -o w.asice web && evxml w.asice w.xml &&
	python3 - w.xml <<-PY
	import hashlib, sys, xml.etree.ElementTree as ET
	E = "{urn:scelle:evidence:1}"
	items = {i.get("path"): i for i in ET.parse(sys.argv[1]).getroot().iter(E + "item")}
	m = items["evidence/web/cap.warc"].find(E + "members")
	assert (m.get("format"), m.get("status"), m.get("count")) == ("warc", "complete", "5"), m.attrib
	r = m.findall(E + "record")
	assert [x.get("type") for x in r] == ["warcinfo", "request", "response", "request", "response"]
	assert r[2].get("targetUri") == "https://ads.invalid/4711" and r[4].get("targetUri") == "https://ads.invalid/4711.png"
	assert all(x.get("date") == "2026-11-20T21:14:00Z" for x in r)
	assert r[2].get("payloadDigest").startswith("sha1:") and r[2].get("payloadDigestMatches") == "true"
	assert r[4].get("payloadDigestMatches") == "true" and all(x.get("blockDigestMatches") == "true" for x in r)
	body = open("page.html", "rb").read()
	assert int(r[2].get("length")) > len(body)
	g = items["evidence/web/cap.warc.gz"].find(E + "members")
	assert (g.get("format"), g.get("filter"), g.get("count")) == ("warc", "gzip", "3"), g.attrib
	assert g.findall(E + "record")[2].get("payloadDigestMatches") == "true"
	t = items["evidence/web/tampered.warc"].find(E + "members").findall(E + "record")[2]
	assert t.get("payloadDigestMatches") == "false" and t.get("blockDigestMatches") == "false", t.attrib
	PY
'
printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: <http://ads.invalid/x>\r\nWARC-Date: 2026-11-20T21:15:00Z\r\nContent-Length: 5\r\n\r\nhello\r\n\r\nWARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 100\r\n\r\nshort' > hand.warc
test_expect_success 'a hand-written WARC 1.0 with a truncated last record: listed, damaged, sealed whole' '
	seal -o h.asice hand.warc && evxml h.asice h.xml &&
	test_grep "status=\"damaged\" count=\"2\"" h.xml &&
	test_grep "<error>record 2 at byte 135: truncated, 5 of 100 block bytes</error>" h.xml &&
	test_grep "targetUri=\"http://ads.invalid/x\" date=\"2026-11-20T21:15:00Z\"" h.xml &&
	unzip -p h.asice evidence/hand.warc | cmp - hand.warc
'

# Damaged evidence is recorded as damaged and sealed byte for byte, never refused.
mkdir -p damaged
head -c 300 items/members.zip > damaged/cut.zip
{ head -c 30 items/members.zip; printf 'garbage where the data should be'; } > damaged/fake.zip
mkdir -p inner && cp damaged/cut.zip inner/broken.zip && cp src/a.txt inner/
bsdtar -cf damaged/outer.tar -C inner a.txt broken.zip
test_expect_success 'a truncated ZIP, a fake ZIP and a damaged inner archive are reported in evidence.xml' '
	seal -o d.asice damaged && evxml d.asice d.xml &&
	python3 - d.xml <<-PY
	import sys, xml.etree.ElementTree as ET
	E = "{urn:scelle:evidence:1}"
	items = {i.get("path"): i for i in ET.parse(sys.argv[1]).getroot().iter(E + "item")}
	for name in ("cut.zip", "fake.zip"):
	    m = items["evidence/damaged/" + name].find(E + "members")
	    assert m.get("status") == "damaged" and m.findtext(E + "error"), (name, m.attrib)
	o = items["evidence/damaged/outer.tar"].find(E + "members")
	assert o.get("status") == "complete", o.attrib
	b = [x for x in o.findall(E + "member") if x.get("path") == "broken.zip"][0]
	assert b.get("sha256") and b.find(E + "members").get("status") == "damaged", b.find(E + "members").attrib
	PY
'
test_expect_success 'the damaged items are sealed byte-exact and the archive verifies' '
	for f in cut.zip fake.zip outer.tar; do
		unzip -p d.asice "evidence/damaged/$f" | cmp - "damaged/$f" || exit 1
	done &&
	scelle verify -q --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" d.asice
'
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(3):
        z.writestr("zeros%d.bin" % i, bytes(8 << 20))
PY
test_expect_success 'a zip bomb is recorded as a truncated listing, not expanded' '
	seal -o b.asice --list-max-bytes 1M bomb.zip && evxml b.asice b.xml &&
	test_grep "status=\"truncated\" count=\"1\"" b.xml &&
	test_grep "<error>the byte cap was reached</error>" b.xml &&
	! grep -q "zeros1.bin" b.xml &&
	unzip -p b.asice evidence/bomb.zip | cmp - bomb.zip
'
test_expect_success 'without the cap the same archive is listed in full' '
	seal -o b2.asice bomb.zip && evxml b2.asice b2.xml &&
	test_grep "status=\"complete\" count=\"3\"" b2.xml &&
	test "$(grep -c "sha256=\"$(head -c 8388608 /dev/zero | sha256sum | cut -c1-64)\"" b2.xml)" = 3
'

# Chat exports.
mkdir -p chats/tg chats/android
cp "$TOP/examples/evidence/phone/WhatsApp-Chat-Recruiter-A.zip" chats/
cat > "chats/android/WhatsApp Chat with Alice.txt" <<'EOF'
11/20/26, 9:14 PM - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.
11/20/26, 9:14 PM - Alice: Hi
11/20/26, 9:15 PM - Bob: Who is this?
a second line of the same message
11/20/26, 9:16 PM - Alice: From the ad
11/21/26, 12:05 AM - Carol: ok
EOF
cat > chats/tg/result.json <<'EOF'
{
 "name": "Agence",
 "type": "personal_chat",
 "id": 4711,
 "messages": [
  {"id": 1, "type": "service", "date": "2026-11-20T21:00:00", "date_unixtime": "1795208400", "actor": "Agence", "action": "phone_call"},
  {"id": 2, "type": "message", "date": "2026-11-20T21:14:03", "date_unixtime": "1795209243", "from": "Agence", "from_id": "user111", "text": "Travail \"facile\", {logement}"},
  {"id": 3, "type": "message", "date": "2026-11-20T21:20:00", "date_unixtime": "1795209600", "from": "Victime", "from_id": "user222", "text": [{"type": "plain", "text": "ok ?"}]},
  {"id": 4, "type": "message", "date": "2026-11-20T22:01:30", "date_unixtime": "1795212090", "from": "Agence", "from_id": "user111", "text": ""}
 ]
}
EOF
test_expect_success 'WhatsApp exports (iOS zip, Android text with US dates) and a Telegram result.json are summarised' '
	seal -o c.asice chats && evxml c.asice c.xml &&
	test_grep "<chatExport app=\"whatsapp\" member=\"_chat.txt\" participants=\"2\" messages=\"6\" first=\"2026-11-20T21:30:02\" last=\"2026-11-20T21:41:19\" clock=\"local\" dateOrder=\"day-month\"/>" c.xml &&
	test_grep "<chatExport app=\"whatsapp\" participants=\"3\" messages=\"4\" first=\"2026-11-20T21:14:00\" last=\"2026-11-21T00:05:00\" clock=\"local\" dateOrder=\"month-day\"/>" c.xml &&
	test_grep "<chatExport app=\"telegram\" participants=\"2\" messages=\"3\" first=\"2026-11-20T21:14:03Z\" last=\"2026-11-20T22:01:30Z\" clock=\"UTC\"/>" c.xml
'
test_expect_success 'a file merely named result.json that is not an export is not summarised' '
	mkdir -p notchat && echo "{\"results\": [1, 2]}" > notchat/result.json &&
	seal -o nc.asice notchat && evxml nc.asice nc.xml && ! grep -q chatExport nc.xml
'

# Where items came from: --item-info.
mkdir -p cap
printf 'page' > cap/ad.html && printf 'png' > cap/ad.png
cat > info.csv <<'EOF'
path,source_url,captured_at,captured_by,tool,note
cap/ad.html,https://ads.invalid/4711,2026-11-20T21:14:00Z,Capitaine Demo,Firefox 128,"Saved as shown, ""full page""
second line"
./cap//ad.png,https://ads.invalid/4711.png,2026-11-20T22:14:05.25+01:00,,,
EOF
test_expect_success '--item-info is merged into evidence.xml <acquisition>' '
	seal -o i.asice --item-info info.csv cap && evxml i.asice i.xml &&
	python3 - i.xml <<-PY
	import sys, xml.etree.ElementTree as ET
	E = "{urn:scelle:evidence:1}"
	items = {i.get("path"): i for i in ET.parse(sys.argv[1]).getroot().iter(E + "item")}
	a = items["evidence/cap/ad.html"].find(E + "acquisition")
	assert a.attrib == {"sourceUrl": "https://ads.invalid/4711", "capturedAt": "2026-11-20T21:14:00Z",
	                    "capturedBy": "Capitaine Demo", "tool": "Firefox 128"}, a.attrib
	assert a.findtext(E + "note") == "Saved as shown, \"full page\"\nsecond line", repr(a.findtext(E + "note"))
	b = items["evidence/cap/ad.png"].find(E + "acquisition")
	assert b.attrib == {"sourceUrl": "https://ads.invalid/4711.png", "capturedAt": "2026-11-20T22:14:05.25+01:00"}, b.attrib
	PY
'
test_expect_success 'the verifier reads the source URL back' '
	scelle verify --json --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" i.asice > v.json &&
	test_grep -F "https://ads.invalid/4711" v.json
'
test_expect_success '--item-info rows may name items by their archive path, columns in any order' '
	printf "note,path\r\nby archive name,cap/ad.png\r\n" > info2.csv &&
	seal -o i2.asice --item-info info2.csv cap && evxml i2.asice i2.xml &&
	test_grep "<note>by archive name</note>" i2.xml &&
	printf "path,tool,note\ncap/ad.html,T," > info3.csv &&
	seal -o i3.asice --item-info info3.csv cap && evxml i3.asice i3.xml &&
	test_grep "<acquisition tool=\"T\"/>" i3.xml
'
test_expect_success '--item-info: a listed item that is not among the inputs' '
	printf "path,source_url\ncap/ad.html,http://a.invalid/\ncap/gone.png,http://b.invalid/\n" > absent.csv &&
	bad "scelle: item info '\''absent.csv'\'': '\''cap/gone.png'\'' is not among the inputs" --item-info absent.csv cap
'
test_expect_success '--item-info: malformed files name the line' '
	printf "path,source_url,when\ncap/ad.html,x,y\n" > c1.csv &&
	bad "scelle: item info '\''c1.csv'\'' line 1: unknown column '\''when'\''" --item-info c1.csv cap &&
	printf "path,captured_at\ncap/ad.html,2026-11-20T21:14:00Z\ncap/ad.png,2026-13-01T00:00:00Z\n" > c2.csv &&
	bad "scelle: item info '\''c2.csv'\'' line 3: a bad time in captured_at" --item-info c2.csv cap &&
	printf "path,captured_at\ncap/ad.html,20/11/2026 21:14\n" > c3.csv &&
	bad "line 2: a bad time in captured_at" --item-info c3.csv cap &&
	printf "path,tool\ncap/ad.html,a,b\n" > c4.csv &&
	bad "scelle: item info '\''c4.csv'\'' line 2: 3 fields, the header has 2" --item-info c4.csv cap &&
	printf "path,tool\ncap/ad.html,\"unclosed\n" > c5.csv &&
	bad "line 2: malformed quoting" --item-info c5.csv cap &&
	printf "path,tool\ncap/ad.html,a\ncap/ad.html,b\n" > c6.csv &&
	bad "line 3: a path listed twice" --item-info c6.csv cap &&
	printf "tool,tool\n" > c7.csv &&
	bad "line 1: repeated column '\''tool'\''" --item-info c7.csv cap &&
	printf "source_url\nhttp://x.invalid/\n" > c8.csv &&
	bad "no '\''path'\'' column" --item-info c8.csv cap
'

# A file that changes while it is read stops the seal, naming it, and nothing is written.
cc -shared -fPIC -o grow.so "$TOP/tests/data/grow_on_read.c" -ldl
mkdir -p live && printf 'log line\n' > live/chat.log && printf 'still\n' > live/other.txt
# seal_growing NAME: seal live/ while live/NAME grows after its first read; it must fail,
# name the file, and leave no archive.
seal_growing() {
	rm -f out.asice &&
	test_must_fail --exit=2 env LD_PRELOAD="$PWD/grow.so" GROW_FILE="$1" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		"$SCELLE" seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o out.asice live 2> err &&
	test_grep -F "scelle: 'live/$1' changed while it was read" err &&
	test ! -e out.asice && test -z "$(ls -A | grep out.asice)"
}
test_expect_success 'a file appended to while it is read stops the seal' '
	seal_growing chat.log && test "$(tail -n 1 live/chat.log)" = "one more line"
'
# A small binary file is STORED from its first read, whole (zip_entry_whole): the growth
# must still be caught, though no read ever reaches its end.
head -c 3000 /dev/urandom > live/capture.bin
test_expect_success 'a small STORED file appended to after its one read stops the seal' '
	seal_growing capture.bin && test "$(wc -c < live/capture.bin)" -eq 3014
'
test_expect_success 'the same folder seals once it no longer changes' '
	seal -o live.asice live && unzip -p live.asice evidence/live/chat.log | cmp - live/chat.log
'
test_done
