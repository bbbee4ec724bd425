#!/bin/sh
# t64-forger.sh — forgeries made without the officer's key (issue 16): unsigned data added
# to the signature, tricks in the container and the ledger.  Each must not be TOTAL-PASSED,
# and text, JSON, the HTML report, extract and stamp must all refuse it alike.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
ZE="python3 $TOP/tests/data/zipedit.py"
ZH="python3 $TOP/tests/data/ziphack.py"
HTML=evidence/ad-capture/ad-4711.html
TST="python3 $TOP/tests/data/tstoken.py"
SIG=META-INF/signature001.p7s
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
seal --tsa "$tsa_url" -o bt.asice ev/ad-capture
mkdir x && (cd x && unzip -q ../bt.asice) && $TST x/$SIG x > /dev/null

# refused ARCHIVE CHECK PATTERN [VERIFY-OPTION]: TOTAL-FAILED (exit 1) in the text, with
# CHECK failed for PATTERN; the same verdict in the JSON and the HTML report; extract and
# stamp refuse it.
refused() {
	expect_exit 1 verify ${4:-} "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "FAILED  *$2  *.*$3" "$1.out" &&
	expect_exit 1 verify ${4:-} --json "$1" > "$1.json" &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="TOTAL-FAILED", d["verdict"]' "$1.json" &&
	expect_exit 1 verify ${4:-} --force --report "$1.html" "$1" > /dev/null &&
	test_grep -q "TOTAL-FAILED" "$1.html" && ! grep -q "TOTAL-PASSED" "$1.html" &&
	test_must_fail --exit=1 scelle extract -q -C "$1.d" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" ${4:-} "$1" 2> /dev/null &&
	test ! -e "$1.d/ad-capture" &&
	test_must_fail --exit=2 scelle stamp -q --tsa "$tsa_url" -o "$1.st" "$1" 2> /dev/null && test ! -e "$1.st"
}

test_expect_success 'the time-stamped archive the forgeries start from verifies' '
	verify bt.asice > out && test_grep "^bt.asice: TOTAL-PASSED$" out
'
test_expect_success 'a second value beside the token in its attribute is not carried along unjudged' '
	printf "\004\001\000" > junk.der && cat x/token1.der junk.der > two.der &&
	$TST --graft x/$SIG two.der two.p7s > /dev/null && $ZE bt.asice two.asice replace $SIG two.p7s &&
	refused two.asice timestamp.token "attribute holds 2 values"
'
test_expect_success 'a signature-time-stamp attribute that holds no token fails (not skipped)' '
	printf "\004\001\000" > junk.der &&
	$TST --graft x/$SIG junk.der oct.p7s > /dev/null && $ZE bt.asice oct.asice replace $SIG oct.p7s &&
	refused oct.asice timestamp.token "time-stamp 1 is not an RFC 3161 token" --no-timestamp-ok &&
	: > empty.der && $TST --graft x/$SIG empty.der empty.p7s > /dev/null &&
	$ZE bt.asice empty.asice replace $SIG empty.p7s &&
	refused empty.asice timestamp.token "attribute holds 0 values" --no-timestamp-ok
'
# A symbolic link behind another host number: "version made by" Atari (5) or macOS (19)
# with the Unix mode 120777; Info-ZIP unzip makes a link of the first, libarchive of the
# second.
test_expect_success 'a link mode under a host other than Unix is not a regular file' '
	$ZH bt.asice lnk3.asice mode $HTML 120777 &&
	for host in 5 19; do
		python3 - lnk3.asice lnk$host.asice $host <<-\PY &&
		import struct, sys
		b = bytearray(open(sys.argv[1], "rb").read())
		e = b.rfind(b"PK\x05\x06")
		n, _, off = struct.unpack_from("<HII", b, e + 10)
		for i in range(n):
		    nl, xl, cl = struct.unpack_from("<HHH", b, off + 28)
		    if b[off + 46:off + 46 + nl].endswith(b"/ad-4711.html"):
		        b[off + 5] = int(sys.argv[3])
		    off += 46 + nl + xl + cl
		open(sys.argv[2], "wb").write(b)
		PY
		refused lnk$host.asice container.names "unsafe entry: symbolic link entry" || return 1
	done &&
	mkdir u && (cd u && unzip -q ../lnk5.asice) && test -h u/$HTML
'
# Refused today, kept so: a second manifest and signature (by another key) beside the
# first, naming forged content; one entry named twice under two encodings of its URI (the
# officer's key: what is tested is the reader, not the key); unsigned decorations on the
# ledger's root, which Exclusive C14N leaves out of every digest.
test_expect_success 'a second manifest signed by another key, over forged content' '
	sed "s/ad-4711-screenshot.png\"/ad-4711-screenshot.png\" MimeType=\"image\/png\"/;s/signature001/signature002/" \
		x/META-INF/ASiCManifest001.xml > man2.xml &&
	openssl cms -sign -binary -cades -nosmimecap -outform DER -signer "$PKI/other.pem" \
		-inkey "$PKI/other.key" -in man2.xml -out sig2.p7s &&
	$ZE bt.asice m2.asice add META-INF/ASiCManifest002.xml man2.xml &&
	$ZE m2.asice two-sig.asice add META-INF/signature002.p7s sig2.p7s &&
	refused two-sig.asice container.coverage ".META-INF/signature002.p7s. is not covered by the signed manifest" &&
	refused two-sig.asice container.coverage ".META-INF/ASiCManifest002.xml. is not covered by the signed manifest"
'
test_expect_success 'one entry referenced twice, once as %2E-encoded, in a manifest signed anew' '
	python3 - x/META-INF/ASiCManifest001.xml twice.xml <<-\PY &&
	import re, sys
	m = open(sys.argv[1]).read()
	ref = re.search(r"  <DataObjectReference URI=\"evidence/ad-capture/ad-4711.html\".*?</DataObjectReference>\n", m, re.S).group(0)
	m = m.replace(ref, ref + ref.replace("ad-4711.html\"", "ad-4711%2Ehtml\"", 1))
	open(sys.argv[2], "w").write(m)
	PY
	test "$(grep -c "URI=.evidence/ad-capture/ad-4711\(.\|%2E\)html" twice.xml)" = 2 &&
	python3 "$TOP/tests/data/resign.py" bt.asice twice.asice "$PKI/officer.key" "$PKI/officer.pem" \
		META-INF/ASiCManifest001.xml=twice.xml &&
	refused twice.asice manifest.references "evidence/ad-capture/ad-4711.html: is referenced twice" --no-timestamp-ok
'
test_expect_success 'the ledger root carries nothing unsigned: xml:lang, a namespace declaration' '
	seal -o l.asice ev/ad-capture &&
	scelle custody add l.asice --event transferred --key "$PKI/es-officer.key" --cert "$PKI/es-officer.pem" \
		--no-timestamp-ok --trust "$PKI/ca.pem" -q &&
	verify --no-timestamp-ok l.asice > out && test_grep "^l.asice: TOTAL-PASSED$" out &&
	cp l.asice lang.asice && cp l.asice ns.asice &&
	sed "s/formatVersion=\"1.1\"/& xml:lang=\"fr\"/" l.asice.custody.xml > lang.asice.custody.xml &&
	sed "s/formatVersion=\"1.1\"/& xmlns:x=\"urn:x\"/" l.asice.custody.xml > ns.asice.custody.xml &&
	refused lang.asice custody.ledger "an attribute .lang. on <ledger>" --no-timestamp-ok &&
	refused ns.asice custody.ledger "a namespace declaration .urn:x. on <ledger>" --no-timestamp-ok
'
test_expect_success 'a DataObjectReference whose URI has a namespaced twin is read as DSS reads it' '
	sed "s|<DataObjectReference URI=\"$HTML\"|<DataObjectReference xmlns:f=\"urn:f\" f:URI=\"$HTML\" URI=\"evidence/ad-capture/elsewhere.html\"|" \
		x/META-INF/ASiCManifest001.xml > nsuri.xml &&
	test "$(xmllint --xpath "string(//*[@URI=\"evidence/ad-capture/elsewhere.html\"]/@URI)" nsuri.xml)" = evidence/ad-capture/elsewhere.html &&
	python3 "$TOP/tests/data/resign.py" bt.asice nsuri.asice "$PKI/officer.key" "$PKI/officer.pem" \
		META-INF/ASiCManifest001.xml=nsuri.xml &&
	refused nsuri.asice manifest.references "evidence/ad-capture/elsewhere.html: references a file that is not in the archive" --no-timestamp-ok
'
test_expect_success 'a signing-time that holds no time is not read as "no signing time"' '
	seal -o bb.asice ev/ad-capture && mkdir bb && (cd bb && unzip -q ../bb.asice) &&
	python3 "$TOP/tests/data/signedattr.py" bb/$SIG st.p7s "$PKI/officer.key" st-type &&
	openssl cms -verify -binary -inform DER -in st.p7s -content bb/META-INF/ASiCManifest001.xml \
		-CAfile "$PKI/ca.pem" -out /dev/null 2> /dev/null &&
	$ZE bb.asice st.asice replace $SIG st.p7s &&
	refused st.asice signature.attributes "signing-time holds no readable UTCTime or GeneralizedTime" --no-timestamp-ok
'
# evidence.xml signed anew by the officer (what is tested is the reader): an item that is
# not under evidence/, a count that is not the number of items, an item without sha256.
test_expect_success 'evidence.xml may not list mimetype as evidence, miscount, or drop sha256' '
	h=$(printf application/vnd.etsi.asic-e+zip | sha256sum | cut -d" " -f1) &&
	sed "s|<items count=\"2\">|<items count=\"3\"><item id=\"i3\" path=\"mimetype\" size=\"31\" mtime=\"2026-01-01T00:00:00Z\" mediaType=\"text/plain\"><digest algorithm=\"sha256\">$h</digest></item>|" \
		x/evidence.xml > ev-mt.xml &&
	sed "s|<items count=\"2\">|<items count=\"0\">|" x/evidence.xml > ev-count.xml &&
	python3 - x/evidence.xml ev-md5.xml <<-\PY &&
	import hashlib, re, sys
	e = open(sys.argv[1]).read()
	md5 = hashlib.md5(open("ev/ad-capture/ad-4711.html", "rb").read()).hexdigest()
	e, n = re.subn(r"(path=\"evidence/ad-capture/ad-4711.html\"[^>]*>\s*)<digest algorithm=\"sha256\">[0-9a-f]+",
	               lambda m: m.group(1) + "<digest algorithm=\x22md5\x22>" + md5, e)
	assert n == 1
	open(sys.argv[2], "w").write(e)
	PY
	for f in mt count md5; do
		python3 "$TOP/tests/data/resign.py" bt.asice ev-$f.asice "$PKI/officer.key" "$PKI/officer.pem" \
			evidence.xml=ev-$f.xml || return 1
	done &&
	refused ev-mt.asice evidence.items ".mimetype. is listed in evidence.xml but is not under evidence/" --no-timestamp-ok &&
	refused ev-count.asice evidence.parse "items/@count is not the number of items (2)" --no-timestamp-ok &&
	refused ev-md5.asice evidence.items ".$HTML. has no sha256 digest in evidence.xml" --no-timestamp-ok
'
test_done
