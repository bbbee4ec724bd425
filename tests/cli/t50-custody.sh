#!/bin/sh
# t50-custody.sh — the chain-of-custody ledger: sealed in France, transferred to Spain,
# received and verified there, opened for examination; each forgery of the ledger is caught
# with its record number; concurrent additions never corrupt it.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
LE="python3 $TOP/tests/data/ledgeredit.py"
XSD="$TOP/formats/custody.xsd"
seal() {
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" --officer "Capitaine Demo Martin" \
		--role "OPJ" --unit "OCRTEH" --country FR --place "Nanterre" "$@"
}
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
fr() { scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }
es() { scelle custody add --key "$PKI/es-officer.key" --cert "$PKI/es-officer.pem" --role Inspectora "$@"; }
schema() { xmllint --noout --schema "$XSD" "$1" 2>&1; }
# The event of record N as FORMAT says a court can rebuild it: xmllint extracts it, the
# namespace it inherits is declared on it, xmllint --exc-c14n canonicalises it.
event_c14n() { # ledger n out
	xmllint --xpath "(//*[local-name()='event'])[$2]" "$1" |
		sed '1s/^<event /<event xmlns="urn:scelle:custody:1" /' >"$3.xml" &&
	xmllint --exc-c14n "$3.xml" >"$3"
}
# What somebody holding KEY can do: sign record N's event as it now stands, with openssl.
resign() { # ledger n key cert out
	event_c14n "$1" "$2" ev.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -signer "$4" -inkey "$3" \
		-in ev.c14n -outform DER -out ev.p7s &&
	$LE "$1" "$5" setsig "$2" "$(base64 -w0 ev.p7s)"
}

test_expect_success 'setup' '
	seal --tsa "$tsa_url" -o case.asice ev/ad-capture ev/chat-export
'

test_expect_success 'seal writes the ledger beside the archive: record 1, the sealing' '
	test -f case.asice.custody.xml &&
	schema case.asice.custody.xml | test_grep "validates" - &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 1 &&
	test_grep "<event seq=\"1\" type=\"sealed\">" case.asice.custody.xml &&
	test_grep "name=\"Capitaine Demo Martin\" role=\"OPJ\" organisation=\"OCRTEH\" country=\"FR\"" case.asice.custody.xml &&
	sid=$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	fd=$(sha256sum case.asice | cut -d" " -f1) &&
	test_grep "sealId=\"$sid\"" case.asice.custody.xml &&
	test_grep "fileDigest=\"$fd\"" case.asice.custody.xml &&
	t=$(unzip -p case.asice evidence.xml | sed -n "s/.*<time>\(.*\)<\/time>.*/\1/p" | head -1) &&
	test_grep "<time>$t</time>" case.asice.custody.xml
'

test_expect_success 'the three-hop story: transferred FR to ES, received and verified, opened' '
	fr case.asice --event transferred --place "Nanterre" --to "Policia Nacional, UCRIF Madrid" \
		--note "EIO 2026/117, sealed parcel 3" --tsa "$tsa_url" >out &&
	test_grep "^recorded .transferred. as record 2 of the custody ledger of case.asice$" out &&
	es case.asice --event received --place "Madrid" --from "OCRTEH Nanterre" --tsa "$tsa_url" \
		--trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	test_grep "^recorded .received. as record 3" out &&
	es case.asice --event opened --place "Madrid" --note "opened for examination" --tsa "$tsa_url" >out &&
	test_grep "^recorded .opened. as record 4" out &&
	schema case.asice.custody.xml | test_grep "validates" - &&
	test_grep "<verification verdict=\"TOTAL-PASSED\"/>" case.asice.custody.xml
'

test_expect_success 'custody show prints the timeline, each record verified' '
	scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" case.asice >show &&
	test_grep "^custody of case.asice (case.asice.custody.xml): 4 records$" show &&
	test_grep "^  1  [0-9T:-]*Z tsa  sealed       Capitaine Demo Martin (OPJ, OCRTEH, FR) at Nanterre -- verifies$" show &&
	test_grep "^  2  .* tsa  transferred  Capitaine Demo Martin (OPJ, Demo Police Nationale, FR) at Nanterre to Policia Nacional, UCRIF Madrid -- verifies$" show &&
	test_grep "^  3  .* tsa  received     Inspectora Demo Garcia (Inspectora, Demo Policia Nacional, ES) at Madrid from OCRTEH Nanterre \[their verification: TOTAL-PASSED\] -- verifies$" show &&
	test_grep "^  4  .* tsa  opened       Inspectora Demo Garcia (Inspectora, Demo Policia Nacional, ES) at Madrid -- verifies$" show &&
	test_grep "^ledger head: 4 records, sha256 [0-9a-f]\{64\}$" show &&
	test "$(wc -l <show)" = 6
'

test_expect_success 'custody show without a trust anchor cannot identify the signers: exit 3' '
	expect_exit 3 scelle custody show --tsa-trust "$PKI/tsa-ca.pem" case.asice >show &&
	test_grep "^  2  .* -- INDETERMINATE: no trust anchor given for signers: the signer cannot be identified$" show &&
	test_must_fail --exit=2 scelle custody show nothere.asice 2>err &&
	test_grep "^scelle: cannot open .nothere.asice.: No such file or directory$" err &&
	test_must_fail --exit=2 scelle custody show --trust "$PKI/ca.pem" ev/chat-export/_chat.txt 2>err &&
	test_grep "^scelle: " err
'

test_expect_success 'custody show --json gives every record and its status' '
	scelle custody show --json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" case.asice >show.json &&
	python3 -c "
import json, sys
d = json.load(open(\"show.json\"))
assert d[\"schema\"] == \"scelle-custody/1\" and d[\"verdict\"] == \"TOTAL-PASSED\", d
r = d[\"records\"]
assert [x[\"event\"] for x in r] == [\"sealed\", \"transferred\", \"received\", \"opened\"], r
assert all(x[\"status\"] == \"TOTAL-PASSED\" and x[\"tsa_time\"] for x in r), r
assert r[2][\"verification\"] == \"TOTAL-PASSED\" and r[2][\"country\"] == \"ES\"
assert r[1][\"note\"] == \"EIO 2026/117, sealed parcel 3\"
"
'

test_expect_success 'add and show parse their own options: an option of add is a usage error after show' '
	for o in "--event opened" "--key $PKI/officer.key" "--note x" "--tsa-policy 1.2.3" "--unverified"; do
		test_must_fail --exit=2 scelle custody show --trust "$PKI/ca.pem" $o case.asice >out 2>err &&
		test ! -s out &&
		test_grep "^scelle: ${o%% *} is an option of custody add, not of custody show$" err &&
		test_grep "^Try .scelle custody --help.\.$" err || return 1
	done &&
	test_must_fail --exit=2 scelle custody show --event=opened case.asice 2>err &&
	test_grep "^scelle: --event is an option of custody add, not of custody show$" err &&
	test_must_fail --exit=2 scelle custody add case.asice --event opened --json 2>err &&
	test_grep "json" err && test_grep "^Try .scelle custody --help.\.$" err &&
	test_must_fail --exit=2 scelle custody show --bogus case.asice 2>err &&
	! grep -q "option of custody add" err
'

test_expect_success 'custody add takes one --tsa, and the verifier options as verify does' '
	cp case.asice t.asice && cp case.asice.custody.xml t.asice.custody.xml &&
	test_must_fail --exit=2 es t.asice --event opened --tsa "$tsa_url" --tsa "$tsa_url" 2>err &&
	test_grep "^scelle: one --tsa only: a record has one time-stamp$" err &&
	test_must_fail --exit=2 es t.asice --event opened --tsa-optional 2>err &&
	test_must_fail --exit=2 es t.asice --event opened --max-skew soon 2>err &&
	test_grep "^scelle: invalid --max-skew .soon. (seconds)$" err &&
	test_must_fail --exit=2 es t.asice --event received --trust-dir /nonexistent 2>err &&
	test_grep "nonexistent" err &&
	cmp t.asice.custody.xml case.asice.custody.xml &&
	scelle custody show --require-ledger --no-revocation-check --trust "$PKI/ca.pem" \
		--tsa-trust "$PKI/tsa-ca.pem" t.asice >show &&
	test_grep "^custody of t.asice" show
'

test_expect_success 'verify checks the ledger and passes' '
	verify case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	verify -v case.asice >out &&
	test_grep "passed *custody.ledger *custody ledger case.asice.custody.xml: 4 records, chain intact, each signed and citing this seal$" out
'

test_expect_success 'verify --json carries the timeline, valid against the result schema' '
	verify --json case.asice >v.json &&
	/usr/bin/python3 - "$TOP/formats/verify-result.schema.json" v.json <<-\PY
	import json, sys, jsonschema
	d = json.load(open(sys.argv[2]))
	jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(d)
	assert d["ledger"] == "case.asice.custody.xml", d["ledger"]
	assert [c["seq"] for c in d["custody"]] == [1, 2, 3, 4], d["custody"]
	assert d["custody"][2]["event"] == "received" and d["custody"][2]["status"] == "TOTAL-PASSED"
	PY
'

test_expect_success 'the HTML report shows the custody timeline, and a broken record in it' '
	verify --report r.html case.asice >/dev/null &&
	test_grep "Chain of custody (4)" r.html &&
	test_grep "Inspectora Demo Garcia" r.html &&
	xmllint --html --noout r.html &&
	$LE case.asice.custody.xml e2.xml edit 2 "Nanterre" "Lyon" &&
	expect_exit 1 verify --ledger e2.xml --report r2.html case.asice >/dev/null &&
	test_grep "record 2: the signature does not verify" r2.html
'

test_expect_success 'stock tools: openssl verifies a record over xmllint --exc-c14n; the chain digest matches' '
	event_c14n case.asice.custody.xml 3 ev3.c14n &&
	xmllint --xpath "string((//*[local-name()=\"signature\"])[3])" case.asice.custody.xml | base64 -d >sig3.der &&
	openssl cms -verify -binary -inform DER -in sig3.der -content ev3.c14n -CAfile "$PKI/ca.pem" \
		-purpose any -out /dev/null &&
	xmllint --xpath "(//*[local-name()=\"record\"])[2]" case.asice.custody.xml |
		sed "1s/^<record>/<record xmlns=\"urn:scelle:custody:1\">/" >rec2.xml &&
	d=$(xmllint --exc-c14n rec2.xml | sha256sum | cut -d" " -f1) &&
	test_grep "<previous algorithm=\"sha256\">$d</previous>" ev3.c14n
'

test_expect_success 'stock tools: a record'"'"'s time-stamp verifies with openssl ts -verify' '
	xmllint --xpath "string((//*[local-name()=\"signature\"])[2])" case.asice.custody.xml | base64 -d >r2.p7s &&
	mkdir r2 && test "$(python3 "$TOP/tests/data/tstoken.py" r2.p7s r2)" = 1 &&
	d=$(openssl dgst -sha256 -r r2/sigvalue.bin | cut -d" " -f1) &&
	openssl ts -verify -digest "$d" -in r2/token1.der -token_in -CAfile "$PKI/tsa-ca.pem" 2>&1 |
		test_grep "^Verification: OK$" -
'

# forged NAME: verify with the forged ledger: TOTAL-FAILED (exit 1) and the expected line.
forged() { # ledger pattern
	expect_exit 1 verify --ledger "$1" case.asice >"$1.out" &&
	test_grep "^case.asice: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}
test_expect_success 'a record edited after signing is caught with its number' '
	$LE case.asice.custody.xml edited.xml edit 3 "Madrid" "Barcelona" &&
	forged edited.xml "FAILED *custody.signature *record 3: the signature does not verify: the record was changed after it was signed \[HASH_FAILURE\]$"
'
# The content's digest matches, the signature value does not: SIG_CRYPTO_FAILURE, not the
# HASH_FAILURE of an edited record (check_signature `reason == CMS_R_CONTENT_VERIFY_ERROR`).
test_expect_success 'a record whose signature value is altered fails with SIG_CRYPTO_FAILURE' '
	event_c14n case.asice.custody.xml 4 ev4.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -signer "$PKI/es-officer.pem" \
		-inkey "$PKI/es-officer.key" -in ev4.c14n -outform DER -out ev4.p7s &&
	python3 -c "import sys; b = bytearray(open(sys.argv[1], \"rb\").read()); b[-1] ^= 1; open(sys.argv[2], \"wb\").write(b)" ev4.p7s flip.p7s &&
	$LE case.asice.custody.xml flip.xml setsig 4 "$(base64 -w0 flip.p7s)" &&
	forged flip.xml "FAILED *custody.signature *record 4: the signature does not verify: .*\[SIG_CRYPTO_FAILURE\]$"
'
test_expect_success 'a record deleted is caught with its number' '
	$LE case.asice.custody.xml deleted.xml delete 2 &&
	forged deleted.xml "FAILED *custody.chain *record 3 follows record 1: record 2 is missing (removed)" &&
	test_grep "custody.chain *record 3: the digest of the previous record does not match record 1" deleted.xml.out
'
test_expect_success 'two records swapped are caught with their numbers' '
	$LE case.asice.custody.xml swapped.xml swap 2 3 &&
	forged swapped.xml "FAILED *custody.chain *record 3 comes before record 2: the records are reordered" &&
	test_grep "FAILED *custody.chain *record 2 comes after record 3: the records are reordered" swapped.xml.out
'
test_expect_success 'a record copied from another archive'"'"'s ledger is caught with its number' '
	seal --tsa "$tsa_url" -o other.asice ev/chat-export &&
	fr other.asice --event transferred --to "Policia Nacional, UCRIF Madrid" --tsa "$tsa_url" >/dev/null &&
	$LE case.asice.custody.xml grafted.xml graft 2 other.asice.custody.xml 2 &&
	forged grafted.xml "FAILED *custody.archive *record 2 cites another archive (seal identifier"
'
test_expect_success 'a record signed by a key that is not its stated actor'"'"'s is caught' '
	resign case.asice.custody.xml 4 "$PKI/officer.key" "$PKI/officer.pem" wrongkey.xml &&
	forged wrongkey.xml "FAILED *custody.signer *record 4: signed by .*CN = Capitaine Demo Martin., not by the certificate the record names for its actor .Inspectora Demo Garcia." &&
	resign case.asice.custody.xml 4 "$PKI/other.key" "$PKI/other.pem" otherkey.xml &&
	forged otherkey.xml "FAILED *custody.signer *record 4: signed by .*CN = Unknown Signer"
'
test_expect_success 'a time going backwards is caught, even re-signed by its actor' '
	t3=$(xmllint --xpath "string((//*[local-name()=\"time\"])[3])" case.asice.custody.xml) &&
	t4=$(xmllint --xpath "string((//*[local-name()=\"time\"])[4])" case.asice.custody.xml) &&
	$LE case.asice.custody.xml back0.xml edit 4 "<time>$t4</time>" "<time>2026-01-02T03:04:05Z</time>" &&
	resign back0.xml 4 "$PKI/es-officer.key" "$PKI/es-officer.pem" back.xml &&
	forged back.xml "FAILED *custody.time *record 4: its time 2026-01-02T03:04:05Z is before record 3.s $t3 (time goes backwards)" &&
	! grep "custody.signature" back.xml.out
'
test_expect_success 'custody show marks the broken record' '
	expect_exit 1 scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" \
		--ledger edited.xml case.asice >show &&
	test_grep "^  3  .* received .* -- FAILED: record 3: the signature does not verify" show &&
	test_grep "^  2  .* -- verifies$" show
'
test_expect_success 'custody show prints hostile text from a ledger on one line, without escapes' '
	csi=$(printf "\\302\\233") &&
	$LE case.asice.custody.xml evil.xml edit 4 "<place>Madrid" "<place>Madrid${csi}2J&#10;forged line&#9;" &&
	expect_exit 1 scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --ledger evil.xml case.asice >show &&
	test "$(wc -l <show)" = 6 &&
	! grep -q "$csi" show &&
	test_grep -F "at Madrid\u009B2J\x0Aforged line\x09 -- FAILED" show
'

test_expect_success 'a ledger with a document type declaration is refused' '
	sed "1a<!DOCTYPE ledger [<!ENTITY x \"y\">]>" case.asice.custody.xml >dtd.xml &&
	forged dtd.xml "FAILED *custody.ledger *the custody ledger is unreadable: .dtd.xml. has a document type declaration"
'
test_expect_success 'a ledger of an unknown major format version is refused' '
	sed "s/formatVersion=\"1\.[0-9]*\"/formatVersion=\"2.0\"/" case.asice.custody.xml >v2.xml &&
	! cmp -s case.asice.custody.xml v2.xml &&
	forged v2.xml "FAILED *custody.ledger *unsupported custody ledger format version .2.0."
'
test_expect_success 'custody add works on an archive with a non-ASCII item name' '
	mkdir -p accents && echo x > "accents/café résumé.txt" &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o accents.asice accents &&
	scelle custody add accents.asice --event transferred --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" --actor "Capitaine Demo Martin" --country FR > out &&
	test_grep "as record 2 of the custody ledger of accents.asice" out
'
test_expect_success 'a ledger larger than 16 MiB is refused, not read' '
	{ cat case.asice.custody.xml; head -c 17000000 /dev/zero | tr "\\0" " "; } >huge.xml &&
	forged huge.xml "FAILED *custody.ledger *the custody ledger is unreadable: .huge.xml. is larger than the limit of 16 MiB"
'

test_expect_success 'a missing ledger does not fail a valid archive, and the verdict says so' '
	cp case.asice lone.asice &&
	verify lone.asice >out &&
	test_grep "^lone.asice: TOTAL-PASSED$" out &&
	test_grep "warning *custody.ledger *no custody ledger beside the archive (lone.asice.custody.xml): hand-overs are not recorded" out
'

test_expect_success 'received records the receiver'"'"'s own verdict, also a failing one' '
	python3 "$TOP/tests/data/zipedit.py" case.asice bad.asice flip evidence/chat-export/_chat.txt &&
	cp case.asice.custody.xml bad.asice.custody.xml &&
	expect_exit 1 es bad.asice --event received --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" >out &&
	test_grep "^bad.asice: TOTAL-FAILED$" out &&
	test_grep "^recorded .received. as record 5" out &&
	test_grep "<verification verdict=\"TOTAL-FAILED\"/>" bad.asice.custody.xml
'

test_expect_success 'add refuses what would make a false record' '
	cp case.asice u.asice && cp case.asice.custody.xml u.asice.custody.xml &&
	test_must_fail --exit=2 es u.asice --event lost 2>err &&
	test_grep "^scelle: unknown event .lost. (transferred, received" err &&
	test_must_fail --exit=2 es u.asice --event opened --time 2026-01-01T00:00:00Z 2>err &&
	test_grep "^scelle: the event time 2026-01-01T00:00:00Z is before record 4 (.*): times in a ledger never go backwards$" err &&
	test_must_fail --exit=2 es u.asice --event opened --time 2999-01-01T00:00:00Z 2>err &&
	test_grep "in the future" err &&
	test_must_fail --exit=2 es u.asice --event opened --ledger other.asice.custody.xml 2>err &&
	test_grep "^scelle: .other.asice.custody.xml. is the ledger of another archive" err &&
	test_must_fail --exit=2 es u.asice --event opened --country Spain 2>err &&
	test_grep "invalid country code .Spain." err &&
	cmp u.asice.custody.xml case.asice.custody.xml &&
	cmp u.asice case.asice
'

test_expect_success 'a paper record entered later keeps its stated time; other:LABEL events; permissions kept' '
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	chmod 640 u.asice.custody.xml &&
	es u.asice --event "other:photographed" --time "$now" --note "photo of the seal" >/dev/null &&
	test "$(stat -c %a u.asice.custody.xml)" = 640 &&
	test_grep "<event seq=\"5\" type=\"other:photographed\">" u.asice.custody.xml &&
	test_grep "<time>$now</time>" u.asice.custody.xml &&
	schema u.asice.custody.xml | test_grep validates - &&
	verify --no-timestamp-ok u.asice >out && test_grep "^u.asice: TOTAL-PASSED$" out
'

test_expect_success 'without the archive'"'"'s ledger, custody add says where it looked' '
	test_must_fail --exit=2 es lone.asice --event opened 2>err &&
	test_grep "^scelle: cannot open .lone.asice.custody.xml.: No such file or directory (the ledger is written by .scelle seal.)$" err
'

test_expect_success 'seal refuses to replace a ledger; --force replaces it' '
	test_must_fail --exit=2 seal -o case.asice ev/chat-export 2>err &&
	cp case.asice.custody.xml stale.asice.custody.xml &&
	test_must_fail --exit=2 seal -o stale.asice ev/chat-export 2>err &&
	test_grep "^scelle: .stale.asice.custody.xml. already exists (use --force to replace it)$" err &&
	test ! -e stale.asice &&
	seal -o stale.asice --force ev/chat-export &&
	test "$(grep -c "<record>" stale.asice.custody.xml)" = 1 &&
	verify --no-timestamp-ok stale.asice >out && test_grep "TOTAL-PASSED" out
'

test_expect_success 'a ledger that cannot be written fails the seal clearly and keeps no archive' '
	mkdir blocked.asice.custody.xml &&
	test_must_fail --exit=2 seal -o blocked.asice --force ev/chat-export 2>err &&
	test_grep "^scelle: cannot write the custody ledger: cannot write .blocked.asice.custody.xml.: Is a directory; .blocked.asice. was not kept$" err &&
	test ! -e blocked.asice &&
	test -z "$(ls | grep "blocked.asice.custody.xml.tmp")"
'

test_expect_success 'two additions at the same moment, ten times: both land, the ledger stays valid' '
	seal -o race.asice ev/chat-export &&
	n=1 && round=0 &&
	while [ $round -lt 10 ]; do
		round=$((round + 1)) &&
		{ fr race.asice --event copied --note "round $round a" >a.out 2>a.err & pa=$!; } &&
		{ es race.asice --event examined --note "round $round b" >b.out 2>b.err & pb=$!; } &&
		ra=0 && rb=0 && { wait $pa || ra=$?; } && { wait $pb || rb=$?; } &&
		for r in $ra $rb; do
			case $r in 0) n=$((n + 1)) ;; 2) ;; *) echo "exit $r"; exit 1 ;; esac
		done &&
		{ [ $ra -eq 0 ] || test_grep "^scelle: " a.err; } &&
		{ [ $rb -eq 0 ] || test_grep "^scelle: " b.err; } &&
		schema race.asice.custody.xml | test_grep -q validates - &&
		test "$(grep -c "<record>" race.asice.custody.xml)" = $n || exit 1
	done &&
	test $n -ge 12 &&
	verify -v --no-timestamp-ok race.asice >out && test_grep "^race.asice: TOTAL-PASSED$" out &&
	test_grep "$n records, chain intact" out &&
	test -z "$(ls | grep "race.asice.custody.xml.tmp")"
'
test_done
