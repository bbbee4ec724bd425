#!/bin/sh
# t21-names.sh — seal inputs: names that are not UTF-8, collisions a receiving machine would
# make, --as, --files-from, symbolic links.
. "$(dirname "$0")/lib.sh"
make_pki

seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
names() { python3 -c 'import zipfile,sys; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; }
evxml() { unzip -p "$1" evidence.xml; }
# Bad input: a one-line error, exit 2, no output and no temporary file left.
bad() { # expected-message args...
	msg=$1; shift
	rm -f out.asice
	test_must_fail --exit=2 seal -o out.asice "$@" 2> err &&
	test ! -e out.asice && test "$(wc -l < err)" = 1 && test_grep -F "$msg" err &&
	test -z "$(ls -A | grep "out.asice")"
}

# Names from an old Windows seizure: Latin-1 bytes, and a '%' beside them.
mkdir -p latin/sub
printf 'facture' > "latin/$(printf 'factur\351.txt')"
printf 'pourcent' > "latin/sub/$(printf '50%%\351t\351')"
printf 'utf8' > "latin/sub/100%.txt"
printf 'ctl' > "latin/$(printf 'a\tb')"

test_expect_success 'Latin-1 names are sealed under an escaped UTF-8 name' '
	seal -o latin.asice latin && names latin.asice > n &&
	test_grep -x "evidence/latin/factur%E9.txt" n &&
	test_grep -x "evidence/latin/sub/50%25%E9t%E9" n &&
	test_grep -x "evidence/latin/a%09b" n &&
	test_grep -x "evidence/latin/sub/100%.txt" n
'
test_expect_success 'evidence.xml keeps the original bytes of escaped names only' '
	evxml latin.asice > ev.xml &&
	test "$(grep -c "<originalName>" ev.xml)" = 3 &&
	python3 - ev.xml <<-PY
	import base64, sys, xml.etree.ElementTree as ET
	ns = {"e": "urn:scelle:evidence:1"}
	got = {}
	for it in ET.parse(sys.argv[1]).getroot().iter("{urn:scelle:evidence:1}item"):
	    o = it.find("e:originalName", ns)
	    got[it.get("path")] = base64.b64decode(o.text) if o is not None else None
	assert got["evidence/latin/factur%E9.txt"] == b"latin/factur\xe9.txt", got
	assert got["evidence/latin/sub/50%25%E9t%E9"] == b"latin/sub/50%\xe9t\xe9", got
	assert got["evidence/latin/a%09b"] == b"latin/a\tb", got
	assert got["evidence/latin/sub/100%.txt"] is None, got
	PY
'
test_expect_success 'the escape reverses to the original bytes (%XX -> byte)' '
	python3 - ev.xml <<-PY
	import base64, re, sys, xml.etree.ElementTree as ET
	for it in ET.parse(sys.argv[1]).getroot().iter("{urn:scelle:evidence:1}item"):
	    o = it.find("{urn:scelle:evidence:1}originalName")
	    if o is None: continue
	    name = it.get("path")[len("evidence/"):].encode()
	    back = re.sub(rb"%([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
	    assert back == base64.b64decode(o.text), (back, o.text)
	PY
'
test_expect_success 'the archive with escaped names verifies and its evidence.xml validates' '
	scelle verify -q --no-timestamp-ok --trust "$PKI/ca.pem" latin.asice &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" ev.xml
'

test_expect_success 'extract restores the Latin-1 names byte for byte' '
	scelle extract -q --no-timestamp-ok --trust "$PKI/ca.pem" -C back latin.asice &&
	python3 - <<-PY
	import os
	def tree(top):
	    out = {}
	    for root, dirs, files in os.walk(top.encode()):
	        for f in files:
	            p = os.path.join(root, f)
	            out[os.path.relpath(p, top.encode())] = open(p, "rb").read()
	    return out
	want, got = tree("latin"), tree("back/latin")
	want[b"a%09b"] = want.pop(b"a\tb")   # a control character keeps its escape
	assert got == want, (sorted(got), sorted(want))
	PY
'
test_expect_success 'a bag keeps the escaped names (BagIt manifests are UTF-8)' '
	scelle extract -q --no-timestamp-ok --trust "$PKI/ca.pem" --bagit -C bag latin.asice &&
	test -f "bag/data/latin/factur%E9.txt" && iconv -f UTF-8 -t UTF-8 bag/manifest-sha256.txt > /dev/null
'

# Collisions: caught before anything is written.
mkdir -p case nfd mixed
printf 1 > case/Photo.JPG && printf 2 > case/photo.jpg
printf 1 > "nfd/$(printf 'Jos\303\251.txt')" && printf 2 > "nfd/$(printf 'Jose\314\201.txt')"
printf 1 > "mixed/$(printf '\303\211t\303\251')" && printf 2 > "mixed/$(printf '\303\251te\314\201')"
test_expect_success 'names that differ only in case collide' '
	bad "scelle: '\''case/Photo.JPG'\'' and '\''case/photo.jpg'\'' would collide: '\''evidence/case/Photo.JPG'\'' and '\''evidence/case/photo.jpg'\'' differ only in case or Unicode normalisation" case
'
test_expect_success 'NFC and NFD forms of one name collide' '
	bad "differ only in case or Unicode normalisation" nfd &&
	test_grep -F "$(printf "nfd/Jose\314\201.txt")" err
'
test_expect_success 'case and normalisation at once (Été / été in NFD) collide' '
	bad "differ only in case or Unicode normalisation" mixed
'
test_expect_success 'Latin-1 and UTF-8 spellings do not collide (different names)' '
	mkdir -p both && printf 1 > "both/$(printf "caf\351")" && printf 2 > "both/$(printf "caf\303\251")" &&
	seal -o both.asice both && names both.asice > n &&
	test_grep -x "evidence/both/caf%E9" n && test_grep -x "$(printf "evidence/both/caf\303\251")" n
'
test_expect_success 'an escaped name that equals another name collides' '
	mkdir -p esc && printf 1 > "esc/$(printf "x\351")" && printf 2 > "esc/x%E9" &&
	bad "would both be stored as '\''evidence/esc/x%E9'\''" esc
'
test_expect_success 'collisions across two inputs, and a file that is also a folder' '
	mkdir -p two/Case && printf 3 > two/Case/photo.jpg &&
	bad "differ only in case" case/photo.jpg --as PHOTO.jpg two/Case/photo.jpg &&
	bad "would collide: '\''evidence/a'\'' is both a file and a folder" --as a case/Photo.JPG --as a/b case/photo.jpg
'

# Naming inputs.
test_expect_success '--as NAME PATH names the next PATH only' '
	seal -o as.asice --as "seizure 1/phone.txt" case/Photo.JPG case/photo.jpg && names as.asice > n &&
	test_grep -x "evidence/seizure 1/phone.txt" n && test_grep -x "evidence/photo.jpg" n &&
	test "$(unzip -p as.asice "evidence/seizure 1/phone.txt")" = 1
'
test_expect_success '--as without a PATH, and names that leave evidence/, are refused' '
	test_must_fail --exit=2 seal -o x.asice case --as lonely 2> err &&
	test_grep -F "scelle: --as '\''lonely'\'' names no PATH" err &&
	bad "cannot name an item '\''../up'\'' in the archive" --as ../up case/photo.jpg
'
test_expect_success '--files-from reads paths one a line, from a file or stdin' '
	printf "case/Photo.JPG\r\n\nlatin/sub\n" > list &&
	seal -o ff.asice --files-from list && names ff.asice > n &&
	test_grep -x "evidence/Photo.JPG" n && test_grep -x "evidence/sub/100%.txt" n &&
	printf "case/photo.jpg\n" | seal -o ff2.asice -T - && names ff2.asice | test_grep -x "evidence/photo.jpg" -
'
test_expect_success '--files-from -0 reads NUL-ended names (a newline inside a name)' '
	nl=$(printf "a\nb") && printf x > "$nl" &&
	printf "%s\0case/photo.jpg\0" "$nl" > list0 &&
	seal -o ff0.asice -0 --files-from list0 && names ff0.asice > n &&
	test_grep -x "evidence/a%0Ab" n && test_grep -x "evidence/photo.jpg" n
'
test_expect_success '--files-from with a missing file names it' '
	printf "case/photo.jpg\nnot-there\n" > list2 &&
	bad "scelle: cannot open '\''not-there'\'': No such file or directory" --files-from list2
'

# Symbolic links: recorded as links, never followed out of the input without --follow.
mkdir -p links/dir && printf secret > outside.txt && printf inside > links/dir/in.txt
ln -s ../../outside.txt links/dir/out-link
ln -s in.txt links/dir/in-link
test_expect_success 'a link is an item of type inode/symlink holding its target' '
	seal -o links.asice links && names links.asice > n &&
	test "$(unzip -p links.asice evidence/links/dir/out-link)" = "../../outside.txt" &&
	test "$(unzip -p links.asice evidence/links/dir/in-link)" = "in.txt" &&
	evxml links.asice > lx.xml &&
	test "$(grep -c "mediaType=\"inode/symlink\"" lx.xml)" = 2 &&
	! unzip -p links.asice evidence/links/dir/out-link | grep -q secret &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" lx.xml &&
	scelle verify -q --no-timestamp-ok --trust "$PKI/ca.pem" links.asice
'
test_expect_success '--follow seals what links point to' '
	seal -o follow.asice --follow links &&
	test "$(unzip -p follow.asice evidence/links/dir/out-link)" = secret &&
	! unzip -p follow.asice evidence.xml | grep -q inode/symlink
'
test_expect_success '--follow: a dangling link and a loop are errors' '
	mkdir -p dang && ln -s nowhere dang/l &&
	bad "scelle: cannot follow '\''dang/l'\'': No such file or directory" --follow dang &&
	mkdir -p loop/d && ln -s .. loop/d/up &&
	bad "a link loops back to a folder above it" --follow loop
'
test_expect_success 'a FIFO inside a folder is refused with its name' '
	mkdir -p fifo && mkfifo fifo/p && printf x > fifo/a &&
	bad "scelle: cannot seal '\''fifo/p'\'': it is a FIFO" fifo
'
# A folder of 64 entries or more is walked by two threads (seal.c, add_split).
test_expect_success 'a large folder: every item, in name order, as one thread would list them' '
	mkdir -p wide && i=0 &&
	while [ $i -lt 150 ]; do mkdir -p wide/d$i && printf "$i" > wide/d$i/f && printf x > wide/f$i; i=$((i + 1)); done &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o wide.asice wide &&
	unzip -p wide.asice evidence.xml | sed -n "s/.* path=\"\([^\"]*\)\".*/\1/p" > listed &&
	(cd wide && find . -type f | sed "s|^\./|evidence/wide/|" | LC_ALL=C sort) > expected &&
	cmp expected listed && test $(wc -l < listed) -eq 300
'
test_expect_success 'a large folder: a FIFO in its second half is refused with its name' '
	mkdir -p wide2 && i=0 &&
	while [ $i -lt 100 ]; do mkdir -p wide2/d$i; i=$((i + 1)); done &&
	mkfifo wide2/d90/p &&
	bad "scelle: cannot seal '\''wide2/d90/p'\'': it is a FIFO" wide2 &&
	mkfifo wide2/d10/p &&
	bad "scelle: cannot seal '\''wide2/d10/p'\'': it is a FIFO" wide2
'
test_done
