#!/bin/sh
# t10-seal.sh — scelle seal: the container, its interoperability, and bad input.
. "$(dirname "$0")/lib.sh"
make_pki
EX="$TOP/examples/evidence"
cp -R "$EX" ev
touch -d '2026-11-20 21:14:00' ev/ad-capture/ad-4711.html
chmod 640 ev/chat-export/_chat.txt
find ev -type f -exec stat -c '%n %s %Y %a' {} + | sort > before.stat
find ev -type f -exec sha256sum {} + | sort > before.sha

seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }

test_expect_success 'seal a folder of evidence' '
	seal -o a.asice --case "OCRTEH:FR:2026/0042" --case "UCRIF:ES:D-77/2026" \
		--officer "Capitaine Demo Martin" --role OPJ --unit OCRTEH --country FR \
		--place Paris --digest sha512 --digest md5 ev/ad-capture ev/chat-export &&
	test -s a.asice
'
test_expect_success 'the evidence files keep their bytes, mtime and permissions' '
	find ev -type f -exec stat -c "%n %s %Y %a" {} + | sort > after.stat &&
	find ev -type f -exec sha256sum {} + | sort > after.sha &&
	cmp before.stat after.stat && cmp before.sha after.sha
'
test_expect_success 'mimetype is the first entry, STORED, no extra field, bit 3 clear' '
	python3 - a.asice <<-PY
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	sig, ver, flags, method, t, dt, crc, cs, us, nl, xl = struct.unpack("<IHHHHHIIIHH", d[:30])
	assert sig == 0x04034b50 and method == 0 and xl == 0 and not flags & 8, (method, xl, flags)
	assert d[30:38] == b"mimetype" and d[38:69] == b"application/vnd.etsi.asic-e+zip"
	assert b"PK\x07\x08" not in d, "data descriptor found"
	PY
'
test_expect_success 'unzip -t and python zipfile accept the archive' '
	unzip -tq a.asice &&
	python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))" a.asice > n &&
	test "$(cat n)" = 8
'
test_expect_success 'the layout is the ASiC-E layout of doc/design.md §2, items largest first' '
	python3 -c "import zipfile,sys; print(\"\n\".join(zipfile.ZipFile(sys.argv[1]).namelist()))" a.asice > names &&
	cat > expect <<-EOF &&
	mimetype
	evidence/chat-export/media/00000001-PHOTO-2026-11-20.png
	evidence/ad-capture/ad-4711.html
	evidence/ad-capture/ad-4711-screenshot.png
	evidence/chat-export/_chat.txt
	evidence.xml
	META-INF/ASiCManifest001.xml
	META-INF/signature001.p7s
	EOF
	diff expect names
'
test_skip_unless "no Java compiler (openjdk-17-jdk-headless, tests/deps.sh)" javac -version
test_expect_success 'Java ZipInputStream reads every entry' '
	mkdir -p "$B/java" &&
	{ test -f "$B/java/ZipRead.class" || javac -encoding UTF-8 -d "$B/java" "$TOP/tests/data/ZipRead.java"; } &&
	java -cp "$B/java" ZipRead a.asice > java.out &&
	test "$(wc -l < java.out)" = 8
'
test_skip_end
test_expect_success 'openssl cms -verify -cades accepts the signature with the demo root' '
	mkdir x && (cd x && unzip -q ../a.asice) &&
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile "$PKI/ca.pem" -out /dev/null 2> cms.err &&
	test_grep "Verification successful" cms.err
'
test_expect_success 'every ASiCManifest digest equals openssl dgst of the entry' '
	python3 - x/META-INF/ASiCManifest001.xml > refs <<-PY &&
	import sys, xml.etree.ElementTree as ET
	ns = {"a": "http://uri.etsi.org/02918/v1.2.1#", "ds": "http://www.w3.org/2000/09/xmldsig#"}
	for r in ET.parse(sys.argv[1]).getroot().findall("a:DataObjectReference", ns):
	    print(r.get("URI"), r.find("ds:DigestValue", ns).text)
	PY
	test "$(wc -l < refs)" = 5 &&
	while read uri b64; do
		test "$(openssl dgst -sha256 -binary "x/$uri" | base64)" = "$b64" || exit 1
	done < refs
'
test_expect_success 'evidence.xml validates against formats/evidence.xsd' '
	xmllint --noout --schema "$TOP/formats/evidence.xsd" x/evidence.xml
'
test_expect_success 'evidence.xml records the case, the officer and every digest' '
	test_grep "<reference authority=\"UCRIF\" country=\"ES\">D-77/2026</reference>" x/evidence.xml &&
	test_grep "name=\"Capitaine Demo Martin\" role=\"OPJ\" unit=\"OCRTEH\" country=\"FR\"" x/evidence.xml &&
	test "$(grep -c "algorithm=\"md5\"" x/evidence.xml)" = 4 &&
	h=$(sha512sum ev/chat-export/_chat.txt | cut -d" " -f1) && test_grep "$h" x/evidence.xml &&
	test_grep "mtime=\"2026-11-20T21:14:00Z\"" x/evidence.xml
'
test_expect_success 'seal prints the seal identifier and the file digest' '
	seal -o b.asice ev/ad-capture > /dev/null &&
	scelle seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o c.asice ev/ad-capture > out &&
	test_grep "^seal identifier  [0-9a-f]\{64\}$" out &&
	test_grep "^file digest      $(sha256sum c.asice | cut -d" " -f1)" out
'
test_expect_success 'a PKCS#12 key and an encrypted PEM key with --pass' '
	seal_p12() { scelle seal -q --key "$PKI/officer.p12" "$@"; } &&
	seal_p12 --pass pass:secret -o p12.asice ev/ad-capture &&
	PW=secret scelle seal -q --key "$PKI/officer-enc.key" --cert "$PKI/officer.pem" --pass env:PW -o enc.asice ev/ad-capture &&
	scelle verify -q --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" p12.asice enc.asice
'

# Bad input: a one-line error, exit 2, nothing written.
bad() { # expected-message args...
	msg=$1; shift
	rm -f out.asice
	test_must_fail --exit=2 seal -o out.asice "$@" 2> err &&
	test ! -e out.asice && test "$(wc -l < err)" = 1 && test_grep -F "$msg" err &&
	test -z "$(ls -A | grep "out.asice")"
}
test_expect_success 'missing input' "bad \"scelle: cannot open 'nope': No such file or directory\" nope"
test_expect_success 'a FIFO given as an item' '
	mkfifo fifo && bad "scelle: cannot seal '\''fifo'\'': it is a FIFO" fifo
'
test_expect_success 'a device given as an item' "bad \"scelle: cannot seal '/dev/null': it is a character device\" /dev/null"
test_expect_success 'a file that cannot be read names it' "bad \"scelle: cannot read '/proc/self/mem': Input/output error\" /proc/self/mem"
test_expect_success 'a key that does not match the certificate' '
	rm -f out.asice &&
	test_must_fail --exit=2 scelle seal -q --key "$PKI/other.key" --cert "$PKI/officer.pem" -o out.asice ev 2> err &&
	test_grep -F "scelle: the key does not match certificate" err && test ! -e out.asice
'
test_expect_success 'a wrong pass phrase' '
	test_must_fail --exit=2 scelle seal -q --key "$PKI/officer.p12" --pass pass:wrong -o out.asice ev 2> err &&
	test_grep -F "scelle: wrong pass phrase for '\''$PKI/officer.p12'\''" err && test ! -e out.asice
'
test_expect_success 'no pass phrase and no terminal: an error, not a hang' '
	test_must_fail --exit=2 scelle seal -q --key "$PKI/officer-enc.key" --cert "$PKI/officer.pem" -o out.asice ev < /dev/null 2> err &&
	test_grep -F "needs a pass phrase (use --pass)" err
'
test_expect_success 'an output folder that does not exist' '
	test_must_fail --exit=2 seal -o nodir/out.asice ev 2> err &&
	test_grep -F "scelle: cannot write '\''nodir/out.asice'\''" err && test ! -e nodir
'
test_expect_success 'two inputs mapping to the same archive path' '
	mkdir -p one/ad-capture && echo other > one/ad-capture/ad-4711.html &&
	bad "would both be stored as '\''evidence/ad-capture/ad-4711.html'\''" ev/ad-capture one/ad-capture
'
test_expect_success 'a country that is not ISO 3166 alpha-2 is refused' '
	bad "scelle: invalid country code '\''fra'\'' (ISO 3166 alpha-2, e.g. FR)" --country fra ev &&
	bad "scelle: invalid country code '\''F1'\'' (ISO 3166 alpha-2, e.g. FR)" --country F1 ev &&
	bad "scelle: --case: invalid country code '\''FRA'\''" --case "OCRTEH:FRA:1" ev
'
test_expect_success 'an existing output is never overwritten without --force' '
	cp a.asice keep.asice &&
	test_must_fail --exit=2 seal -o keep.asice ev 2> err &&
	test_grep -F "scelle: '\''keep.asice'\'' already exists (use --force to replace it)" err &&
	cmp a.asice keep.asice &&
	seal --force -o keep.asice ev/ad-capture && ! cmp -s a.asice keep.asice
'
test_expect_success 'no temporary file is left behind after failures' '
	test -z "$(ls -A | grep -e "\.tmp\." )"
'
test_expect_success 'usage errors exit 2 and --help exits 0' '
	test_must_fail --exit=2 scelle seal ev 2> err && test_grep "no output given" err &&
	scelle seal --help > help && test_grep "usage: scelle seal" help &&
	test_must_fail --exit=2 scelle frobnicate 2> err && test_grep "unknown command '\''frobnicate'\''" err
'
test_done
