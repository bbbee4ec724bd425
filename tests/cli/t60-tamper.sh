#!/bin/sh
# t60-tamper.sh — the tamper suite: forgeries of one valid archive, each of which must give
# TOTAL-FAILED (exit 1) for the reason it was made for.  None may be accepted.  Entry-level
# forgeries go through zipedit.py, byte-level ones through ziphack.py, forgeries by someone
# holding a signing key through resign.py (the manifest re-signed with stock openssl).
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
ZH="python3 $TOP/tests/data/ziphack.py"
RS="python3 $TOP/tests/data/resign.py"
OFFICER="$PKI/officer.key $PKI/officer.pem"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
test_expect_success 'setup' '
	seal -o good.asice --case "OCRTEH:FR:2026/0042" ev/ad-capture ev/chat-export &&
	seal -o other.asice ev/chat-export &&
	printf "planted\n" > planted.txt
'
PNG=evidence/ad-capture/ad-4711-screenshot.png	# STORED
CHAT=evidence/chat-export/_chat.txt		# DEFLATEd
MAN=META-INF/ASiCManifest001.xml
SIG=META-INF/signature001.p7s

# expect_fail ARCHIVE PATTERN: exit 1, TOTAL-FAILED, and the reason (grep -e) in the output.
expect_fail() {
	echo "$1" >> forged.list
	expect_exit 1 verify "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}

test_expect_success 'the archive the forgeries start from verifies, also re-signed unchanged' '
	verify good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	$RS good.asice resigned.asice $OFFICER &&
	verify resigned.asice > out && test_grep "^resigned.asice: TOTAL-PASSED$" out &&
	$ZH good.asice same.asice comment "" && cmp good.asice same.asice
'

# --- bytes of each kind of entry ----------------------------------------------------------
test_expect_success '1: a flipped byte in mimetype' '
	$ZE good.asice f-mime.asice flip mimetype 20 &&
	expect_fail f-mime.asice "container.mimetype .*.mimetype. is not application/vnd.etsi.asic-e+zip"
'
test_expect_success '2: a flipped byte in a STORED item' '
	$ZE good.asice f-png.asice flip $PNG &&
	expect_fail f-png.asice "manifest.digest .*$PNG.: sha256 differs from ASiCManifest \[HASH_FAILURE\]"
'
test_expect_success '3: a flipped byte in a DEFLATEd item' '
	$ZE good.asice f-chat.asice flip $CHAT &&
	expect_fail f-chat.asice "manifest.digest .*$CHAT.: sha256 differs from ASiCManifest \[HASH_FAILURE\]"
'
test_expect_success '4: a flipped byte in evidence.xml' '
	$ZE good.asice f-ev.asice flip evidence.xml 300 &&
	expect_fail f-ev.asice "evidence.xml.: sha256 differs from ASiCManifest \[HASH_FAILURE\]"
'
test_expect_success '5: a flipped byte in ASiCManifest' '
	$ZE good.asice f-man.asice flip $MAN 400 &&
	expect_fail f-man.asice "signature.crypto .*signature was made over another manifest \[HASH_FAILURE\]"
'
test_expect_success '6: a flipped byte in the signature value' '
	n=$(unzip -p good.asice $SIG | wc -c) &&
	$ZE good.asice f-sig.asice flip $SIG $((n - 10)) &&
	expect_fail f-sig.asice "signature\.\(crypto\|format\) .*\(SIG_CRYPTO_FAILURE\|FORMAT_FAILURE\)"
'
test_expect_success '7: a flipped byte in the compressed data, CRC left as it was' '
	$ZH good.asice f-raw.asice rawflip $CHAT &&
	expect_fail f-raw.asice "container.zip .*$CHAT. cannot be read"
'
test_expect_success '7b: a flipped byte in a STORED item, CRC left as it was' '
	$ZH good.asice f-rawpng.asice rawflip $PNG &&
	expect_fail f-rawpng.asice "container.zip .*$PNG. cannot be read: its CRC-32 is [0-9a-f]\{8\}, the central directory says [0-9a-f]\{8\}" &&
	test_grep "manifest.digest .*$PNG.: sha256 differs from ASiCManifest" f-rawpng.asice.out
'
test_expect_success '7c: a wrong CRC-32 in both headers of an item whose bytes are intact' '
	$ZH good.asice f-crc.asice crc $PNG &&
	expect_fail f-crc.asice "container.zip .*$PNG. cannot be read: its CRC-32 is [0-9a-f]\{8\}, the central directory says [0-9a-f]\{8\}" &&
	test_must_fail unzip -tq f-crc.asice > /dev/null
'
test_expect_success '7d: a wrong CRC-32 in both headers of evidence.xml' '
	$ZH good.asice f-crcxml.asice crc evidence.xml &&
	expect_fail f-crcxml.asice "container.zip .*.evidence.xml. cannot be read: its CRC-32 is [0-9a-f]\{8\}, the central directory says [0-9a-f]\{8\}" &&
	test_grep "evidence.parse .*.evidence.xml. cannot be read" f-crcxml.asice.out
'

# --- the ZIP structure --------------------------------------------------------------------
test_expect_success '8: truncated by 100 bytes' '
	$ZH good.asice t-100.asice truncate 100 &&
	expect_fail t-100.asice "container.structure .*no end of central directory record"
'
test_expect_success '9: truncated to half' '
	size=$(wc -c < good.asice) && head -c $((size / 2)) good.asice > t-half.asice &&
	expect_fail t-half.asice "container.structure .*no end of central directory record"
'
test_expect_success '10: data appended after the end record' '
	$ZH good.asice z-append.asice append "<script>evil()</script>" &&
	expect_fail z-append.asice "23 bytes after the end of central directory record (data appended"
'
test_expect_success '11: an archive comment hiding data' '
	$ZH good.asice z-comment.asice comment "hidden words" &&
	expect_fail z-comment.asice "an archive comment of 12 bytes"
'
test_expect_success '12: a second central directory' '
	$ZH good.asice z-cd2.asice second-cd &&
	expect_fail z-cd2.asice "container.structure .*a second central directory"
'
test_expect_success '13: two entries with one name' '
	$ZE good.asice z-dup.asice dup evidence.xml &&
	expect_fail z-dup.asice "container.names .*two entries named .evidence.xml."
'
test_expect_success '14: two names differing only in case' '
	$ZE good.asice z-case.asice add EVIDENCE.XML ev/chat-export/_chat.txt &&
	expect_fail z-case.asice "EVIDENCE.XML. and .evidence.xml. differ only in case or Unicode normalisation"
'
test_expect_success '15: two names differing only in Unicode form (NFC and NFD)' '
	mkdir -p uni && echo "saisie" > "uni/$(printf "caf\303\251").txt" &&
	seal -o uni.asice uni && verify uni.asice > out &&
	$ZE uni.asice z-nfd.asice add "evidence/uni/$(printf "cafe\314\201").txt" planted.txt &&
	expect_fail z-nfd.asice "differ only in case or Unicode normalisation"
'
test_expect_success '15b: two names differing only in case, in Cyrillic' '
	mkdir -p cyr && echo "протокол" > "cyr/$(printf "\320\264\320\265\320\273\320\276").txt" &&
	seal -o cyr.asice cyr && verify cyr.asice > out &&
	$ZE cyr.asice z-cyr.asice add "evidence/cyr/$(printf "\320\224\320\225\320\233\320\236").txt" planted.txt &&
	expect_fail z-cyr.asice "differ only in case or Unicode normalisation"
'
test_expect_success '16: local header and central directory disagree on the name' '
	$ZH good.asice z-lname.asice lname $CHAT evidence/chat-export/_chat.TXT &&
	expect_fail z-lname.asice "the local header names .evidence/chat-export/_chat.TXT. where the central directory names .$CHAT."
'
test_expect_success '17: local header and central directory disagree on the size' '
	$ZH good.asice z-lsize.asice lsize $PNG 16 &&
	expect_fail z-lsize.asice "the local header of .$PNG. says 626 bytes (626 compressed) where the central directory says 610 (610)"
'
test_expect_success '18: a data descriptor lying about the size' '
	$ZH good.asice z-dd.asice descriptor $CHAT -100 &&
	expect_fail z-dd.asice "the data descriptor of .$CHAT. says 451 bytes" &&
	test_grep "has a data descriptor (general purpose bit 3; refused" z-dd.asice.out
'
test_expect_success '19: mimetype not the first entry' '
	$ZH good.asice z-mfirst.asice move mimetype 3 &&
	expect_fail z-mfirst.asice "the first entry is not .mimetype."
'
test_expect_success '20: mimetype compressed' '
	$ZH good.asice z-mdefl.asice deflate mimetype &&
	expect_fail z-mdefl.asice ".mimetype. is compressed (it must be STORED)"
'
test_expect_success '21: ZIP64 sizes that point past the end of the file' '
	$ZH good.asice z-zip64.asice zip64 $CHAT 5000000000 &&
	expect_fail z-zip64.asice ".$CHAT. claims 5000000000 bytes of data at offset [0-9]*, past the central directory"
'
test_expect_success '22: two central records sharing one local header (overlap)' '
	$ZH good.asice z-overlap.asice overlap $CHAT evidence/chat-export/copy.txt &&
	expect_fail z-overlap.asice "the entries .$CHAT. and .evidence/chat-export/copy.txt. overlap"
'
test_expect_success '23: bytes hidden between two entries' '
	$ZH good.asice z-gap.asice gap $CHAT "HIDDEN PAYLOAD" &&
	expect_fail z-gap.asice "14 bytes after .$CHAT. belong to no entry"
'
test_expect_success '24: an entry flagged as encrypted' '
	$ZH good.asice z-crypt.asice flags $CHAT 1 &&
	expect_fail z-crypt.asice ".$CHAT. is encrypted"
'
test_expect_success '25: an unknown compression method' '
	$ZH good.asice z-method.asice method evidence.xml 12 &&
	expect_fail z-method.asice ".evidence.xml. uses compression method 12"
'
test_expect_success '26: a name that escapes the extraction folder' '
	$ZE good.asice z-dotdot.asice add ../escape.txt planted.txt &&
	expect_fail z-dotdot.asice "container.names .*unsafe entry: .\.\.. in path"
'

# --- what the manifest and evidence.xml say -----------------------------------------------
test_expect_success '27: an extra file referenced nowhere' '
	$ZE good.asice m-extra.asice add evidence/chat-export/planted.txt planted.txt &&
	expect_fail m-extra.asice "container.coverage .*evidence/chat-export/planted.txt. is not covered by the signed manifest"
'
test_expect_success '28: the manifest references a file that is missing' '
	$ZE good.asice m-missing.asice remove $CHAT &&
	expect_fail m-missing.asice "$CHAT: references a file that is not in the archive \[SIGNED_DATA_NOT_FOUND\]"
'
test_expect_success '29: evidence.xml and ASiCManifest disagree on a digest (manifest re-signed)' '
	printf "a different chat\n" > chat2.txt &&
	$RS good.asice m-disagree.asice $OFFICER "$CHAT=chat2.txt" &&
	expect_fail m-disagree.asice "evidence.digest .*$CHAT.: sha256 differs from evidence.xml \[HASH_FAILURE\]" &&
	! grep -q "differs from ASiCManifest" m-disagree.asice.out
'
test_expect_success '30: a file planted and signed, but not in evidence.xml (manifest re-signed)' '
	$ZE good.asice planted-base.asice add evidence/chat-export/planted.txt planted.txt &&
	sed "s|</ASiCManifest>|<DataObjectReference URI=\"evidence/chat-export/planted.txt\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>x</ds:DigestValue></DataObjectReference></ASiCManifest>|" \
		< "$(unzip -p good.asice $MAN > man.xml; echo man.xml)" > man-planted.xml &&
	$RS planted-base.asice m-planted.asice $OFFICER "$MAN=man-planted.xml" "evidence/chat-export/planted.txt=planted.txt" &&
	expect_fail m-planted.asice "evidence.items .*evidence/chat-export/planted.txt. is not listed in evidence.xml"
'
test_expect_success '31: an XML bomb (billion laughs) in evidence.xml (manifest re-signed)' '
	{ echo "<?xml version=\"1.0\"?>" && echo "<!DOCTYPE evidence [" && echo " <!ENTITY l0 \"lol\">" &&
	  for i in 1 2 3 4 5 6 7 8 9; do echo " <!ENTITY l$i \"&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));&l$((i-1));\">"; done &&
	  echo "]>" && echo "<evidence xmlns=\"urn:scelle:evidence:1\" formatVersion=\"1.0\">&l9;</evidence>"; } > bomb.xml &&
	$RS good.asice x-bomb.asice $OFFICER evidence.xml=bomb.xml &&
	expect_fail x-bomb.asice "evidence.parse .*.evidence.xml. has a document type declaration (refused: entities)"
'
test_expect_success '32: an external entity in evidence.xml (manifest re-signed)' '
	unzip -p good.asice evidence.xml | sed "1a <!DOCTYPE evidence [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>" |
		sed "s|<time>|<time>\&x;|" > xxe.xml && grep -q "ENTITY x SYSTEM" xxe.xml &&
	$RS good.asice x-xxe.asice $OFFICER evidence.xml=xxe.xml &&
	expect_fail x-xxe.asice "evidence.parse .*.evidence.xml. has a document type declaration (refused: entities)" &&
	! grep -q "root:" x-xxe.asice.out
'

# --- the signature --------------------------------------------------------------------------
unzip -p good.asice $MAN > man.xml
test_expect_success '33: a signature without signed attributes' '
	openssl cms -sign -binary -noattr -md sha256 -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in man.xml -out noattr.p7s &&
	$ZE good.asice s-noattr.asice replace $SIG noattr.p7s &&
	expect_fail s-noattr.asice "signature.attributes .*no signed attributes (not CAdES)"
'
test_expect_success '34: a signature by an expired certificate' '
	$RS good.asice s-expired.asice "$PKI/expired.key" "$PKI/expired.pem" &&
	expect_fail s-expired.asice "certificate was not valid at the claimed signing time \[EXPIRED\]"
'
test_expect_success '35: a CMS signature over a different manifest' '
	unzip -p other.asice $SIG > other.p7s &&
	$ZE good.asice s-other.asice replace $SIG other.p7s &&
	expect_fail s-other.asice "signature.crypto .*signature was made over another manifest \[HASH_FAILURE\]"
'
test_expect_success '36: the signer certificate swapped for another with the same key' '
	openssl req -new -key "$PKI/officer.key" -subj "/CN=Capitaine Demo Martin" -out twin.csr &&
	openssl x509 -req -in twin.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -set_serial 7 -days 30 \
		-out twin.pem 2>/dev/null &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in man.xml -out orig.p7s &&
	python3 - orig.p7s "$PKI/officer.pem" twin.pem > twin.p7s <<-PY &&
	import sys, subprocess
	der = lambda p: subprocess.run(["openssl", "x509", "-in", p, "-outform", "DER"], capture_output=True, check=True).stdout
	sig, good, twin = open(sys.argv[1], "rb").read(), der(sys.argv[2]), der(sys.argv[3])
	assert good in sig
	sys.stdout.buffer.write(sig.replace(good, twin))
	PY
	$ZE good.asice s-twin.asice replace $SIG twin.p7s &&
	expect_fail s-twin.asice "signature\.\(signing_certificate\|format\|crypto\) .*\(does not match the signer\|FORMAT_FAILURE\|SIG_CRYPTO_FAILURE\)"
'
test_expect_success '37: a time-stamp taken before the signing time it covers' '
	start_tsa &&
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	LD_PRELOAD="$T/shift.so" CLOCKSHIFT_SECONDS=3600 seal --tsa "$tsa_url" -o s-early.asice ev/ad-capture &&
	echo s-early.asice >> forged.list &&
	expect_exit 1 scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" s-early.asice > out &&
	test_grep "timestamp.order .*time-stamp 1 at .* precedes the claimed signing time by 3[56][0-9][0-9] s \[TIMESTAMP_ORDER_FAILURE\]" out
'

# --- limits ---------------------------------------------------------------------------------
test_expect_success '38: an entry name longer than 4096 bytes' '
	long=$(python3 -c "print(\"evidence/\" + \"n\" * 4991)") &&
	$ZE good.asice l-name.asice add "$long" planted.txt &&
	expect_fail l-name.asice "container.limits .*an entry name of 5000 bytes (limit 4096)"
'
test_expect_success '39: an end record claiming more entries than the limit' '
	$ZH good.asice l-count.asice count 3000000 &&
	expect_fail l-count.asice "container.limits .*3000000 entries (limit 2000000)"
'
test_expect_success '40: a manifest claiming 100 MB' '
	$ZH good.asice l-man.asice usize $MAN 100000000 &&
	expect_fail l-man.asice "container.limits .*ASiCManifest001.xml. is 100000000 bytes, over the limit of 64 MiB"
'
test_expect_success '41: an evidence.xml that inflates to 65 MiB (a deflate bomb)' '
	python3 -c "import sys; sys.stdout.write(\" \" * (65 << 20))" > big.xml &&
	$ZE good.asice l-bomb.asice replace evidence.xml big.xml && test $(wc -c < l-bomb.asice) -lt 1000000 &&
	expect_fail l-bomb.asice "container.limits .*evidence.xml. is 68157440 bytes, over the limit of 64 MiB"
'
test_expect_success '42: an evidence.xml nested 300 elements deep (manifest re-signed)' '
	python3 -c "print(\"<evidence xmlns=\\\"urn:scelle:evidence:1\\\" formatVersion=\\\"1.0\\\"><items>\" + \"<member>\" * 300 + \"</member>\" * 300 + \"</items></evidence>\")" > deep.xml &&
	$RS good.asice l-deep.asice $OFFICER evidence.xml=deep.xml &&
	expect_fail l-deep.asice "evidence.parse .*.evidence.xml. is not well-formed XML"
'
test_expect_success 'an inner archive is never expanded by verify (a 200 MiB zip bomb as an item)' '
	mkdir -p bomb && python3 -c "import zipfile; zipfile.ZipFile(\"bomb/inner.zip\", \"w\", zipfile.ZIP_DEFLATED).writestr(\"zeros.bin\", bytes(200 << 20))" &&
	seal -o bomb.asice bomb &&
	/usr/bin/time -f "%e s %M KiB" -o bomb.time scelle verify --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" bomb.asice > out &&
	test_grep "^bomb.asice: TOTAL-PASSED$" out &&
	awk "{ exit !(\$1 < 5 && \$3 < 65536) }" bomb.time
'

test_expect_success 'no forgery above was accepted, none crashed the verifier' '
	n=0 &&
	for f in $(sort -u forged.list); do
		n=$((n + 1)) &&
		test_must_fail verify -q "$f" || exit 1
	done &&
	test $n -ge 42
'
echo "# $(sort -u forged.list | wc -l) forgeries tried, each refused with its reason"
test_done
