#!/bin/sh
# t25-empty-folders.sh — empty folders are recorded (issue 19, FORMAT.md §3.7): seal
# writes <folders> and format 1.2 only when there is one, verify refuses a forged list,
# extract makes them again, show lists them.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }

test_expect_success 'setup: a seizure with an empty folder, a nested empty one, an excluded-only one' '
	mkdir -p d/empty d/a/b/c d/full d/tmp &&
	printf "x" > d/full/f.txt && printf "a" > d/full-a && printf "t" > d/tmp/x.tmp && printf "y" > d/top.txt
'

test_expect_success 'seal records the deepest empty folders in <folders>, format 1.2, valid' '
	seal -o e.asice --exclude "*.tmp" d > out 2> err &&
	unzip -p e.asice evidence.xml > ev.xml &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" ev.xml &&
	test_grep "formatVersion=\"1.2\"" ev.xml &&
	xmllint --xpath "//*[local-name()=\"folder\"]/@path" ev.xml | tr " " "\n" | grep path > got &&
	printf "%s\n" "path=\"evidence/d/a/b/c\"" "path=\"evidence/d/empty\"" "path=\"evidence/d/tmp\"" > want &&
	diff want got &&
	! unzip -Z1 e.asice | grep "/$"
'

test_expect_success 'verify passes it' '
	verify e.asice > v && test_grep "^e.asice: TOTAL-PASSED$" v
'

test_expect_success 'verify --json lists them, valid against verify-result.schema.json' '
	verify --json e.asice > j &&
	/usr/bin/python3 - "$TOP/formats/verify-result.schema.json" j <<-\PY
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	doc = json.loads(open(sys.argv[2]).read())
	jsonschema.Draft202012Validator(schema).validate(doc)
	assert doc["empty_folders"] == ["evidence/d/a/b/c", "evidence/d/empty", "evidence/d/tmp"], doc["empty_folders"]
	PY
'

test_expect_success 'show lists the empty folders' '
	scelle show e.asice > s &&
	test_grep -x "empty folder: evidence/d/a/b/c" s && test_grep -x "empty folder: evidence/d/empty" s
'

test_expect_success 'extract makes them again, empty' '
	scelle extract --no-timestamp-ok --trust "$PKI/ca.pem" -C x e.asice > v &&
	test -d x/d/a/b/c && test -d x/d/empty && test -d x/d/tmp &&
	test -z "$(ls -A x/d/empty)" && test -f x/d/full/f.txt
'

test_expect_success 'an archive without empty folders stays format 1.1, without <folders>' '
	seal -o f.asice d/full > out 2> err &&
	unzip -p f.asice evidence.xml > f.xml &&
	test_grep "formatVersion=\"1.1\"" f.xml && ! grep -q "folders" f.xml
'

test_expect_success 'a wide folder walked on two threads keeps the empty folders of both halves' '
	mkdir w && for i in $(seq 10 99); do mkdir w/d$i || return 1; done &&
	printf "z" > w/d50/z && printf "z" > w/d11/z &&
	seal -o w.asice w > out 2> err &&
	unzip -p w.asice evidence.xml > w.xml &&
	test "$(grep -c "<folder path=" w.xml)" = 88 &&
	! grep -e "w/d50\"" -e "w/d11\"" w.xml && grep -q "evidence/w/d99\"" w.xml && grep -q "evidence/w/d10\"" w.xml
'

test_expect_success 'a folder name that is not UTF-8 is escaped as item names are (FORMAT.md 2.2)' '
	mkdir -p n/keep "$(printf "n/caf\351")" && printf "k" > n/keep/k &&
	seal -o n.asice n > out 2> err &&
	unzip -p n.asice evidence.xml > n.xml &&
	test_grep "<folder path=\"evidence/n/caf%E9\"/>" n.xml &&
	verify n.asice > v && test_grep "^n.asice: TOTAL-PASSED$" v
'

test_expect_success 'an empty folder that differs from a file only in case is refused (FORMAT.md 2.2)' '
	mkdir -p c/Notes && printf "n" > c/notes &&
	test_must_fail --exit=2 seal -o c.asice c > out 2> err &&
	test_grep "^scelle: .*c/notes. and the empty folder .evidence/c/Notes. would collide: .evidence/c/notes. is both a file and a folder" err &&
	test ! -e c.asice
'

# Forgeries by someone who holds a signing key (resign.py): evidence.xml changed, the
# manifest signed again, so that verify fails only for the folder.
forge() { # name sed-expression
	sed -e "$2" ev.xml > "$1.xml" && ! cmp -s ev.xml "$1.xml" &&
	python3 "$TOP/tests/data/resign.py" e.asice "$1.asice" "$PKI/officer.key" "$PKI/officer.pem" \
		"evidence.xml=$1.xml"
}
refused() { # name message
	test_must_fail --exit=1 verify -v "$1.asice" > v &&
	test_grep "^$1.asice: TOTAL-FAILED$" v && ! grep "passed *container.coverage" v &&
	test_grep "evidence.items.*empty folder '$2" v
}

test_expect_success 'control: evidence.xml re-signed unchanged passes' '
	forge same "s|evidence/d/empty\"|evidence/d/empty\" |" && verify same.asice > v &&
	test_grep "^same.asice: TOTAL-PASSED$" v
'

test_expect_success 'verify refuses a forged folder: ".." in it, outside evidence/, listed twice' '
	forge dots "s|evidence/d/empty\"|evidence/d/../../x\"|" &&
	refused dots "evidence/d/../../x'\'' in evidence.xml: '\''.'\'' or '\''..'\'' in path" &&
	forge abs "s|evidence/d/empty\"|evidence//etc\"|" &&
	refused abs "evidence//etc'\'' in evidence.xml: absolute path" &&
	forge out "s|evidence/d/empty\"|META-INF/x\"|" &&
	refused out "META-INF/x'\'' in evidence.xml: not under evidence/" &&
	forge twice "s|evidence/d/tmp\"|evidence/d/empty\"|" &&
	refused twice "evidence/d/empty'\'' in evidence.xml: listed twice"
'

test_expect_success 'verify refuses a folder that holds an item, or is an item' '
	forge holds "s|evidence/d/empty\"|evidence/d/full\"|" &&
	refused holds "evidence/d/full'\'' in evidence.xml: the archive has an entry there" &&
	forge holds2 "s|evidence/d/empty\"|evidence/d\"|" &&
	refused holds2 "evidence/d'\'' in evidence.xml: the archive has an entry there" &&
	forge file "s|evidence/d/empty\"|evidence/d/top.txt\"|" &&
	refused file "evidence/d/top.txt'\'' in evidence.xml: the archive has an entry there" &&
	forge near "s|evidence/d/empty\"|evidence/d/ful\"|" && verify near.asice > v &&
	test_grep "^near.asice: TOTAL-PASSED$" v
'

test_expect_success 'extract --force never makes a forged folder outside the target' '
	test_must_fail scelle extract --force --no-timestamp-ok --trust "$PKI/ca.pem" -C fx dots.asice 2> err &&
	test_grep "refusing to extract '\''evidence/d/../../x'\''" err &&
	test ! -e fx
'

test_done
