#!/bin/sh
# t24-seal-options.sh — what an investigator missed (issue 19): --exclude and
# --exclude-os-junk, the seal summary, --country in lower case, RFC 3339 offsets in
# custody --time, verify --report that never replaces a file without --force, the one-line
# usage hint, the URL that scelle tsa prints, and a 'received' record that needs --trust.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
names() { unzip -Z1 "$1" | grep "^evidence/" | sort; }

test_expect_success 'setup: a seizure with OS junk, temporary files, a cache and a link' '
	mkdir -p ph/DCIM/cache ph/Notes &&
	printf "photo" > ph/DCIM/IMG_0001.JPG && printf "c" > ph/DCIM/cache/thumb.bin &&
	printf "tmp" > ph/DCIM/x.tmp && printf "note" > ph/Notes/n.txt &&
	printf "j" > ph/.DS_Store && printf "j" > ph/DCIM/thumbs.db && printf "j" > ph/Notes/desktop.ini &&
	printf "apple double" > ph/Notes/._n.txt &&
	ln -s n.txt ph/Notes/latest
'

test_expect_success 'without an exclusion every file is sealed, OS junk too' '
	seal -o all.asice ph > out 2> err &&
	names all.asice > all.names &&
	test_grep -x "evidence/ph/.DS_Store" all.names && test_grep -x "evidence/ph/DCIM/thumbs.db" all.names &&
	test "$(wc -l < all.names)" = 9 &&
	test_grep -x "summary: items 9 (33 bytes), symbolic links 1, names stored escaped 0, excluded 0, warnings 1" err
'

test_expect_success '--exclude-os-junk leaves out .DS_Store, Thumbs.db (any case), desktop.ini, not ._ files' '
	seal -o junk.asice --exclude-os-junk ph > out 2> err &&
	names junk.asice > junk.names &&
	! grep -i -e "DS_Store" -e "thumbs.db" -e "desktop.ini" junk.names &&
	test_grep -x "evidence/ph/Notes/._n.txt" junk.names &&
	test "$(wc -l < junk.names)" = 6 &&
	test_grep "excluded 3, warnings 1$" err &&
	verify junk.asice > v && test_grep "^junk.asice: TOTAL-PASSED$" v
'

test_expect_success '--exclude: a base name at any depth, a path below the folder given' '
	seal -o ex.asice --exclude "*.tmp" --exclude "DCIM/cache" --exclude "._*" ph > out 2> err &&
	names ex.asice > ex.names &&
	cat > want <<-\EOF &&
	evidence/ph/.DS_Store
	evidence/ph/DCIM/IMG_0001.JPG
	evidence/ph/DCIM/thumbs.db
	evidence/ph/Notes/desktop.ini
	evidence/ph/Notes/latest
	evidence/ph/Notes/n.txt
	EOF
	diff want ex.names &&
	test_grep "excluded 3, warnings 1$" err &&
	unzip -p ex.asice evidence.xml > ev.xml &&
	! grep -e "cache" -e "x.tmp" ev.xml &&
	verify ex.asice > v && test_grep "^ex.asice: TOTAL-PASSED$" v
'

test_expect_success '--exclude with a / matches the path below the input, not a base name' '
	seal -o ex2.asice --exclude "Notes/*.txt" --exclude "n.txt/x" ph 2> err &&
	names ex2.asice > ex2.names &&
	! grep -x "evidence/ph/Notes/n.txt" ex2.names &&
	! grep -x "evidence/ph/Notes/._n.txt" ex2.names &&
	test_grep -x "evidence/ph/Notes/latest" ex2.names &&
	test_grep "excluded 2, warnings 1$" err
'

test_expect_success 'a path given on the command line is never excluded; a big folder (split walk) counts all' '
	seal -o given.asice --exclude "*.tmp" ph/DCIM/x.tmp 2> err &&
	test "$(names given.asice)" = evidence/x.tmp &&
	mkdir big && for i in $(seq 1 150); do printf "%s" $i > big/f$i.txt && printf t > big/f$i.tmp || return 1; done &&
	seal -q -o big.asice --exclude "*.tmp" big &&
	test "$(names big.asice | wc -l)" = 150 &&
	seal -o big2.asice --exclude "*.tmp" big 2> err &&
	test_grep "excluded 150, warnings 1$" err
'

test_expect_success 'seal --json carries the summary; -q prints none' '
	seal --json -o j.asice --exclude-os-junk ph > j.json 2> err &&
	python3 -c "
import json, sys
d = json.load(open(\"j.json\"))
s = d[\"summary\"]
assert s == {\"items\": 6, \"bytes\": 30, \"links\": 1, \"escaped_names\": 0, \"excluded\": 3, \"warnings\": 1}, s
" &&
	seal -q -o q.asice ph > out 2> err && test ! -s out &&
	! grep -v "^scelle: warning: sealed without a time-stamp (no time-stamp authority given)" err
'

test_expect_success 'the summary counts names stored escaped and warnings' '
	mkdir lat && printf "x" > "lat/$(printf "caf\351.txt")" &&
	scelle seal -o lat.asice --key "$PKI/officer.key" --cert "$PKI/officer.pem" lat 2> err &&
	n=$(grep -c "^scelle: warning: " err) && test "$n" -ge 1 &&
	test_grep -x "summary: items 1 (1 bytes), symbolic links 0, names stored escaped 1, excluded 0, warnings $n" err
'

test_expect_success '--country fr is FR, in the officer and the case references' '
	seal -q -o fr.asice --country fr --case "OCRTEH:fr:2026/1" ph/Notes/n.txt &&
	unzip -p fr.asice evidence.xml > fr.xml &&
	test_grep "country=\"FR\">2026/1</reference>" fr.xml &&
	test_grep "<officer .*country=\"FR\"" fr.xml &&
	xmllint --noout --schema "$TOP/formats/evidence.xsd" fr.xml &&
	test_must_fail --exit=2 seal -q -o no.asice --country f1 ph 2> err &&
	test_grep -x "scelle: invalid country code .f1. (ISO 3166 alpha-2, e.g. FR)" err && test ! -e no.asice
'

es() { scelle custody add --key "$PKI/es-officer.key" --cert "$PKI/es-officer.pem" --role Inspectora "$@"; }
# utc SECONDS [FORMAT]: a time in UTC as date(1) formats it
utc() { date -u -d "@$1" "+${2:-%Y-%m-%dT%H:%M:%SZ}"; }
test_expect_success 'custody --time: Z, an offset (stored in UTC), lower-case country' '
	seal -q -o c.asice ph/Notes/n.txt && sleep 2 && t0=$(date +%s) &&
	es c.asice --event transferred --country es --time "$(utc $((t0 - 1 + 3600)) %Y-%m-%dT%H:%M:%S+01:00)" -q &&
	test_grep "<time>$(utc $((t0 - 1)))</time>" c.asice.custody.xml &&
	test_grep "country=\"ES\"" c.asice.custody.xml &&
	es c.asice --event opened --time "$(utc $((t0 - 5400)) %Y-%m-%dT%H:%M:%S.250-01:30)" -q &&
	test_grep "<time>$(utc $t0)</time>" c.asice.custody.xml &&
	es c.asice --event examined --time "$(utc $t0 %Y-%m-%dt%H:%M:%Sz)" -q &&
	test "$(grep -c "<time>$(utc $t0)</time>" c.asice.custody.xml)" = 2 &&
	for bad in 2026-01-02T08:00:00 2026-01-02T08:00:00+1 2026-01-02T08:00:00+01:60 2026-01-02 x; do
		test_must_fail --exit=2 es c.asice --event examined --time "$bad" 2> err &&
		test_grep "^scelle: invalid time .$bad. (use RFC 3339, e.g. 2026-03-01T09:30:00Z or 2026-03-01T10:30:00+01:00)$" err || return 1
	done
'

test_expect_success 'custody add --event received needs --trust, or --unverified (recorded INDETERMINATE)' '
	cp c.asice.custody.xml before.xml &&
	test_must_fail --exit=2 es c.asice --event received --no-timestamp-ok 2> err &&
	test_grep -x "scelle: a .received. record needs the sender.s trust anchor (--trust CA.pem) to verify the archive; --unverified records it without, as INDETERMINATE" err &&
	test_grep -x "Try .scelle custody --help.\." err &&
	cmp before.xml c.asice.custody.xml &&
	expect_exit 3 es c.asice --event received --no-timestamp-ok --unverified > out &&
	test_grep "<verification verdict=\"INDETERMINATE\"/>" c.asice.custody.xml &&
	es c.asice --event received --no-timestamp-ok --trust "$PKI/ca.pem" > out &&
	test_grep "<verification verdict=\"TOTAL-PASSED\"/>" c.asice.custody.xml
'

test_expect_success 'verify --report never replaces a file without --force' '
	verify --report r.html all.asice > /dev/null && test -s r.html &&
	printf "keep me" > r.html &&
	test_must_fail --exit=2 verify --report r.html all.asice > out 2> err &&
	test_grep -x "scelle: .r.html. already exists (use --force to replace it)" err &&
	test ! -s out && test "$(cat r.html)" = "keep me" &&
	test -z "$(ls r.html.* 2> /dev/null)" &&
	verify --force --report r.html all.asice > /dev/null && test_grep "TOTAL-PASSED" r.html &&
	verify -f --report r.html all.asice > /dev/null
'

test_expect_success 'a usage error is one line and a one-line hint, for every command' '
	for c in seal verify show extract stamp tsa "custody add" "custody show"; do
		test_must_fail --exit=2 scelle $c --no-such-option > out 2> err &&
		test ! -s out && test "$(wc -l < err)" = 2 &&
		test_grep -x "scelle $c: unrecognized option .--no-such-option." err &&
		test_grep -x "Try .scelle ${c%% *} --help.\." err || return 1
	done &&
	test_must_fail --exit=2 scelle seal ph 2> err && test "$(wc -l < err)" = 2 &&
	test_grep -x "scelle: no output given (-o OUT.asice)" err &&
	test_must_fail --exit=2 scelle show 2> err && test_grep -x "Try .scelle show --help.\." err &&
	test_must_fail --exit=2 scelle custody 2> err && test "$(wc -l < err)" = 2 &&
	test_grep -x "Try .scelle custody --help.\." err &&
	test_must_fail --exit=2 scelle frobnicate 2> err && test "$(wc -l < err)" = 2 &&
	test_grep -x "Try .scelle --help.\." err &&
	! grep "^usage:" err
'

test_expect_success 'seal, stamp and custody add read the time-stamp options by the same lines' '
	for c in "seal -o x.asice --key $PKI/officer.key ph/Notes/n.txt" \
		"stamp -o x.asice --tsa http://127.0.0.1:9/ y.asice" \
		"custody add y.asice --event opened --key $PKI/officer.key"; do
		test_must_fail --exit=2 scelle $c --tsa-timeout 0 2>err &&
		test_grep -Fx "scelle: invalid timeout '\''0'\'' (seconds, 1 to 3600)" err &&
		test_must_fail --exit=2 scelle $c --tsa-timeout 3601 2>err &&
		test_grep -Fx "scelle: invalid timeout '\''3601'\'' (seconds, 1 to 3600)" err &&
		test_must_fail --exit=2 scelle $c --tsa-auth pass:x 2>err &&
		test_grep "tsa-auth" err && test ! -e x.asice || return 1
	done &&
	test_must_fail --exit=2 seal -o x.asice --tsa ftp://127.0.0.1/ ph/Notes/n.txt 2>err &&
	test_grep "ftp://127.0.0.1/" err && test ! -e x.asice
'

test_expect_success 'scelle tsa prints the URL to give --tsa, and that URL works' '
	start_server t scelle tsa --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" \
		--listen 127.0.0.1:0 --port-file "$T/t.port" &&
	port=$(cat t.port) && sleep 0.2 &&
	test_grep -x "scelle tsa: listening on port $port (127.0.0.1:0): use --tsa http://127.0.0.1:$port/" t.log &&
	url=$(sed -n "s/.*: use --tsa //p" t.log) &&
	seal -q -o ts.asice --tsa "$url" ph/Notes/n.txt &&
	scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --crl "$PKI/ca.crl" ts.asice > v &&
	test_grep "^ts.asice: TOTAL-PASSED$" v
'

test_done
