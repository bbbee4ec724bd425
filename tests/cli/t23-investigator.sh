#!/bin/sh
# t23-investigator.sh — what an investigator meets at the end of a working day (issue 19):
# `seal --force` keeps the custody ledger it would replace; a seal without a time-stamp says
# so; a dead TSA fails at once and the next one is asked; https TSAs with basic
# authentication; `--on-collision rename` for IMG_0001.JPG beside img_0001.jpg, and the code
# points of names that look alike.
. "$(dirname "$0")/lib.sh"
make_pki
mkdir ev && printf 'capture one\n' >ev/a.txt && printf 'capture two\n' >ev/b.txt
start_tsa || exit 2
seal() {
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"
}
fr() { scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }

# --- seal --force and the custody ledger -------------------------------------------------

test_expect_success 'seal --force keeps the old ledger under its seal identifier, byte for byte' '
	seal --tsa "$tsa_url" -o case.asice ev/a.txt &&
	old=$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	fr case.asice --event transferred --to "Policia Nacional" >/dev/null &&
	fr case.asice --event examined --note "second hand-over" >/dev/null &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 3 &&
	cp case.asice.custody.xml before.xml &&
	seal --tsa "$tsa_url" --force -o case.asice ev/b.txt 2>err &&
	echo "scelle: warning: the custody ledger of the replaced archive was moved to" \
		"'"'"'case.asice.custody.$old.xml'"'"'" >want &&
	diff -u want err &&
	cmp before.xml "case.asice.custody.$old.xml" &&
	test "$(grep -c "<record>" case.asice.custody.xml)" = 1 &&
	new=$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	test_grep "sealId=\"$new\"" case.asice.custody.xml
'

test_expect_success 'seal --force refuses when the aside name exists: nothing replaced' '
	seal --tsa "$tsa_url" -o two.asice ev/a.txt &&
	id=$(unzip -p two.asice META-INF/ASiCManifest001.xml | sha256sum | cut -d" " -f1) &&
	echo "an earlier copy" >"two.asice.custody.$id.xml" &&
	cp two.asice two.before && cp two.asice.custody.xml two.ledger.before &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" --force -o two.asice ev/b.txt 2>err &&
	echo "scelle: cannot keep the custody ledger '"'"'two.asice.custody.xml'"'"':" \
		"'"'"'two.asice.custody.$id.xml'"'"' already exists (move one of them away)" >want &&
	diff -u want err &&
	cmp two.before two.asice && cmp two.ledger.before two.asice.custody.xml &&
	test "$(cat "two.asice.custody.$id.xml")" = "an earlier copy"
'

test_expect_success 'seal without --force names the ledger it will not replace' '
	rm -f two.asice &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" -o two.asice ev/b.txt 2>err &&
	test_grep "^scelle: .two.asice.custody.xml. already exists (use --force to replace it)$" err &&
	! test -e two.asice
'

test_expect_success 'seal --force refuses a ledger that names no seal identifier: nothing replaced' '
	echo "<notes/>" >two.asice.custody.xml &&
	seal --tsa "$tsa_url" -o three.asice ev/a.txt && rm three.asice.custody.xml &&
	cp three.asice two.asice &&
	test_must_fail --exit=2 seal --tsa "$tsa_url" --force -o two.asice ev/b.txt 2>err &&
	test_grep "^scelle: cannot keep the custody ledger: .two.asice.custody.xml. names no seal identifier in its first record$" err &&
	cmp three.asice two.asice && test "$(cat two.asice.custody.xml)" = "<notes/>"
'

test_done
