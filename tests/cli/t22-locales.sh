#!/bin/sh
# t22-locales.sh — every command that handles names, under LC_ALL=C, C.UTF-8 and
# fr_FR.UTF-8, with the names evidence really has: accents in both Unicode forms (NFC and
# NFD, in two folders so that they do not collide), emoji, Hebrew and Arabic, a 255-byte
# name, a folder with a space, a ZIP export whose members are so named; and an archive
# named with an accent and an emoji.  Each locale seals, verifies, shows (text and JSON),
# extracts (plain and BagIt), stamps and records a hand-over; names come back byte for
# byte and print the same in every locale.
. "$(dirname "$0")/lib.sh"
make_pki
start_tsa || exit 2
export PYTHONIOENCODING=utf-8
# zip names as Python's zipfile reads them (UTF-8 flag: decoded, never normalised)
zip_names() { python3 -c 'import sys, zipfile
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    if n.startswith("evidence/"): print(n)' "$1" | LC_ALL=C sort; }
# item paths of a `show --json` or `verify --json` object on stdin
json_names() { python3 -c 'import json, sys
for i in json.load(sys.stdin)["items"]: print(i["path"])' | LC_ALL=C sort; }
# the path column of `show`: what follows the SHA-256 and two spaces
show_names() { LC_ALL=C sed -n "s/^ *[0-9][0-9]*  .*[0-9a-f]\{64\}  //p" "$1" | LC_ALL=C sort; }
# fr_FR.UTF-8 is made here, without root, when the system lacks it
have_locale() { [ "$1" = C ] || [ "$(LC_ALL=$1 locale charmap 2>/dev/null)" = UTF-8 ]; }

test_expect_success 'setup: evidence with real names; the fr_FR.UTF-8 locale' '
	python3 -c "
import os
def w(p, data):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, \"wb\").write(data)
w(\"ev/nfc/L\u00e9a.txt\".encode(), b\"NFC: e-acute is one code point U+00E9\n\")
w(\"ev/nfd/Le\u0301a.txt\".encode(), b\"NFD: e then U+0301 combining acute\n\")
w(\"ev/emoji/\U0001F4F7 capture \U0001F389.png\".encode(), bytes(range(256)) * 4)
w(\"ev/rtl/\u05e9\u05dc\u05d5\u05dd.txt\".encode(), \"\u05e9\u05dc\u05d5\u05dd\n\".encode())
w(\"ev/rtl/\u062a\u0642\u0631\u064a\u0631 \u0661.txt\".encode(), \"\u062a\u0642\u0631\u064a\u0631\n\".encode())
n = (\"\u00e9\" * 125 + \"x.txt\").encode()
assert len(n) == 255
w(b\"ev/long/\" + n, b\"a name of 255 bytes\n\")
w(\"ev/Dossier \u00e9t\u00e9/\u00d1and\u00fa \u00c5ngstr\u00f6m.txt\".encode(), b\"Spanish and Swedish\n\")
import zipfile
with zipfile.ZipFile(\"ev/export.zip\", \"w\") as z:
    z.writestr(\"Messages/L\u00e9a \U0001F4AC.txt\", \"salut\n\")
    z.writestr(\"\u05e9\u05dc\u05d5\u05dd/\u062a\u0642\u0631\u064a\u0631.txt\", \"rtl\n\")
" &&
	find ev -type f | sed "s|^|evidence/|" | LC_ALL=C sort > names.want &&
	test "$(wc -l < names.want)" = 8 &&
	grep -q "$(printf "e\314\201a")" names.want && grep -q "$(printf "L\303\251a")" names.want &&
	mkdir loc && { localedef -i fr_FR -f UTF-8 loc/fr_FR.UTF-8 >/dev/null 2>&1 || :; }
'
# glibc reads LOCPATH before its default places: the locale made above is found there.
LOCPATH="$T/loc:/usr/lib/locale"
# Under fr_FR.UTF-8 scelle speaks French (t43-lang checks that); here the names are what is
# checked, so the messages stay English (LANGUAGE comes first, as for gettext) while
# LC_ALL still sets the character type the names are read in.
LANGUAGE=en
export LANGUAGE
export LOCPATH

for L in C C.UTF-8 fr_FR.UTF-8; do
	test_skip_unless "no $L locale here, and localedef could not make it" have_locale "$L"
	a="Scellé 📦 $L.asice"
	st="Tamponné ✓ $L.asice"

	test_expect_success "$L: seal stores every name byte for byte" '
		LC_ALL=$L scelle seal --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
			--tsa "$tsa_url" -o "$a" ev > out &&
		test_grep -Fx "sealed $a" out &&
		zip_names "$a" > got && cmp names.want got &&
		unzip -p "$a" evidence.xml > ev.xml &&
		test_grep -F "<member path=\"Messages/Léa 💬.txt\" kind=\"file\" size=\"6\"" ev.xml &&
		test_grep -F "<member path=\"שלום/تقرير.txt\" kind=\"file\" size=\"4\"" ev.xml
	'
	test_expect_success "$L: verify passes, --json names every item as sealed" '
		expect_exit 0 env LC_ALL=$L scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$a" > out &&
		test_grep -F "$a" out && test_grep "TOTAL-PASSED" out &&
		expect_exit 0 env LC_ALL=$L scelle verify --json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$a" > j &&
		json_names < j > got && cmp names.want got
	'
	test_expect_success "$L: show prints the names as sealed, in text and JSON" '
		LC_ALL=$L scelle show "$a" > out &&
		test_grep -Fx "archive         $a" out &&
		show_names out > got && cmp names.want got &&
		LC_ALL=$L scelle show --json "$a" | json_names > got && cmp names.want got
	'
	test_expect_success "$L: extract writes every item under its own name, byte-identical" '
		expect_exit 0 env LC_ALL=$L scelle extract -q --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" -C "out $L" "$a" &&
		(cd "out $L" && find . -type f | sed "s|^\./|evidence/|" | LC_ALL=C sort) > got && cmp names.want got &&
		while IFS= read -r n; do cmp "${n#evidence/}" "out $L/${n#evidence/}" || exit 1; done < names.want
	'
	test_expect_success "$L: extract --bagit makes a bag whose manifest checks" '
		expect_exit 0 env LC_ALL=$L scelle extract -q --bagit --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" -C "bag $L" "$a" &&
		(cd "bag $L" && LC_ALL=C sha256sum --strict -c manifest-sha256.txt) > sums &&
		test "$(grep -c ": OK$" sums)" = 8 &&
		while IFS= read -r n; do cmp "${n#evidence/}" "bag $L/data/${n#evidence/}" || exit 1; done < names.want
	'
	test_expect_success "$L: stamp copies every entry under its name; the copy verifies" '
		LC_ALL=$L scelle stamp --tsa "$tsa_url" -o "$st" "$a" > out &&
		test_grep -Fx "stamped $st (1 time-stamp added)" out &&
		zip_names "$st" > got && cmp names.want got &&
		expect_exit 0 env LC_ALL=$L scelle verify -q --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$st"
	'
	test_expect_success "$L: custody add and show keep the names and the text given" '
		LC_ALL=$L scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --tsa "$tsa_url" \
			--event transferred --place "Genève" --to "Policía Nacional ⚖ مدريد" \
			--note "scellé n° 3 — 📦 שלום" "$a" > out &&
		test_grep -Fx "recorded '\''transferred'\'' as record 2 of the custody ledger of $a" out &&
		expect_exit 0 env LC_ALL=$L scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$a" > out &&
		test_grep -F "$a" out && test_grep -F "Genève" out &&
		LC_ALL=$L scelle custody show --json --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$a" > j &&
		python3 -c "import json, sys
r = json.load(open(sys.argv[1]))[\"records\"][1]
assert (r[\"place\"], r[\"to\"], r[\"note\"]) == (\"Genève\", \"Policía Nacional ⚖ مدريد\", \"scellé n° 3 — 📦 שלום\"), r" j
	'
	test_skip_end
done

test_done
