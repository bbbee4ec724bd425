#!/bin/sh
# t44-hints.sh — a verdict that is not TOTAL-PASSED says what to do (issue 19): the hint in
# text, JSON and HTML; the trust anchors swapped or a leaf given as anchor, said in plain
# words; one cause said once; every check, warnings included, in the JSON with its code;
# --require-ledger; JSON progress names its archive; a missing file is exit 2 everywhere.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
PY=/usr/bin/python3   # Debian's python3-jsonschema, not a pyenv python on PATH
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
hand() { scelle custody add -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --tsa "$tsa_url" "$@"; }
# validate_json FILE: every line of FILE is one object valid against the result schema.
validate_json() {
	$PY - "$TOP/formats/verify-result.schema.json" "$1" <<-'PY'
	import json, sys, jsonschema
	schema = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(schema)
	v = jsonschema.Draft202012Validator(schema)
	lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
	assert lines, "no JSON output"
	for line in lines:
	    v.validate(json.loads(line))
	PY
}
# hints FILE: "id code about" for every check of the JSON object in FILE that has a hint
hints() {
	$PY -c 'import json, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    if c["hint"]:
        print(c["id"], c["hint"]["code"], c["hint"]["about"])' "$1"
}

test_expect_success 'setup: a time-stamped archive with three custody records; one sealed with a PKCS#12 carrying its CA' '
	seal --tsa "$tsa_url" -o bt.asice ev/ad-capture &&
	hand --event transferred bt.asice &&
	hand --event opened bt.asice &&
	scelle seal -q --key "$PKI/officer.p12" --pass pass:secret --revocation-data "$PKI/ca.crl" \
		--tsa "$tsa_url" -o p12.asice ev/ad-capture &&
	seal -o nots.asice ev/chat-export
'

# The magistrate abroad with only the sender's root: four checks, one cause.
test_expect_success 'only the signer root: the time-stamp anchor is asked for once, and one cause is one line' '
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" bt.asice > out &&
	test_grep "^bt.asice: INDETERMINATE$" out &&
	test_grep "^  INDETERMINATE timestamp.token  *time-stamp 1 by .CN=Demo TSA 1,O=Demo Time Authority,C=FR.: no time-stamp trust anchor was given, so the TSA .* is unknown \[NO_CERTIFICATE_CHAIN_FOUND\]$" out &&
	test_grep -Fx "                what to do: ask the sender for the time-stamp authority'\''s root certificate and add --tsa-trust FILE" out &&
	test "$(grep -c "what to do" out)" = 1 &&
	test_grep -x "  INDETERMINATE custody.timestamp  *record 1: the same cause as above \[NO_CERTIFICATE_CHAIN_FOUND\]" out &&
	test_grep -x " *and 2 more like it (-v lists all)" out &&
	test "$(grep -c "INDETERMINATE " out)" = 2 &&
	expect_exit 3 scelle verify -v --trust "$PKI/ca.pem" bt.asice > all &&
	test "$(grep -c "INDETERMINATE custody.timestamp .*record [123]: time-stamp 1: no time-stamp trust anchor was given" all)" = 3 &&
	test "$(grep -c "what to do" all)" = 1
'
test_expect_success 'the hint is in JSON with its code and valid against the schema' '
	expect_exit 3 scelle verify --json --trust "$PKI/ca.pem" bt.asice > j &&
	validate_json j &&
	hints j > h &&
	test "$(cat h)" = "timestamp.token need-tsa-trust None
custody.timestamp need-tsa-trust None
custody.timestamp need-tsa-trust None
custody.timestamp need-tsa-trust None" &&
	test_grep -F "\"text\":\"ask the sender for the time-stamp authority'\''s root certificate and add --tsa-trust FILE\"" j
'
test_expect_success '--trust and --tsa-trust swapped: each file is named with the flag it belongs to' '
	expect_exit 3 scelle verify --trust "$PKI/tsa-ca.pem" --tsa-trust "$PKI/ca.pem" bt.asice > out &&
	test_grep -Fx "                what to do: '\''$PKI/tsa-ca.pem'\'' is the time-stamp authority'\''s root: did you mean --tsa-trust instead of --trust?" out &&
	test_grep -Fx "                what to do: '\''$PKI/ca.pem'\'' is the signer'\''s root: did you mean --trust instead of --tsa-trust?" out &&
	test_grep -F "signature.chain                the signer'\''s certificate does not chain to a trusted anchor: '\''$PKI/ca.pem'\'', given as trust anchor for time-stamp authorities, is the signer'\''s root [NO_CERTIFICATE_CHAIN_FOUND]" out &&
	expect_exit 3 scelle verify --json --trust "$PKI/tsa-ca.pem" --tsa-trust "$PKI/ca.pem" bt.asice > j &&
	validate_json j && hints j > h &&
	test_grep -x "timestamp.token tsa-root-as-trust $PKI/tsa-ca.pem" h &&
	test_grep -x "signature.chain signer-root-as-tsa-trust $PKI/ca.pem" h &&
	test_grep -x "custody.signer signer-root-as-tsa-trust $PKI/ca.pem" h
'
test_expect_success 'the time-stamp root given as --trust alone: did you mean --tsa-trust, and the root to ask for' '
	expect_exit 3 scelle verify --trust "$PKI/tsa-ca.pem" bt.asice > out &&
	test_grep -Fx "                what to do: '\''$PKI/tsa-ca.pem'\'' is the time-stamp authority'\''s root: did you mean --tsa-trust instead of --trust?" out &&
	test_grep -Fx "                what to do: ask the sender for the root certificate '\''C = FR, O = Demo Police Nationale, CN = Demo Police Root CA'\'' and add --trust FILE" out
'
test_expect_success 'a leaf given as anchor: plain words, not OpenSSL'\''s "self-signed certificate in certificate chain"' '
	expect_exit 3 scelle verify --trust "$PKI/officer.pem" --tsa-trust "$PKI/tsa-ca.pem" p12.asice > out &&
	! grep -i "self-signed\|local issuer" out &&
	test_grep -F "signature.chain                the signer'\''s certificate does not chain to a trusted anchor: '\''$PKI/officer.pem'\'' holds the signer'\''s own certificate, not a certification authority'\''s: a trust anchor is a root certificate [NO_CERTIFICATE_CHAIN_FOUND]" out &&
	test_grep -Fx "                what to do: '\''$PKI/officer.pem'\'' is not a certification authority'\''s certificate: give the root certificate of the unit that signed with --trust FILE" out &&
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa.pem" p12.asice > out &&
	test_grep -Fx "                what to do: '\''$PKI/tsa.pem'\'' is not a certification authority'\''s certificate: give the time-stamp authority'\''s root certificate with --tsa-trust FILE" out
'
test_expect_success 'no signer anchor, no time-stamp: each says what to do' '
	expect_exit 3 scelle verify --tsa-trust "$PKI/tsa-ca.pem" bt.asice > out &&
	test_grep -Fx "                what to do: ask the sender for the root certificate of the unit that signed and add --trust FILE" out &&
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" nots.asice > out &&
	test_grep -Fx "                what to do: ask the sender for a time-stamped archive (scelle stamp), or accept the signer'\''s own time with --no-timestamp-ok" out
'
test_expect_success 'custody show says what to do once, after the timeline' '
	expect_exit 3 scelle custody show --trust "$PKI/ca.pem" bt.asice > out &&
	test "$(grep -c "INDETERMINATE: record [123]: time-stamp 1: no time-stamp trust anchor was given" out)" = 3 &&
	test "$(tail -1 out)" = "what to do: ask the sender for the time-stamp authority'\''s root certificate and add --tsa-trust FILE" &&
	test "$(grep -c "what to do" out)" = 1
'
test_expect_success 'the hint in French and Spanish' '
	expect_exit 3 scelle verify --lang fr --trust "$PKI/ca.pem" bt.asice > out &&
	test_grep -Fx "                que faire : demandez à l'\''expéditeur le certificat racine de l'\''autorité d'\''horodatage et ajoutez --tsa-trust FICHIER" out &&
	expect_exit 3 scelle verify --lang es --trust "$PKI/tsa-ca.pem" bt.asice > out &&
	test_grep -Fx "                qué hacer: «$PKI/tsa-ca.pem» es la raíz de la autoridad de sellado de tiempo: ¿quería decir --tsa-trust en lugar de --trust?" out
'
test_expect_success 'the HTML report gives the hint, HTML-escaped, on its first page and by its check' '
	cp "$PKI/tsa-ca.pem" "a<b>&c.pem" &&
	expect_exit 3 scelle verify -q --trust "a<b>&c.pem" --report r.html bt.asice &&
	xmllint --html --noout r.html &&
	test_grep -F "<li>&#39;a&lt;b&gt;&amp;c.pem&#39; is the time-stamp authority&#39;s root: did you mean --tsa-trust instead of --trust?</li>" r.html &&
	test_grep -F "<span class=\"hint\">What to do: &#39;a&lt;b&gt;&amp;c.pem&#39; is the time-stamp" r.html &&
	! grep -F "a<b>" r.html
'

# The batch script.
test_expect_success 'JSON has every check, warnings flagged as such, each with its code' '
	seal -o noledger.asice ev/chat-export --tsa "$tsa_url" &&
	rm noledger.asice.custody.xml &&
	scelle verify -q --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice &&
	scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > out &&
	test_grep "^  warning       custody.ledger  *no custody ledger beside the archive (noledger.asice.custody.xml): hand-overs are not recorded$" out &&
	scelle verify --json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > j &&
	validate_json j &&
	$PY -c "import json, sys
d = json.load(open(\"j\"))
assert d[\"verdict\"] == \"TOTAL-PASSED\"
w = [c for c in d[\"checks\"] if c[\"warning\"]]
assert [(c[\"id\"], c[\"status\"], c[\"hint\"][\"code\"], c[\"hint\"][\"about\"]) for c in w] == \
    [(\"custody.ledger\", \"TOTAL-PASSED\", \"need-ledger\", \"noledger.asice.custody.xml\")], w
assert all(c[\"warning\"] is False for c in d[\"checks\"] if c not in w)
assert all(c[\"id\"] for c in d[\"checks\"])"
'
test_expect_success '--require-ledger: a missing ledger is TOTAL-FAILED, exit 1; a present one passes' '
	expect_exit 1 scelle verify --require-ledger --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > out &&
	test_grep -x "noledger.asice: TOTAL-FAILED" out &&
	test_grep -x "  FAILED        custody.ledger                 no custody ledger beside the archive (noledger.asice.custody.xml), and one is required" out &&
	test_grep -Fx "                what to do: ask the sender for the custody ledger '\''noledger.asice.custody.xml'\'', or name it with --ledger FILE" out &&
	expect_exit 1 scelle verify --json --require-ledger --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > j &&
	validate_json j && test_grep "\"verdict\":\"TOTAL-FAILED\"" j &&
	scelle verify -q --require-ledger --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" bt.asice &&
	expect_exit 1 scelle verify --ledger-head "$(printf "%064d" 0)" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > out &&
	test_grep "^  FAILED        custody.head  *the ledger head given (sha256 0000000000000000...) cannot be compared: no ledger head was found \[HASH_FAILURE\]$" out &&
	test "$(grep -c "what to do: ask the sender for the custody ledger" out)" = 1 &&
	expect_exit 1 scelle verify --json --ledger-head "$(printf "%064d" 0)" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" noledger.asice > j &&
	validate_json j && hints j > h &&
	test_grep -x "custody.head need-ledger noledger.asice.custody.xml" h &&
	scelle verify --help > help && test_grep -- "--require-ledger   an archive without custody ledger is TOTAL-FAILED" help &&
	test_grep "^\.Fl \-require-ledger\|^\.It Fl \-require-ledger" "$TOP/src/cli/scelle.1"
'
test_expect_success 'JSON progress lines name their archive' '
	scelle verify -q --progress=json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" bt.asice noledger.asice 2> prog &&
	$PY -c "import json
lines = [json.loads(l) for l in open(\"prog\")]
assert {l[\"archive\"] for l in lines} == {\"bt.asice\", \"noledger.asice\"}, lines
last = [l for l in lines if l[\"archive\"] == \"noledger.asice\"][-1]
assert last[\"done\"] == last[\"total\"], last"
'

# A missing or mistyped file: exit 2 and "scelle: cannot open 'x': reason", whatever the command.
test_expect_success 'a missing archive: exit 2 from every command' '
	for cmd in "verify" "verify --json" "show" "show --json" "extract -C x" "stamp --tsa $tsa_url -o s.asice" \
	    "custody show" "custody add --key $PKI/officer.key --cert $PKI/officer.pem --event transferred"; do
		test_must_fail --exit=2 scelle $cmd nothere.asice > out 2> err &&
		test "$(cat err)" = "scelle: cannot open '\''nothere.asice'\'': No such file or directory" &&
		test ! -s out || return 1
	done &&
	test ! -e s.asice
'
test_expect_success 'a missing --trust, --tsa-trust or --crl file: exit 2 from every command that takes it' '
	for cmd in "verify --trust" "verify --tsa-trust" "verify --crl" "verify --untrusted" "extract -C x --trust" \
	    "extract -C x --tsa-trust" "extract -C x --crl" "custody show --trust" "custody show --tsa-trust" \
	    "custody add --key $PKI/officer.key --cert $PKI/officer.pem --event received --trust" \
	    "custody add --key $PKI/officer.key --cert $PKI/officer.pem --event received --trust $PKI/ca.pem --tsa-trust"; do
		test_must_fail --exit=2 scelle $cmd nothere.pem bt.asice > out 2> err &&
		test "$(cat err)" = "scelle: cannot open '\''nothere.pem'\'': No such file or directory" &&
		test ! -s out || return 1
	done &&
	test ! -e x
'
test_expect_success 'a folder given for a file: exit 2, said as such' '
	mkdir dir &&
	for cmd in "verify --trust" "verify --tsa-trust" "verify --crl" "verify --untrusted" "custody show --trust" \
	    "seal -o d.asice --key $PKI/officer.key --case-file"; do
		test_must_fail --exit=2 scelle $cmd dir bt.asice > out 2> err &&
		test "$(cat err)" = "scelle: cannot open '\''dir'\'': it is a folder" || return 1
	done &&
	test_must_fail --exit=2 scelle seal -o d.asice --key "$PKI/officer.key" --case-file nothere.xml ev 2> err &&
	test "$(cat err)" = "scelle: cannot open '\''nothere.xml'\'': No such file or directory" &&
	test ! -e d.asice
'
test_done
