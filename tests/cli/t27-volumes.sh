#!/bin/sh
# t27-volumes.sh — a seal split into volumes (issue 20 §3, FORMAT.md §13): --profile dss
# keeps every volume within 990 ZIP entries, each volume verifies alone (scelle and the
# openssl recipe), the set verifies complete; a missing or foreign volume is reported by
# number; --max-volume-size bounds the files; an item larger than a volume is alone; without
# the options nothing changes.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
# the set identifier of the volumes of case.asice, from volume 1's evidence.xml
set_of() { unzip -p case.vol001.asice evidence.xml | sed -n "s/.*<volume set=\"\([0-9a-f-]*\)\".*/\1/p"; }

test_expect_success 'setup: a seizure of 3,000 small items in three folders' '
	mkdir -p s/a s/b s/c &&
	for d in a b c; do
		i=0
		while [ $i -lt 1000 ]; do printf "%s %s\n" $d $i > s/$d/item$i.txt; i=$((i + 1)); done || return 1
	done &&
	find s -type f | sed "s|^|evidence/|" | LC_ALL=C sort > all-items &&
	test "$(wc -l < all-items)" -eq 3000
'

test_expect_success 'seal --profile dss writes volumes of at most 990 ZIP entries each' '
	seal --profile dss -o case.asice s > out 2> err &&
	! test -e case.asice &&
	ls case.vol*.asice > vols && test "$(wc -l < vols)" -eq 4 &&
	for v in $(cat vols); do
		n=$(unzip -Z1 "$v" | wc -l) &&
		echo "$v $n" &&
		test "$n" -le 990 || return 1
	done &&
	for v in $(cat vols); do unzip -Z1 "$v" | grep "^evidence/" || return 1; done | LC_ALL=C sort > sealed &&
	diff all-items sealed &&
	unzip -Z1 case.vol004.asice | grep -qx volumes.xml &&
	! unzip -Z1 case.vol001.asice | grep -qx volumes.xml
'

test_expect_success 'the items are cut in name order: volume 1 holds the first names' '
	unzip -Z1 case.vol001.asice | grep "^evidence/" | LC_ALL=C sort > v1 &&
	head -n "$(wc -l < v1)" all-items | diff - v1
'

test_expect_success 'each volume verifies on its own and says which volume of which set it is' '
	set_id=$(set_of) &&
	test -n "$set_id" &&
	for i in 1 2 3 4; do
		verify case.vol00$i.asice > v$i || return 1
		test_grep "^case.vol00$i.asice: TOTAL-PASSED$" v$i &&
		test_grep "volume $i of 4 of set $set_id" v$i || return 1
	done &&
	verify --report v2.html case.vol002.asice > /dev/null &&
	test_grep "<th>Volume</th><td>2 of 4, set $set_id</td>" v2.html
'

test_expect_success 'evidence.xml is format 1.3 with <volume>, and volumes.xml is valid, both by the schema' '
	unzip -p case.vol002.asice evidence.xml > ev2.xml &&
	test_grep "formatVersion=\"1.3\"" ev2.xml &&
	test_grep "<volume set=\"[0-9a-f-]*\" index=\"2\" count=\"4\"/>" ev2.xml &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" ev2.xml &&
	unzip -p case.vol004.asice volumes.xml > set.xml &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" set.xml
'

test_expect_success 'stock tools (FORMAT.md §13): openssl checks each signature, the set manifest names every volume' '
	for i in 1 2 3 4; do
		rm -rf x$i && mkdir x$i && (cd x$i && unzip -q ../case.vol00$i.asice) &&
		openssl cms -verify -cades -binary -inform DER -in x$i/META-INF/signature001.p7s \
			-content x$i/META-INF/ASiCManifest001.xml -CAfile "$PKI/ca.pem" -out /dev/null 2> cms$i &&
		test_grep "Verification successful" cms$i || return 1
	done &&
	m=x4/META-INF/ASiCManifest001.xml &&
	want=$(xmllint --xpath "string(//*[local-name()=\"DataObjectReference\"][@URI=\"volumes.xml\"]/*[local-name()=\"DigestValue\"])" $m) &&
	test "$(openssl dgst -sha256 -binary x4/volumes.xml | base64)" = "$want" &&
	for i in 1 2 3; do
		listed=$(xmllint --xpath "string(//*[local-name()=\"volume\"][@index=\"$i\"]/@sealId)" x4/volumes.xml) &&
		test "$(sha256sum x$i/META-INF/ASiCManifest001.xml | cut -c1-64)" = "$listed" &&
		digest=$(xmllint --xpath "string(//*[local-name()=\"volume\"][@index=\"$i\"]/@fileDigest)" x4/volumes.xml) &&
		test "$(sha256sum case.vol00$i.asice | cut -c1-64)" = "$digest" || return 1
	done
'

test_expect_success 'the four volumes together: the set verifies complete (exit 0)' '
	set_id=$(set_of) &&
	verify case.vol001.asice case.vol002.asice case.vol003.asice case.vol004.asice > all &&
	test_grep "^volume set $set_id: TOTAL-PASSED$" all
'

test_expect_success 'JSON: one line for the set, complete' '
	set_id=$(set_of) &&
	verify --json case.vol00*.asice > all.json &&
	/usr/bin/python3 - all.json "$set_id" "$TOP/formats/verify-result.schema.json" <<-\PY
	import json, sys, jsonschema
	lines = [json.loads(l) for l in open(sys.argv[1])]
	schema = json.load(open(sys.argv[3]))
	for l in lines[:4]:
	    jsonschema.Draft202012Validator(schema).validate(l)
	set_schema = dict(schema["$defs"]["volumeSet"], **{"$defs": schema["$defs"], "properties": dict(schema["$defs"]["volumeSet"]["properties"], checks=schema["properties"]["checks"])})
	jsonschema.Draft202012Validator(set_schema).validate(lines[4])
	assert [v["state"] for v in lines[3]["volumes"]] == ["listed"] * 4, lines[3]["volumes"]
	assert [l["volume_index"] for l in lines[:4]] == ["1", "2", "3", "4"], lines[:4]
	s = lines[4]
	assert s["schema"] == "scelle-verify-set/1" and s["set"] == sys.argv[2], s
	assert s["verdict"] == "TOTAL-PASSED" and s["count"] == 4, s
	assert [v["state"] for v in s["volumes"]] == ["present"] * 4, s["volumes"]
	PY
'

test_expect_success 'a missing volume is reported by its number (text, JSON, HTML; exit 1)' '
	set_id=$(set_of) &&
	expect_exit 1 verify case.vol001.asice case.vol003.asice case.vol004.asice > miss &&
	test_grep "^volume set $set_id: TOTAL-FAILED$" miss &&
	test_grep "FAILED  *volumes.complete  *volume 2 of 4 is missing" miss &&
	expect_exit 1 verify --json case.vol001.asice case.vol003.asice case.vol004.asice > miss.json &&
	tail -n 1 miss.json | grep "\"state\":\"missing\"" &&
	tail -n 1 miss.json | grep "volume 2 of 4 is missing" &&
	expect_exit 1 verify --report set.html case.vol001.asice case.vol003.asice case.vol004.asice > /dev/null &&
	test_grep "volume 2 of 4 is missing" set.html &&
	test_grep "volumes.complete" set.html
'

test_expect_success 'in French and Spanish: the set verdict and its report, no English left' '
	sh "$TOP/src/cli/po/msgids.sh" > scelle.pot 2> /dev/null &&
	for l in fr es; do
		expect_exit 1 verify --lang $l case.vol001.asice case.vol003.asice case.vol004.asice > miss.$l &&
		expect_exit 1 verify --lang $l --report set.$l.html case.vol001.asice case.vol003.asice \
			case.vol004.asice > /dev/null &&
		scelle show --lang $l case.vol002.asice > show.$l 2>&1 &&
		python3 "$TOP/tests/data/english_left.py" scelle.pot "$TOP/src/cli/po/$l.po" miss.$l \
			set.$l.html show.$l || return 1
	done &&
	test_grep "le volume 2 sur 4 manque" miss.fr && test_grep "falta el volumen 2 de 4" miss.es
'

test_expect_success 'the last volume missing: reported as volume 4, there is then no set manifest' '
	expect_exit 1 verify case.vol001.asice case.vol002.asice case.vol003.asice > miss4 &&
	test_grep "volume 4 of 4 is missing" miss4
'

test_expect_success 'a volume of another set in the place of volume 2 is reported (exit 1)' '
	set_id=$(set_of) &&
	mkdir other && cp s/a/item1.txt s/a/item2.txt s/b/item3.txt s/b/item4.txt other/ &&
	seal --max-entries 6 -o other.asice other &&
	test -e other.vol002.asice &&
	verify other.vol002.asice > /dev/null &&
	expect_exit 1 verify case.vol001.asice other.vol002.asice case.vol003.asice case.vol004.asice > foreign &&
	test_grep "^volume set $set_id: TOTAL-FAILED$" foreign &&
	test_grep "volume 2 of 4 is missing: .other.vol002.asice. is volume 2 of another set" foreign
'

test_expect_success 'verify --set with the last volume alone finds the others beside it' '
	set_id=$(set_of) &&
	verify --set case.vol004.asice > byset &&
	test_grep "^case.vol001.asice: TOTAL-PASSED$" byset &&
	test_grep "^volume set $set_id: TOTAL-PASSED$" byset &&
	mkdir part && cp case.vol004.asice case.vol001.asice part/ &&
	expect_exit 1 verify --set part/case.vol004.asice > bypart &&
	test_grep "volume 3 of 4 is missing" bypart &&
	expect_exit 2 verify --set case.vol002.asice 2> notlast &&
	test_grep "not the last volume" notlast
'

test_expect_success 'the completeness recipe of FORMAT.md §13.4, as printed: passes, and catches a foreign volume' '
	sed -n "/^\`\`\`sh volume-steps$/,/^\`\`\`$/p" "$TOP/formats/FORMAT.md" | sed "1d;\$d" > steps.sh &&
	test -s steps.sh &&
	mkdir r && cp case.vol00*.asice r/ &&
	(cd r && mkdir sealed && cd sealed && unzip -q ../case.vol004.asice) &&
	(cd r && bash ../steps.sh) > rec &&
	test_grep "^set complete$" rec && ! grep MISMATCH rec &&
	cp other.vol002.asice r/case.vol002.asice &&
	(cd r && bash ../steps.sh) > rec2 &&
	test_grep "MISMATCH: volume 2" rec2
'

# Someone who holds a signing key re-seals volume 2 with one item changed: it verifies on
# its own, names the same set, but is not the volume 2 that the set manifest names.
test_expect_success 'a volume of the same set re-signed with other content is foreign, by number' '
	rm -rf g && mkdir g && (cd g && unzip -q ../case.vol002.asice) &&
	item=$(unzip -Z1 case.vol002.asice | grep "^evidence/" | head -n 1) &&
	sed "s/^./x/" "g/$item" > new.txt && ! cmp -s new.txt "g/$item" &&
	old=$(sha256sum "g/$item" | cut -c1-64) && new=$(sha256sum new.txt | cut -c1-64) &&
	sed "s/$old/$new/" g/evidence.xml > ev.new &&
	python3 "$TOP/tests/data/resign.py" case.vol002.asice resigned.vol002.asice \
		"$PKI/officer.key" "$PKI/officer.pem" "$item=new.txt" "evidence.xml=ev.new" &&
	verify resigned.vol002.asice > own && test_grep "^resigned.vol002.asice: TOTAL-PASSED$" own &&
	test_grep "volume 2 of 4 of set $(set_of)" own &&
	expect_exit 1 verify case.vol001.asice resigned.vol002.asice case.vol003.asice case.vol004.asice > fs &&
	test_grep "FAILED  *volumes.member  *volume 2 (.resigned.vol002.asice.) is foreign: its seal identifier" fs &&
	test_grep "volume 2 of 4 is missing" fs
'

test_expect_success 'the same volume given twice is a warning, not a failure' '
	cp case.vol002.asice copy.vol002.asice && cp case.vol002.asice.custody.xml copy.vol002.asice.custody.xml &&
	verify case.vol00*.asice copy.vol002.asice > twice &&
	test_grep "volume 2 is given twice" twice
'

test_expect_success 'a forged set manifest fails the last volume and the set' '
	rm -rf f && mkdir f && (cd f && unzip -q ../case.vol004.asice) &&
	sed "s/index=\"2\"/index=\"5\"/" f/volumes.xml > f/v && mv f/v f/volumes.xml &&
	(cd f && rm -f ../forged.vol004.asice && zip -q -X -0 ../forged.vol004.asice mimetype &&
	 zip -q -X -r ../forged.vol004.asice . -x mimetype) &&
	expect_exit 1 verify case.vol001.asice case.vol002.asice case.vol003.asice forged.vol004.asice > forged &&
	test_grep "^forged.vol004.asice: TOTAL-FAILED$" forged &&
	test_grep "volumes.verdicts" forged
'

test_expect_success 'empty folders are recorded in the last volume, which verifies' '
	mkdir -p ef/empty ef/full && printf 1 > ef/full/a && printf 2 > ef/full/b && printf 3 > ef/full/c &&
	seal --max-entries 7 -o ef.asice ef &&
	test -e ef.vol002.asice && ! test -e ef.vol003.asice &&
	unzip -p ef.vol002.asice evidence.xml | grep -q "<folder path=\"evidence/ef/empty\"/>" &&
	! unzip -p ef.vol001.asice evidence.xml | grep -q "<folder" &&
	verify ef.vol001.asice ef.vol002.asice > efv && test_grep "^volume set .*: TOTAL-PASSED$" efv
'

test_expect_success 'setup: items of 10 KiB of random bytes, and one of 100 KiB' '
	mkdir -p z && i=0 &&
	while [ $i -lt 40 ]; do head -c 10240 /dev/urandom > z/r$i.bin; i=$((i + 1)); done &&
	head -c 102400 /dev/urandom > z/r17big.bin
'

test_expect_success '--max-volume-size bounds every volume file; the larger item is alone, said so' '
	seal --max-volume-size 64K -o sized.asice z 2> serr &&
	ls sized.vol*.asice > svols && test "$(wc -l < svols)" -gt 5 &&
	for v in $(cat svols); do
		size=$(wc -c < "$v") &&
		if unzip -Z1 "$v" | grep -qx evidence/z/r17big.bin; then
			test "$(unzip -Z1 "$v" | grep -c "^evidence/")" -eq 1 || return 1
		else
			test "$size" -le 65536 || return 1
		fi
	done &&
	test_grep "evidence/z/r17big.bin.*larger than a volume may be" serr &&
	verify sized.vol*.asice > sv && test_grep "^volume set .*: TOTAL-PASSED$" sv
'

test_expect_success 'without the options, seal writes what it always wrote: no volume, format 1.1' '
	seal -o plain.asice other &&
	printf "%s\n" mimetype evidence/other/item1.txt evidence/other/item2.txt evidence/other/item3.txt \
		evidence/other/item4.txt evidence.xml META-INF/ASiCManifest001.xml META-INF/signature001.p7s > want &&
	unzip -Z1 plain.asice | { read -r first; echo "$first"; LC_ALL=C sort | grep "^evidence/"; } > got.1 &&
	unzip -Z1 plain.asice | grep -v "^evidence/" | grep -v mimetype > got.2 &&
	cat got.1 got.2 | diff want - &&
	unzip -p plain.asice evidence.xml > plain.xml &&
	test_grep "formatVersion=\"1.1\"" plain.xml &&
	! grep -q "<volume" plain.xml &&
	verify plain.asice > pv && ! grep -q "volume" pv
'

test_expect_success 'usage: too few entries, XAdES, an existing volume (nothing written)' '
	expect_exit 2 seal --max-entries 5 -o few.asice other &&
	! ls few.vol* 2>/dev/null &&
	expect_exit 2 seal --max-entries 6 --signature xades -o x.asice other &&
	! ls x.vol* 2>/dev/null &&
	: > again.vol003.asice &&
	expect_exit 2 seal --max-entries 6 -o again.asice other 2> eerr &&
	test_grep "again.vol003.asice.*already exists" eerr &&
	! test -e again.vol001.asice
'

test_expect_success '--force over a larger set: the volume left beyond the last is named in a warning' '
	seal --force --max-entries 7 -o other.asice other 2> ferr &&
	test -e other.vol002.asice &&
	test_grep "other.vol003.asice. is left from an earlier sealing: it is not a volume of this set (2 volumes)" ferr &&
	verify other.vol001.asice other.vol002.asice > fv && test_grep "^volume set .*: TOTAL-PASSED$" fv
'

test_done
