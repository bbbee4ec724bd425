#!/bin/sh
# t51-custody-forgery.sh — a forger's attempts on the custody ledger without any key: a splice
# of two copies that travelled different ways, content that neither a signature nor the chain
# covers, a ledger cut short; and what holds against a cut: the ledger head that every verdict
# prints, checked with --ledger-head, and cited by every `received` record (formats/custody.md).
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
LE="python3 $TOP/tests/data/ledgeredit.py"
XSD="$TOP/formats/custody.xsd"
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
fr() { scelle custody add --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ "$@"; }
es() { scelle custody add --key "$PKI/es-officer.key" --cert "$PKI/es-officer.pem" --role Inspectora \
	--trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
show() { scelle custody show --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
# What somebody holding KEY can do: sign record N's event as it now stands, with openssl.
resign() { # ledger n key cert out
	xmllint --xpath "(//*[local-name()='event'])[$2]" "$1" |
		sed '1s/^<event /<event xmlns="urn:scelle:custody:1" /' >ev.xml &&
	xmllint --exc-c14n ev.xml >ev.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -signer "$4" -inkey "$3" \
		-in ev.c14n -outform DER -out ev.p7s &&
	$LE "$1" "$5" setsig "$2" "$(base64 -w0 ev.p7s)"
}
# forged LEDGER PATTERN: verify with it gives TOTAL-FAILED (exit 1) and the expected line.
forged() {
	expect_exit 1 verify --ledger "$1" case.asice >"$1.out" &&
	test_grep "^case.asice: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}

# One archive, two copies of its ledger: A went to Madrid (received there, then opened),
# B to Rome (received there).  Both are genuine.
scelle seal -q --tsa "$tsa_url" --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
	--officer "Capitaine Demo Martin" --country FR --place Nanterre -o case.asice ev/chat-export || exit 2
cp case.asice.custody.xml b.xml
{ fr case.asice --event transferred --to "Policia Nacional, Madrid" --tsa "$tsa_url" &&
  es case.asice --event received --place Madrid --tsa "$tsa_url" &&
  es case.asice --event opened --place Madrid --tsa "$tsa_url" &&
  fr case.asice --ledger b.xml --event transferred --to "Carabinieri, Roma" --tsa "$tsa_url" &&
  es case.asice --ledger b.xml --event received --place Roma --tsa "$tsa_url"; } >/dev/null || exit 2
A=case.asice.custody.xml
# the ledger heads, by stock tools: xmllint --exc-c14n of a record, sha256
h1=$($LE $A - head 1) && h2=$($LE $A - head 2) && h3=$($LE $A - head 3) && h4=$($LE $A - head 4) || exit 2

test_expect_success 'both copies verify on their own' '
	verify case.asice >out && test_grep "^case.asice: TOTAL-PASSED$" out &&
	verify --ledger b.xml case.asice >out && test_grep "^case.asice: TOTAL-PASSED$" out
'

test_expect_success 'a splice of the two copies fails at the graft' '
	$LE b.xml splice.xml graft 2 $A 2 &&
	forged splice.xml "FAILED *custody.chain *record 3: the digest of the previous record does not match record 2 before it"
'

test_expect_success 'a splice where the record before cannot be canonicalised fails, not skips the link' '
	$LE b.xml sp0.xml graft 2 $A 2 &&
	$LE sp0.xml splice2.xml edit 2 "</event>" "</event><x:y xmlns:x=\"relative\"/>" &&
	forged splice2.xml "FAILED *custody.chain *record 3: record 2 before it cannot be canonicalised (Exclusive XML C14N): the link cannot be checked \[FORMAT_FAILURE\]$" &&
	test_grep "FAILED *custody.format *record 2: an element <y> in <record> (line [0-9]*), which formats/custody.xsd does not allow" splice2.xml.out &&
	test_grep "FAILED *custody.ledger *custody ledger splice2.xml: 3 records, 2 of them fail" splice2.xml.out
'

test_expect_success 'an edited event that cannot be canonicalised is not taken as signed' '
	$LE $A noc14n.xml edit 3 "<place>Madrid</place>" "<place>Barcelona</place><x:y xmlns:x=\"relative\"/>" &&
	forged noc14n.xml "FAILED *custody.signature *record 3: its event cannot be canonicalised (Exclusive XML C14N): the signature cannot be checked" &&
	test "$(grep -c "custody.signature" noc14n.xml.out)" = 1 &&
	test_grep "FAILED *custody.chain *record 4: record 3 before it cannot be canonicalised" noc14n.xml.out &&
	expect_exit 1 show --ledger noc14n.xml case.asice >show &&
	test_grep "^  3  .* at Barcelona .* -- FAILED: record 3: an element <y> in <event> (line 28), which formats/custody.xsd does not allow$" show &&
	test_must_fail --exit=1 show --ledger noc14n.xml case.asice 2>err >/dev/null && test ! -s err
'

# Content that Exclusive C14N drops (comments, unused namespace declarations), or that no
# link covers (anything in or after the last record), changes nothing a signature or the
# chain sees: without the schema's strictness it would pass.
test_expect_success 'content that neither a signature nor the chain covers is refused' '
	$LE $A f1.xml edit 2 "<time>" "<!-- seen by nobody --><time>" &&
	forged f1.xml "FAILED *custody.format *record 2: a comment in <event> (line [0-9]*), which formats/custody.xsd does not allow" &&
	$LE $A f2.xml edit 4 "</signature>" "</signature><?forged yes?>" &&
	forged f2.xml "FAILED *custody.format *record 4: a processing instruction in <record>" &&
	$LE $A f3.xml edit 4 "<record>" "<record checked=\"yes\">" &&
	forged f3.xml "FAILED *custody.format *record 4: an attribute .checked. on <record>" &&
	$LE $A f4.xml edit 4 "</record>" "<signature format=\"CAdES\">AAAA</signature></record>" &&
	forged f4.xml "FAILED *custody.format *record 4: an element <signature> repeated or out of order in <record>" &&
	$LE $A f5.xml edit 4 "<event " "<event xmlns:f=\"urn:forged\" " &&
	forged f5.xml "FAILED *custody.format *record 4: a namespace declaration .urn:forged. on <event>" &&
	$LE $A f6.xml edit 1 "</record>" "</record><note xmlns=\"urn:forged\">approved</note>" &&
	forged f6.xml "FAILED *custody.ledger *the custody ledger holds an element <note> in <ledger> (line 11), which formats/custody.xsd does not allow" &&
	sed "1a<!-- approved by the court -->" $A >f7.xml &&
	forged f7.xml "FAILED *custody.ledger *the custody ledger holds a comment outside its root (line 2)" &&
	sed "1a<?xml-stylesheet href=\"court.xsl\"?>" $A >f9.xml &&
	forged f9.xml "FAILED *custody.ledger *the custody ledger holds a processing instruction outside its root (line 2), which formats/custody.xsd does not allow \[FORMAT_FAILURE\]$" &&
	$LE $A f8.xml edit 4 "</event>" "</event>forged" &&
	forged f8.xml "FAILED *custody.format *record 4: text in <record>" &&
	for f in f3 f4 f6 f8; do
		xmllint --noout --schema "$XSD" $f.xml 2>/dev/null && { echo "$f.xml validates"; return 1; } || :
	done &&
	# what the schema does not see, the stock check of custody.md does
	test "$(sed 1d $A | grep -c "<!--\\|<?\\|xmlns:")" = 0 &&
	for f in f1 f2 f5 f7 f9; do
		test "$(sed 1d $f.xml | grep -c "<!--\\|<?\\|xmlns:")" = 1 || return 1
	done
'

test_expect_success 'a record repeated is caught' '
	$LE $A dup.xml dup 4 &&
	forged dup.xml "FAILED *custody.chain *record 4 comes after record 4: the records are reordered or duplicated" &&
	test_grep "FAILED *custody.chain *record 4: the digest of the previous record does not match record 4 before it" dup.xml.out
'

test_expect_success 'every verdict prints the ledger head: text, JSON, HTML, custody show' '
	verify --report r.html case.asice >out &&
	test_grep "^  ledger head: 4 records, sha256 $h4$" out &&
	sed -n 2p out | test_grep "^  ledger head: " - &&
	test_grep "ledger head: 4 records, sha256 $h4" r.html &&
	verify --json case.asice >v.json &&
	/usr/bin/python3 - "$TOP/formats/verify-result.schema.json" v.json "$h4" <<-\PY &&
	import json, sys, jsonschema
	d = json.load(open(sys.argv[2]))
	jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(d)
	assert d["ledger_head"] == {"records": 4, "sha256": sys.argv[3]}, d["ledger_head"]
	PY
	show case.asice >show &&
	test_grep "^ledger head: 4 records, sha256 $h4$" show &&
	show --json case.asice >show.json &&
	python3 -c "import json,sys; d = json.load(open(\"show.json\")); assert d[\"ledger_head\"] == {\"records\": 4, \"sha256\": sys.argv[1]}, d" "$h4" &&
	LANG=fr_FR.UTF-8 verify --lang fr case.asice >out.fr &&
	test_grep "^  tête du registre : 4 inscriptions, sha256 $h4$" out.fr
'

test_expect_success 'without a ledger, no head; JSON says null' '
	cp case.asice lone.asice &&
	verify --json lone.asice >lone.json &&
	python3 -c "import json; d = json.load(open(\"lone.json\")); assert d[\"ledger_head\"] is None, d" &&
	verify lone.asice >out && ! grep -q "ledger head" out
'

test_expect_success 'a ledger cut short keeps an intact chain: its head shows the cut' '
	$LE $A cut.xml cut 3 &&
	verify -v --ledger cut.xml case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	test_grep "custody ledger cut.xml: 3 records, chain intact" out &&
	test_grep "^  ledger head: 3 records, sha256 $h3$" out &&
	expect_exit 1 verify --ledger cut.xml --ledger-head "$h4" case.asice >out &&
	test_grep "^case.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *custody.head *the ledger head is 3 records, sha256 $h3, not the head given (sha256 $h4): records were removed or added since it was written down \[HASH_FAILURE\]$" out &&
	expect_exit 1 show --ledger cut.xml --ledger-head "$h4" case.asice >show &&
	test_grep "^  3  .* -- verifies$" show &&
	test_grep "^ledger head: 3 records, sha256 $h3$" show
'

test_expect_success '--ledger-head: the head from the letter passes, in either case; a malformed one is refused' '
	verify -v --ledger-head "$h4" case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	test_grep "passed *custody.head *the ledger head is the one given: 4 records, sha256 $h4$" out &&
	verify --ledger-head "$(echo $h4 | tr a-f A-F)" case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	test_must_fail --exit=2 verify --ledger-head "${h4}0" case.asice 2>err &&
	test_grep "^scelle: invalid ledger head .${h4}0. (64 hexadecimal digits, as a verdict prints it)$" err &&
	test_must_fail --exit=2 verify --ledger-head "$h4" case.asice lone.asice 2>err &&
	test_grep "^scelle: --ledger-head names the ledger of one archive$" err &&
	expect_exit 1 verify --ledger-head "$h4" lone.asice >out &&
	test_grep "FAILED *custody.head *the ledger head given (sha256 ${h4%${h4#????????????????}}...) cannot be compared: no ledger head was found" out
'

test_expect_success 'a received record cites the head it received; stock tools agree' '
	test_grep "<head algorithm=\"sha256\" records=\"2\">$h2</head>" $A &&
	xmllint --noout --schema "$XSD" $A &&
	test "$(grep -c "<head " $A)" = 1
'

# head_forged NAME FROM TO COUNT: record 3's <head> text FROM made TO, the ledger cut after
# it and record 3 re-signed by its actor (es-officer): custody.chain fails on the head, which
# cites COUNT records and h1's digest; the signature itself passes.
head_forged() {
	$LE $A $1-0.xml edit 3 "$2" "$3" &&
	$LE $1-0.xml $1-1.xml cut 3 &&
	resign $1-1.xml 3 "$PKI/es-officer.key" "$PKI/es-officer.pem" $1.xml &&
	forged $1.xml "FAILED *custody.chain *record 3: the ledger head it cites ($4 records, sha256 ${h1%${h1#????????????????}}...) is not the 2 records before it \[HASH_FAILURE\]$" &&
	! grep -q "custody.signature" $1.xml.out
}

test_expect_success 'a received record citing another head fails, even re-signed by its actor' '
	head_forged head "<head algorithm=\"sha256\" records=\"2\">$h2</head>" "<head algorithm=\"sha256\" records=\"1\">$h1</head>" 1
'

test_expect_success 'a ledger cut in transit is refused on receipt: received --ledger-head, nothing recorded' '
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" -o x.asice ev/chat-export &&
	fr x.asice --event transferred --to "Policia Nacional" >/dev/null &&
	fr x.asice --event copied --note "a working copy kept in Nanterre" >out &&
	x3=$($LE x.asice.custody.xml - head 3) &&
	test_grep "^ledger head: 3 records, sha256 $x3$" out &&
	$LE x.asice.custody.xml xcut.xml cut 2 && cp xcut.xml x.asice.custody.xml &&
	x2=$($LE x.asice.custody.xml - head 2) &&
	test_must_fail --exit=1 es x.asice --event received --no-timestamp-ok --ledger-head "$x3" >out 2>err &&
	test_grep "^scelle: .x.asice.custody.xml.: the ledger head is 2 records, sha256 $x2, not the head given (sha256 $x3): nothing recorded$" err &&
	cmp xcut.xml x.asice.custody.xml &&
	es x.asice --event received --no-timestamp-ok --ledger-head "$x2" >out &&
	test_grep "^recorded .received. as record 3" out &&
	test_grep "<head algorithm=\"sha256\" records=\"2\">$x2</head>" x.asice.custody.xml
'

test_expect_success 'a format 1.0 received record without a head still verifies, with a warning' '
	$LE $A old0.xml cut 3 &&
	$LE old0.xml old1.xml edit 3 "<head algorithm=\"sha256\" records=\"2\">$h2</head>" "" &&
	sed "s/formatVersion=\"1\.1\"/formatVersion=\"1.0\"/" old1.xml >old2.xml &&
	resign old2.xml 3 "$PKI/es-officer.key" "$PKI/es-officer.pem" old.xml &&
	verify --no-timestamp-ok --ledger old.xml case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out &&
	test_grep "warning *custody.head *1 received records do not cite the ledger head they received (format 1.0): only their previous link ties them to it$" out
'
# The tests below kill mutants of custody_verify.c that `make mutate` found alive
# (tests/mutate/run.log); each names the mutated line above it.

# check_signature's white-space filter (`&& -> ||`): the signature text is outside the
# signed event, and a pretty-printer may wrap it; only the last record's, which no link
# covers, can be rewrapped without breaking the chain.
test_expect_success 'a record signature wrapped in lines, with tabs, blanks and a CR, still verifies' '
	xmllint --xpath "string((//*[local-name()=\"signature\"])[4])" $A | base64 -d >s4.der &&
	$LE $A wrap.xml setsig 4 "$(base64 -w 64 s4.der | sed "s/^/\t  /; s/\$/\&#13;/")" &&
	test "$(grep -c "&#13;" wrap.xml)" -gt 10 &&
	verify --ledger wrap.xml case.asice >out &&
	test_grep "^case.asice: TOTAL-PASSED$" out
'

# check_signature `if (k && k % 4 == 0 && (len = EVP_DecodeBlock(...)) >= 0)` negated: the
# length would keep the zero bytes EVP_DecodeBlock makes of the "=" padding.  A BER
# encoding cut short of its end-of-contents is not a signature, even when its padding
# would complete it.
test_expect_success 'a record signature cut short of its BER end-of-contents fails, whatever its padding' '
	python3 "$TOP/tests/data/cmsedit.py" s4.der cut.p7s bercut &&
	{ cat cut.p7s && printf "\0\0"; } >whole.p7s &&
	openssl cms -cmsout -noout -inform DER -in whole.p7s &&
	base64 -w0 cut.p7s | grep -q "==\$" &&
	$LE $A bercut.xml setsig 4 "$(base64 -w0 cut.p7s)" &&
	forged bercut.xml "FAILED *custody.signature *record 4: the signature is not one base64 DER CMS SignedData with one signer \[FORMAT_FAILURE\]$"
'

# check_signature `... != NID_pkcs7_signed || sk_CMS_SignerInfo_num(...) != 1` (`|| -> &&`):
# a second SignerInfo would ride along unjudged (only the first is checked for its actor).
test_expect_success 'a record signature with a second signer fails, whichever comes first' '
	xmllint --xpath "(//*[local-name()=\"event\"])[4]" $A |
		sed "1s/^<event /<event xmlns=\"urn:scelle:custody:1\" /" >ev4.xml &&
	xmllint --exc-c14n ev4.xml >ev4.c14n &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -in ev4.c14n -outform DER -out two.p7s \
		-signer "$PKI/es-officer.pem" -inkey "$PKI/es-officer.key" \
		-signer "$PKI/officer.pem" -inkey "$PKI/officer.key" &&
	$LE $A two.xml setsig 4 "$(base64 -w0 two.p7s)" &&
	forged two.xml "FAILED *custody.signature *record 4: the signature is not one base64 DER CMS SignedData with one signer \[FORMAT_FAILURE\]$" &&
	! grep "custody.signer" two.xml.out
'

# archive_signer `!hex[0] && si && i < sk_X509_num(certs)` (`&& -> ||`): an archive whose
# signature lacks its signer's certificate leaves nothing to compare the sealing record with.
test_expect_success 'an archive signature without its certificate: the sealing record cannot be compared' '
	rm -rf x && mkdir x && (cd x && unzip -q ../case.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/cmsedit.py" x/META-INF/signature001.p7s nocert.p7s nocerts &&
	python3 "$TOP/tests/data/zipedit.py" case.asice nocert.asice replace META-INF/signature001.p7s nocert.p7s &&
	cp $A nocert.asice.custody.xml &&
	expect_exit 1 verify nocert.asice >out &&
	test_grep "INDETERMINATE *signature.crypto *the signer.s certificate is not in the signature" out &&
	test_grep "FAILED *custody.sealing *record 1: the archive.s signer cannot be found to compare with the sealing record.s \[SIG_CONSTRAINTS_FAILURE\]$" out
'

# A sealing record re-signed by the archive's own signer, with the time (check_sealing
# `!r->time_ok || t != r->out->time`, `|| -> &&`), the place (differs() `!ledger ||
# strcmp(...)`, `|| -> &&`) changed, or citing a record before it (check_chain_links
# `r->previous || r->head`, `|| -> &&`).  The ledger is cut to that record: the link of
# record 2 is not what these test.
test_expect_success 'a sealing record re-signed with another time, place or a previous link fails' '
	t1=$(xmllint --xpath "string((//*[local-name()=\"time\"])[1])" $A) &&
	t1b=$(date -u -d "@$(($(date -u -d "$t1" +%s) + 60))" +%Y-%m-%dT%H:%M:%SZ) &&
	$LE $A one.xml cut 1 &&
	resign one.xml 1 "$PKI/officer.key" "$PKI/officer.pem" one-rs.xml &&
	verify --ledger one-rs.xml case.asice >out && test_grep "^case.asice: TOTAL-PASSED$" out &&
	$LE one.xml s1.xml edit 1 "<time>$t1</time>" "<time>$t1b</time>" &&
	resign s1.xml 1 "$PKI/officer.key" "$PKI/officer.pem" stime.xml &&
	forged stime.xml "FAILED *custody.sealing *record 1: the sealing time differs from evidence.xml ($t1) \[FORMAT_FAILURE\]$" &&
	$LE one.xml s2.xml edit 1 "<place>Nanterre</place>" "<place>Versailles</place>" &&
	resign s2.xml 1 "$PKI/officer.key" "$PKI/officer.pem" splace.xml &&
	forged splace.xml "FAILED *custody.sealing *record 1: officer, country or place differ from the sealing in evidence.xml \[FORMAT_FAILURE\]$" &&
	$LE one.xml s3.xml edit 1 "<time>" "<previous algorithm=\"sha256\">$h1</previous><time>" &&
	resign s3.xml 1 "$PKI/officer.key" "$PKI/officer.pem" sprev.xml &&
	forged sprev.xml "FAILED *custody.chain *record 1: the first record cites a previous one (records before it were removed) \[FORMAT_FAILURE\]$"
'

# check_chain_links `!*p->digest || strcasecmp(r->head, p->digest) != 0 || ...` (`|| -> &&`):
# the right count with another digest is another head.
test_expect_success 'a received record citing the right count but another digest fails, even re-signed' '
	head_forged hx "records=\"2\">$h2</head>" "records=\"2\">$h1</head>" 2
'

# verify_custody `n > MAX_LEDGER_RECORDS` (`> -> >=`): 10,000 records are read and judged,
# 10,001 are refused unread.
test_expect_success 'a ledger of 10,000 records is judged record by record; of 10,001, refused' '
	for n in 10000 10001; do
		{ sed -n 1,2p $A && yes "  <record/>" | head -n $n && echo "</ledger>"; } >max$n.xml || return 1
	done &&
	forged max10000.xml "FAILED *custody.ledger *custody ledger max10000.xml: 10000 records, 10000 of them fail \[FORMAT_FAILURE\]$" &&
	! grep "holds more than" max10000.xml.out &&
	forged max10001.xml "FAILED *custody.ledger *the custody ledger holds more than 10000 records \[FORMAT_FAILURE\]$"
'
test_done
