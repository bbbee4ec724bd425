#!/bin/sh
# t84-version.sh — `scelle --version` names scelle and the OpenSSL, libarchive and libxml2
# it runs with, and evidence.xml records the same versions in <tool>.
. "$(dirname "$0")/lib.sh"
make_pki
re='^scelle [0-9][0-9.]* \(OpenSSL [0-9][^,]*, libarchive [0-9][^,]*, libxml2 [0-9][^)]*\)$'

test_expect_success '--version and -V print one line in the documented form' '
	"$SCELLE" --version >v && test $(wc -l <v) -eq 1 &&
	test_grep -E "$re" v &&
	"$SCELLE" -V >v2 && cmp v v2
'

ver() { sed -n "s/.*$1 \([^ ,)]*\).*/\1/p" v; }
test_expect_success 'the versions are those of the libraries the stock tools report' '
	test "$(ver scelle)" = "$(sed -n "s/^VERSION *:= *//p" "$TOP/Makefile")" &&
	openssl version | test_grep -q "^OpenSSL $(ver OpenSSL) " &&
	bsdtar --version | test_grep -q "libarchive $(ver libarchive)" &&
	xv=$(xmllint --version 2>&1 | sed -n "s/.*using libxml version \([0-9]*\).*/\1/p") &&
	test "$(ver libxml2)" = "$((xv / 10000)).$((xv / 100 % 100)).$((xv % 100))"
'

test_expect_success 'evidence.xml records the same versions in <tool>' '
	echo x >f &&
	"$SCELLE" seal -q -o a.asice --key "$PKI/officer.key" --cert "$PKI/officer.pem" f &&
	unzip -p a.asice evidence.xml >ev.xml &&
	tool=$(xmllint --xpath "//*[local-name()=\"tool\"]" ev.xml) &&
	echo "$tool" >tool &&
	test_grep "name=\"scelle\"" tool &&
	test_grep "version=\"$(ver scelle)\"" tool &&
	test_grep "openssl=\"$(ver OpenSSL)\"" tool &&
	test_grep "libarchive=\"$(ver libarchive)\"" tool &&
	test_grep "libxml2=\"$(ver libxml2)\"" tool &&
	"$SCELLE" show --json a.asice >/dev/null
'
test_done
