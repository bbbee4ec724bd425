#!/bin/sh
# t82-examples.sh — the examples run as documented: seal_and_verify.c through libscelle,
# seal-seizure.sh over a seizure tree (register, re-run, a folder that cannot be sealed),
# verify-inbox.sh over a folder of received archives (one CSV verdict per archive).
. "$(dirname "$0")/lib.sh"
make_pki
EX="$TOP/examples"
ZE="python3 $TOP/tests/data/zipedit.py"
export SCELLE="$SCELLE"
start_tsa || exit 2

# The libraries libscelle.a needs, as scelle.pc says (built here: `make all` does not).
unset MAKEFLAGS MFLAGS MAKELEVEL
make -s -C "$TOP" B="$B" "$B/scelle.pc" >/dev/null || exit 2
# Under `make check-asan` the library is instrumented: link the example the same way.
SAN_CC=cc
if nm "$B/libscelle.a" 2>/dev/null | grep -q __asan_report; then
	SAN_CC="clang -fsanitize=address,undefined -fno-omit-frame-pointer"
fi

test_expect_success 'seal_and_verify.c builds against libscelle and verifies what it sealed' '
	$SAN_CC -std=c11 -Wall -Wextra -Werror -I"$TOP/include" -o sav "$EX/seal_and_verify.c" \
		"$B/libscelle.a" $(pkg-config --libs $(sed -n "s/^Requires.private: //p" "$B/scelle.pc")) \
		$(sed -n "s/^Libs.private: //p" "$B/scelle.pc") &&
	SCELLE_EXAMPLE_CRL="$PKI/ca.crl" ./sav "$PKI/officer.key" "$PKI/officer.pem" "$PKI/ca.pem" ex.asice "$EX/evidence/ad-capture" >out &&
	test_grep "^verdict TOTAL-PASSED$" out &&
	test_grep "^item ok  f04f40e0757497541329a8a98ea2981cf7c00aa38bf9f0c6501a7e94aa9c2077 evidence/ad-capture/ad-4711.html$" out &&
	id=$(sed -n "s/^seal identifier //p" out) &&
	test "$id" = "$(unzip -p ex.asice META-INF/ASiCManifest001.xml | sha256sum | cut -c1-64)" &&
	scelle show ex.asice >show && test_grep "2026/EX/0001 (Example Unit, FR)" show
'

test_expect_success 'seal_and_verify: an encrypted key takes its pass phrase from the environment' '
	SCELLE_EXAMPLE_PASS=secret SCELLE_EXAMPLE_CRL="$PKI/ca.crl" ./sav "$PKI/officer-enc.key" "$PKI/officer.pem" "$PKI/ca.pem" \
		enc.asice "$EX/evidence/chat-export" >out &&
	test_grep "^verdict TOTAL-PASSED$" out &&
	test_must_fail --exit=2 ./sav "$PKI/officer-enc.key" "$PKI/officer.pem" "$PKI/ca.pem" \
		enc2.asice "$EX/evidence/chat-export" 2>err &&
	test_grep "needs a pass phrase" err && test ! -e enc2.asice
'

test_expect_success 'seal_and_verify: an archive from an unknown root is INDETERMINATE (3)' '
	expect_exit 3 ./sav "$PKI/other.key" "$PKI/other.pem" "$PKI/ca.pem" oth.asice \
		"$EX/evidence/ad-capture" >out &&
	test_grep "^verdict INDETERMINATE$" out && test_grep "signature.chain" out
'

cat >case.xml <<'XML'
<case xmlns="urn:scelle:evidence:1">
  <reference authority="OCRTEH Paris" country="FR">2026/OCRTEH/0099</reference>
  <legalBasis>EIO 2026/ES/123</legalBasis>
  <description>seizure at a flat, three devices</description>
</case>
XML
mkdir -p seizure/phone-1 seizure/laptop/docs "seizure/usb stick"
cp -R "$EX/evidence/chat-export/." seizure/phone-1/
cp -R "$EX/evidence/ad-capture/." seizure/laptop/docs/
echo "notes" >"seizure/usb stick/notes.txt"

test_expect_success 'seal-seizure.sh seals each sub-folder and keeps a register' '
	sh "$EX/seal-seizure.sh" -k "$PKI/officer.key" -c "$PKI/officer.pem" -t "$tsa_url" -r "$PKI/ca.crl" \
		case.xml seizure sealed >out &&
	test_grep "^3 sealed, 0 skipped, 0 failed; register: sealed/seals.csv$" out &&
	test "$(wc -l <sealed/seals.csv)" = 4 &&
	for n in laptop phone-1 "usb stick"; do
		id=$(unzip -p "sealed/$n.asice" META-INF/ASiCManifest001.xml | sha256sum | cut -c1-64) &&
		fd=$(sha256sum "sealed/$n.asice" | cut -c1-64) &&
		grep -qx "\"$n\",$n.asice,$id,$fd" sealed/seals.csv || { cat sealed/seals.csv; exit 1; }
	done &&
	unzip -p sealed/laptop.asice evidence.xml >ev.xml &&
	test_grep "<legalBasis>EIO 2026/ES/123</legalBasis>" ev.xml &&
	test_grep "path=\"evidence/laptop/docs/ad-4711.html\"" ev.xml &&
	scelle verify -q --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" sealed/*.asice
'

test_expect_success 'seal-seizure.sh run again skips what is sealed' '
	sh "$EX/seal-seizure.sh" -k "$PKI/officer.key" -c "$PKI/officer.pem" case.xml seizure sealed >out &&
	test_grep "^0 sealed, 3 skipped, 0 failed" out &&
	test "$(wc -l <sealed/seals.csv)" = 4
'

test_expect_success 'seal-seizure.sh: a folder that cannot be sealed is reported, the rest sealed' '
	mkdir -p seizure2/good seizure2/bad && echo x >seizure2/good/x && mkfifo seizure2/bad/pipe &&
	test_must_fail --exit=2 sh "$EX/seal-seizure.sh" -k "$PKI/officer.key" -c "$PKI/officer.pem" \
		case.xml seizure2 sealed2 >out 2>err &&
	test_grep "^1 sealed, 0 skipped, 1 failed" out &&
	test_grep "^scelle: cannot seal .*pipe.: it is a FIFO$" err &&
	test_grep "^FAILED  bad" err &&
	test -f sealed2/good.asice && test ! -e sealed2/bad.asice
'

test_expect_success 'seal-seizure.sh: usage errors exit 2' '
	test_must_fail --exit=2 sh "$EX/seal-seizure.sh" case.xml seizure sealed 2>err &&
	test_grep "^usage: seal-seizure.sh" err
'

mkdir inbox
cp sealed/laptop.asice inbox/
cp sealed/phone-1.asice "inbox/phone 1, copy.asice"
$ZE sealed/laptop.asice inbox/tampered.asice flip evidence/laptop/docs/ad-4711.html
cp oth.asice inbox/unknown-root.asice

test_expect_success 'verify-inbox.sh writes one CSV verdict per archive and exits with the worst' '
	test_must_fail --exit=1 sh "$EX/verify-inbox.sh" -t "$PKI/ca.pem" -T "$PKI/tsa-ca.pem" inbox >out &&
	test_grep "^4 archives verified; verdicts in inbox/verdicts.csv$" out &&
	python3 - inbox/verdicts.csv >rows <<-PY &&
	import csv, sys
	for r in csv.DictReader(open(sys.argv[1])):
	    probs = [p.split(":")[0] for p in r["problems"].split("; ") if p]
	    print(r["file"].split("/")[-1], r["verdict"], ",".join(probs), sep="|")
	PY
	test_grep -x "laptop.asice|TOTAL-PASSED|" rows &&
	test_grep -x "phone 1, copy.asice|TOTAL-PASSED|" rows &&
	test_grep -x "tampered.asice|TOTAL-FAILED|manifest.digest HASH_FAILURE,evidence.digest HASH_FAILURE" rows &&
	test_grep -x "unknown-root.asice|INDETERMINATE|timestamp.present NO_POE,signature.chain NO_CERTIFICATE_CHAIN_FOUND" rows &&
	id=$(unzip -p inbox/laptop.asice META-INF/ASiCManifest001.xml | sha256sum | cut -c1-64) &&
	test_grep "laptop.asice,TOTAL-PASSED,$id," inbox/verdicts.csv
'

test_expect_success 'verify-inbox.sh: all passed exits 0, CSV to a chosen file' '
	rm inbox/tampered.asice inbox/unknown-root.asice &&
	sh "$EX/verify-inbox.sh" -t "$PKI/ca.pem" -T "$PKI/tsa-ca.pem" inbox register.csv >out &&
	test "$(wc -l <register.csv)" = 3 && ! grep -q "FAILED\|INDETERMINATE" register.csv
'

test_expect_success 'verify-inbox.sh: an empty inbox and a bad option exit 2' '
	mkdir empty &&
	test_must_fail --exit=2 sh "$EX/verify-inbox.sh" -t "$PKI/ca.pem" empty 2>err &&
	test_grep "no archive" err &&
	test_must_fail --exit=2 sh "$EX/verify-inbox.sh" -x inbox 2>err &&
	test_grep "^usage: verify-inbox.sh" err
'
test_done
