#!/bin/sh
# t43-lang.sh — what a reader sees in French and in Spanish: every command that writes for a
# reader (seal, verify in text and HTML, show, custody add and show, stamp, extract, and
# errors) on a TOTAL-PASSED, a TOTAL-FAILED and an INDETERMINATE archive, in fr and es, chosen
# by --lang, LANG and LANGUAGE.  No English sentence of scelle may be left: every msgid of the
# command and of the library (src/cli/po/msgids.sh) is looked for in the outputs
# (tests/data/english_left.py), so that a message added later is covered as soon as it is
# marked.  A check's title names the check, and its status word is its real status.
. "$(dirname "$0")/lib.sh"
make_pki
start_tsa || exit 2
ZE="python3 $TOP/tests/data/zipedit.py"
# english LANG FILE... — fails, naming the English left, when a FILE holds a msgid's words
english() { l=$1; shift; python3 "$TOP/tests/data/english_left.py" scelle.pot "$TOP/src/cli/po/$l.po" "$@"; }
key() { echo --key "$PKI/officer.key" --cert "$PKI/officer.pem"; }

test_expect_success 'setup: the msgids; an archive that passes, one without time-stamp, one altered' '
	sh "$TOP/src/cli/po/msgids.sh" > scelle.pot 2> /dev/null &&
	test "$(grep -c "^msgid " scelle.pot)" -gt 500 &&
	mkdir ev && echo "procès-verbal" > ev/pv.txt && printf "\377\330\377" > ev/photo.jpg &&
	scelle seal -q $(key) --revocation-data "$PKI/ca.crl" --tsa "$tsa_url" -o pass.asice ev &&
	scelle seal -q $(key) --revocation-data "$PKI/ca.crl" -o indet.asice ev &&
	$ZE pass.asice fail.asice flip evidence/ev/pv.txt && cp pass.asice.custody.xml fail.asice.custody.xml
'

for L in fr es; do
	V="scelle verify --lang $L --trust $PKI/ca.pem --tsa-trust $PKI/tsa-ca.pem"
	test_expect_success "$L: verify, text and HTML, on the three verdicts" '
		expect_exit 0 $V -v --report $L.pass.html pass.asice > $L.pass.out &&
		expect_exit 1 $V -v --report $L.fail.html fail.asice > $L.fail.out &&
		expect_exit 3 $V -v --report $L.indet.html indet.asice > $L.indet.out &&
		expect_exit 0 $V -v --no-revocation-check --report $L.norev.html pass.asice > $L.norev.out &&
		expect_exit 1 $V pass.asice fail.asice indet.asice > $L.three.out &&
		english $L $L.pass.out $L.fail.out $L.indet.out $L.norev.out $L.three.out \
			$L.pass.html $L.fail.html $L.indet.html $L.norev.html
	'
	test_expect_success "$L: seal, show, custody add and show, stamp, extract" '
		mkdir $L && scelle seal --lang $L $(key) --tsa "$tsa_url" -o $L/s.asice ev > $L.seal.out 2>&1 &&
		scelle show --lang $L pass.asice > $L.show.out &&
		cp pass.asice $L/c.asice && cp pass.asice.custody.xml $L/c.asice.custody.xml &&
		scelle custody add --lang $L $L/c.asice --event transferred --key "$PKI/officer.key" \
			--cert "$PKI/officer.pem" --place Nanterre --to "UCRIF Madrid" > $L.add1.out &&
		scelle custody add --lang $L $L/c.asice --event received --key "$PKI/es-officer.key" \
			--cert "$PKI/es-officer.pem" --place Madrid --trust "$PKI/ca.pem" \
			--tsa-trust "$PKI/tsa-ca.pem" > $L.add2.out &&
		scelle custody show --lang $L --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" $L/c.asice > $L.custody.out &&
		scelle show --lang $L $L/c.asice > $L.show2.out &&
		expect_exit 0 $V --report $L.custody.html $L/c.asice > /dev/null &&
		scelle stamp --lang $L --tsa "$tsa_url" -o $L/t.asice indet.asice > $L.stamp.out 2>&1 &&
		scelle extract --lang $L --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" -C $L/x pass.asice \
			> $L.extract.out 2>&1 &&
		english $L $L.seal.out $L.show.out $L.add1.out $L.add2.out $L.custody.out $L.show2.out \
			$L.custody.html $L.stamp.out $L.extract.out
	'
	test_expect_success "$L: errors, and the list of commands" '
		test_must_fail --exit=2 $V missing.asice 2> $L.err1 &&
		test_must_fail --exit=2 scelle seal --lang $L $(key) -o pass.asice ev 2> $L.err2 &&
		test_must_fail --exit=2 scelle seal --lang $L $(key) --case nonsense -o n.asice ev 2> $L.err3 &&
		test_must_fail --exit=2 scelle custody show --lang $L ev 2> $L.err4 &&
		test_must_fail --exit=2 scelle verify --lang $L --trust missing.pem pass.asice 2> $L.err5 &&
		test_must_fail --exit=2 scelle custody add --lang $L pass.asice --event lunch $(key) 2> $L.err6 &&
		for e in 1 2 3 4 5 6; do test_grep "^scelle: " $L.err$e || return 1; done &&
		scelle --lang $L --help > $L.help &&
		english $L $L.err1 $L.err2 $L.err3 $L.err4 $L.err5 $L.err6 $L.help
	'
done

test_expect_success 'fr: a title names its check; the status word is the real status' '
	test_grep "^  INDÉTERMINÉ   timestamp.present  *pas d.horodatage" fr.indet.out &&
	test_grep "(Date du scellé (horodatage))" fr.indet.out &&
	test_grep "^  avertissement signature.revocation  *révocation non contrôlée" fr.norev.out &&
	! grep "réussi  *signature.revocation" fr.norev.out &&
	test_grep "^  ÉCHEC  *manifest.digest .*evidence/ev/pv.txt" fr.fail.out &&
	test_grep "<td class=\"st\">avertissement</td><td>État de révocation" fr.norev.html
'
test_expect_success 'es: custody event names and the receiver'"'"'s verdict are translated' '
	test_grep "^  1  .*precintado  *Capitaine Demo Martin" es.custody.out &&
	test_grep "^  2  .*transferido  *Capitaine Demo Martin .* en Nanterre entregado a UCRIF Madrid" es.custody.out &&
	test_grep "recibido .*\[su verificación: TOTAL-PASSED (precinto intacto y verificado)\]" es.custody.out &&
	test_grep "^.recibido. anotado como asiento 3 del registro de custodia de es/c.asice$" es.add2.out &&
	test_grep "^precintado: es/s.asice$" es.seal.out
'
test_expect_success 'the language comes from LANGUAGE, then LC_ALL, LC_MESSAGES, LANG; --lang wins' '
	LC_ALL= LC_MESSAGES= LANG=fr_FR.UTF-8 scelle show indet.asice > lang.out &&
	test_grep "^signataire  *C = FR" lang.out && english fr lang.out &&
	LANGUAGE=de:es LANG=fr_FR.UTF-8 scelle show indet.asice > language.out &&
	test_grep "^firmante  *C = FR" language.out && english es language.out &&
	LANGUAGE=es scelle show --lang=fr indet.asice > both.out && test_grep "^signataire " both.out &&
	LC_ALL= LC_MESSAGES= LANG=fr_FR.UTF-8 scelle show --lang en indet.asice > en.out &&
	test_grep "^signer  *C = FR" en.out &&
	test_must_fail --exit=2 scelle show indet.asice --lang 2> err &&
	test_grep "^scelle: option .--lang. requires an argument$" err
'
test_expect_success 'JSON stays English, whatever the language' '
	expect_exit 3 scelle verify --lang fr --json --trust "$PKI/ca.pem" indet.asice > j.json &&
	test_grep "no time-stamp: the signing time is only the signer" j.json &&
	! grep -q "horodatage" j.json
'
test_expect_success 'the detector fails on one translation taken out of the catalog' '
	mkdir -p broken/fr/LC_MESSAGES &&
	python3 -c "import sys
s = open(sys.argv[1], encoding=\"utf-8\").read()
i = s.index(\"msgid \\\"no time-stamp: the signing time is only the signer\")
j = s.index(\"msgstr \", i)
k = s.index(\"\\n\", j)
open(\"broken.po\", \"w\", encoding=\"utf-8\").write(s[:j] + \"msgstr \\\"\\\"\" + s[k:])" "$TOP/src/cli/po/fr.po" &&
	msgfmt -c -o broken/fr/LC_MESSAGES/scelle.mo broken.po &&
	expect_exit 3 env SCELLE_LOCALEDIR="$T/broken" scelle verify --lang fr --trust "$PKI/ca.pem" indet.asice > broken.out &&
	test_must_fail --exit=1 english fr broken.out > found &&
	test_grep "no time-stamp: the signing time is only the signer.s claim" found
'
test_done
