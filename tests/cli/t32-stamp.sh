#!/bin/sh
# t32-stamp.sh — scelle stamp: time-stamping an archive sealed offline writes a new archive
# with the same seal identifier; the original never changes.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
start_server reject python3 "$TOP/tests/data/stock_tsa.py" reject "$PKI" "$T/reject.port" || exit 2
start_server hang python3 "$TOP/tests/data/stock_tsa.py" hang "$PKI" "$T/hang.port" || exit 2
verify() { scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
tokens() { rm -rf "$2" && mkdir "$2" && (cd "$2" && unzip -q ../"$1") &&
	python3 "$TOP/tests/data/tstoken.py" "$2/META-INF/signature001.p7s" "$2"; }
seal_id() { scelle show --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seal_id"])'; }
# name, method, date and CRC of every entry but the signature
layout() { python3 -c '
import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    if i.filename != "META-INF/signature001.p7s":
        print(i.filename, i.compress_type, i.date_time, i.CRC, i.file_size, len(i.extra))' "$1"; }

test_expect_success 'an archive sealed offline is INDETERMINATE: no time-stamp' '
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o off.asice ev &&
	sha256sum off.asice > off.sum &&
	expect_exit 3 verify off.asice > out &&
	test_grep "^off.asice: INDETERMINATE$" out && test_grep "no time-stamp" out
'
test_expect_success 'stamp writes a new archive that verifies TOTAL-PASSED' '
	scelle stamp --tsa "$tsa_url" -o on.asice off.asice > out &&
	test_grep "^stamped on.asice (1 time-stamp added)$" out &&
	expect_exit 0 verify on.asice > vout &&
	test_grep "^on.asice: TOTAL-PASSED$" vout
'
test_expect_success 'the seal identifier is unchanged, the file digest is new and printed' '
	id=$(seal_id off.asice) && test ${#id} = 64 &&
	test "$(seal_id on.asice)" = "$id" &&
	test_grep "^seal identifier  $id  (unchanged)$" out &&
	new=$(sha256sum on.asice | cut -d" " -f1) &&
	test_grep "^file digest      $new  (sha256sum on.asice)$" out &&
	test "$new" != "$(cut -d" " -f1 off.sum)"
'
test_expect_success 'the custody ledger goes along; verify notes the records cite the file before stamping' '
	cmp off.asice.custody.xml on.asice.custody.xml &&
	verify -v on.asice > lout && test_grep "^on.asice: TOTAL-PASSED$" lout &&
	test_grep "passed *custody.ledger *custody ledger on.asice.custody.xml: 1 records, chain intact, each signed and citing this seal; some records cite another file digest (the archive was re-stamped or copied)$" lout
'
test_expect_success 'every entry but the signature is byte-identical, in the same order' '
	unzip -Z1 off.asice > names.off && unzip -Z1 on.asice > names.on &&
	test_cmp() { cmp "$1" "$2" || { diff "$1" "$2" >&2; return 1; }; } &&
	test_cmp names.off names.on && test "$(wc -l < names.off)" -ge 7 &&
	while read -r n; do
		unzip -p off.asice "$n" > a.bin && unzip -p on.asice "$n" > b.bin || exit 1
		if [ "$n" = META-INF/signature001.p7s ]; then
			! cmp -s a.bin b.bin || { echo "signature unchanged" >&2; exit 1; }
		else
			cmp a.bin b.bin || exit 1
		fi
	done < names.off &&
	unzip -p off.asice evidence.xml > ev.off && unzip -p on.asice evidence.xml > ev.on &&
	cmp ev.off ev.on && test -s ev.off
'
test_expect_success 'compression method, date and CRC of every entry are kept' '
	layout off.asice > lay.off && layout on.asice > lay.on &&
	cmp lay.off lay.on && grep -q " 8 (" lay.off && grep -q " 0 (" lay.off
'
test_expect_success 'the original archive is unchanged' '
	sha256sum -c off.sum
'
test_expect_success 'openssl ts -verify and openssl cms -verify -cades accept the stamped archive' '
	test "$(tokens on.asice x)" = 1 &&
	d=$(openssl dgst -sha256 -r x/sigvalue.bin | cut -d" " -f1) &&
	openssl ts -verify -digest "$d" -in x/token1.der -token_in -CAfile "$PKI/tsa-ca.pem" > ts.out 2>&1 &&
	test_grep "^Verification: OK$" ts.out &&
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile "$PKI/ca.pem" -out /dev/null
'
# unsignedAttrs is a SET OF: DER sorts its members by encoding, so the old token may come
# first or second; it must be there byte for byte.
test_expect_success 'stamping twice keeps the first token and adds a second' '
	scelle stamp -q --tsa "$tsa_url" -o twice.asice on.asice > out &&
	test ! -s out &&
	test "$(tokens twice.asice y)" = 2 &&
	{ cmp -s x/token1.der y/token1.der || cmp -s x/token1.der y/token2.der; } &&
	! cmp -s y/token1.der y/token2.der &&
	cmp x/sigvalue.bin y/sigvalue.bin &&
	test "$(seal_id twice.asice)" = "$(seal_id off.asice)" &&
	expect_exit 0 verify -v twice.asice > vout &&
	test "$(grep -c "passed *timestamp.token" vout)" = 2
'
test_expect_success 'several --tsa in one run give several tokens; --json names both digests' '
	scelle stamp --json --tsa "$tsa_url" --tsa "$tsa_url" -o two.asice off.asice > out.json &&
	python3 -c "
import json, sys
j = json.load(open(\"out.json\"))
assert j[\"archive\"] == \"two.asice\" and j[\"timestamps_added\"] == 2, j
assert j[\"seal_id\"] == sys.argv[1], j
assert j[\"file_digest\"] == sys.argv[2], j" "$(seal_id off.asice)" "$(sha256sum two.asice | cut -d" " -f1)" &&
	test "$(tokens two.asice z)" = 2
'
test_expect_success 'a TSA that refuses: clear error, exit 2, no output, nothing left behind' '
	mkdir target &&
	test_must_fail --exit=2 scelle stamp --tsa "$reject_url" -o target/no.asice off.asice 2> err &&
	test_grep "^scelle: time-stamp authority .* refused: rejection (badAlg)" err &&
	test -z "$(ls -A target)"
'
test_expect_success 'a TSA that does not answer: timeout error, no output' '
	test_must_fail --exit=2 scelle stamp --tsa "$hang_url" --tsa-timeout 1 -o no.asice off.asice 2> err &&
	test_grep "^scelle: time-stamp authority .* did not answer within 1 s" err &&
	test ! -e no.asice
'
test_expect_success '--tsa-optional skips a failing TSA with a warning when another answers' '
	scelle stamp -q --tsa "$reject_url" --tsa "$tsa_url" --tsa-optional -o opt.asice off.asice 2> err &&
	test_grep "^scelle: warning: time-stamp authority" err &&
	test "$(tokens opt.asice w)" = 1 && expect_exit 0 verify opt.asice > /dev/null &&
	test_must_fail --exit=2 scelle stamp --tsa "$reject_url" --tsa-optional -o no.asice off.asice 2> err &&
	test_grep "^scelle: no time-stamp was added: time-stamp authority" err && test ! -e no.asice
'
test_expect_success 'a tampered archive is refused before any TSA is asked' '
	python3 "$TOP/tests/data/zipedit.py" off.asice bad.asice flip evidence/ev/chat-export/_chat.txt &&
	test_must_fail --exit=2 scelle stamp --tsa "$hang_url" -o no.asice bad.asice 2> err &&
	test_grep "^scelle: cannot stamp .bad.asice.: it does not verify (TOTAL-FAILED): .evidence/ev/chat-export/_chat.txt.: sha256 differs" err &&
	test ! -e no.asice
'
test_expect_success 'a file that is not an archive is refused' '
	echo hello > notzip.asice &&
	test_must_fail --exit=2 scelle stamp --tsa "$tsa_url" -o no.asice notzip.asice 2> err &&
	test_grep "^scelle: cannot stamp .notzip.asice.: it does not verify (TOTAL-FAILED)" err &&
	test_must_fail --exit=2 scelle stamp --tsa "$tsa_url" -o no.asice missing.asice 2> err &&
	test_grep "^scelle: cannot open .missing.asice.: No such file or directory$" err
'
test_expect_success 'an existing output is refused without --force, replaced with it' '
	echo keep > exists.asice &&
	test_must_fail --exit=2 scelle stamp --tsa "$tsa_url" -o exists.asice off.asice 2> err &&
	test_grep "^scelle: .exists.asice. already exists (use --force to replace it)$" err &&
	test "$(cat exists.asice)" = keep &&
	scelle stamp -q --force --tsa "$tsa_url" -o exists.asice off.asice &&
	expect_exit 0 verify exists.asice > /dev/null
'
test_expect_success 'the sealed archive itself is never the output, not even with --force' '
	test_must_fail --exit=2 scelle stamp --force --tsa "$tsa_url" -o off.asice off.asice 2> err &&
	test_grep "^scelle: cannot stamp .off.asice. onto itself" err &&
	ln -s off.asice link.asice &&
	test_must_fail --exit=2 scelle stamp --force --tsa "$tsa_url" -o link.asice off.asice 2> err &&
	test_grep "onto itself" err &&
	sha256sum -c off.sum
'
test_expect_success '--progress=json: three passes, growing, ending at the total' '
	scelle stamp -q --progress=json --tsa "$tsa_url" -o prog.asice off.asice 2> prog &&
	python3 -c "
import json
rows = [json.loads(l) for l in open(\"prog\")]
assert len(rows) >= 3, rows
done = [r[\"done\"] for r in rows]
assert done == sorted(done), done
assert len(set(r[\"total\"] for r in rows)) == 1, rows
assert rows[-1][\"done\"] == rows[-1][\"total\"] > 0, rows[-1]
assert any(r[\"done\"] < r[\"total\"] / 3 for r in rows), rows"
'
test_expect_success 'usage: --help, missing options' '
	scelle stamp --help > out && test_grep "^usage: scelle stamp --tsa URL" out &&
	test_must_fail --exit=2 scelle stamp -o x.asice off.asice 2> err &&
	test_grep "^scelle: no time-stamp authority given (--tsa URL)$" err &&
	test_must_fail --exit=2 scelle stamp --tsa "$tsa_url" off.asice 2> err &&
	test_grep "^scelle: no output given (-o OUT.asice)$" err &&
	test_must_fail --exit=2 scelle stamp --tsa "$tsa_url" --tsa-timeout 0 -o x.asice off.asice 2> err &&
	test_grep "^scelle: invalid timeout .0." err &&
	test ! -e x.asice
'
test_done
