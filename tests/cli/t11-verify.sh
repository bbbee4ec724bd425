#!/bin/sh
# t11-verify.sh — scelle verify: a good archive passes; each forgery fails with its reason.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
test_expect_success 'setup' '
	seal -o good.asice --case "OCRTEH:FR:2026/0042" ev/ad-capture ev/chat-export &&
	seal -o other.asice ev/chat-export
'

test_expect_success 'a good archive verifies: TOTAL-PASSED, exit 0' '
	verify good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out
'
test_expect_success 'without a time-stamp it is INDETERMINATE (exit 3) unless --no-timestamp-ok' '
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" good.asice > out &&
	test_grep "timestamp.present .*no time-stamp" out
'
test_expect_success 'an unknown signer CA gives INDETERMINATE (exit 3), not 0' '
	expect_exit 3 scelle verify --no-timestamp-ok --trust "$PKI/other-ca.pem" good.asice > out &&
	test_grep "signature.chain .*does not chain to a trusted anchor.*NO_CERTIFICATE_CHAIN_FOUND" out
'
test_expect_success 'no trust anchor at all gives INDETERMINATE' '
	expect_exit 3 scelle verify --no-timestamp-ok good.asice > out &&
	test_grep "no trust anchor given" out
'

# forge NAME OP ARGS -- EXPECTED-LINE : the forgery gives exit 1 and the expected reason.
forge() {
	name=$1; shift
	$ZE good.asice "$name.asice" "$@" || return 1
}
expect_fail() { # archive pattern
	expect_exit 1 verify "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "$2" "$1.out"
}
test_expect_success 'a flipped byte in an item' '
	forge item flip evidence/ad-capture/ad-4711-screenshot.png &&
	expect_fail item.asice "manifest.digest .*evidence/ad-capture/ad-4711-screenshot.png.: sha256 differs from ASiCManifest \[HASH_FAILURE\]"
'
test_expect_success 'a flipped byte in evidence.xml' '
	forge ev flip evidence.xml 200 &&
	expect_fail ev.asice "manifest.digest .*evidence.xml.: sha256 differs from ASiCManifest"
'
test_expect_success 'a flipped byte in ASiCManifest' '
	forge man flip META-INF/ASiCManifest001.xml 300 &&
	expect_fail man.asice "signature.crypto .*signature was made over another manifest \[HASH_FAILURE\]"
'
test_expect_success 'a flipped byte in the signature value' '
	n=$(unzip -p good.asice META-INF/signature001.p7s | wc -c) &&
	forge sig flip META-INF/signature001.p7s $((n - 10)) &&
	expect_fail sig.asice "signature\.\(crypto\|format\) .*\(SIG_CRYPTO_FAILURE\|FORMAT_FAILURE\)"
'
test_expect_success 'an item removed' '
	forge removed remove evidence/chat-export/_chat.txt &&
	expect_fail removed.asice "evidence/chat-export/_chat.txt: references a file that is not in the archive \[SIGNED_DATA_NOT_FOUND\]"
'
test_expect_success 'an item added' '
	echo "planted" > planted.txt &&
	forge added add evidence/chat-export/planted.txt planted.txt &&
	expect_fail added.asice "container.coverage .*evidence/chat-export/planted.txt. is not covered by the signed manifest"
'
test_expect_success 'an item renamed' '
	forge renamed rename evidence/chat-export/_chat.txt evidence/chat-export/chat.txt &&
	expect_fail renamed.asice "chat-export/chat.txt. is not covered by the signed manifest"
'
test_expect_success 'the mimetype changed' '
	printf "application/zip" > mt && forge mime replace mimetype mt &&
	expect_fail mime.asice "container.mimetype .*.mimetype. is not application/vnd.etsi.asic-e+zip"
'
test_expect_success 'a signature from another archive' '
	unzip -p other.asice META-INF/signature001.p7s > other.p7s &&
	forge swapped replace META-INF/signature001.p7s other.p7s &&
	expect_fail swapped.asice "signature.crypto .*signature was made over another manifest"
'
test_expect_success 'a signature without signed attributes' '
	unzip -p good.asice META-INF/ASiCManifest001.xml > man.xml &&
	openssl cms -sign -binary -noattr -md sha256 -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in man.xml -out noattr.p7s &&
	forge noattr replace META-INF/signature001.p7s noattr.p7s &&
	expect_fail noattr.asice "signature.attributes .*no signed attributes (not CAdES)"
'
test_expect_success 'a signature by an expired certificate' '
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -outform DER -signer "$PKI/expired.pem" \
		-inkey "$PKI/expired.key" -in man.xml -out expired.p7s &&
	forge expired replace META-INF/signature001.p7s expired.p7s &&
	expect_fail expired.asice "certificate was not valid at the claimed signing time \[EXPIRED\]"
'
test_expect_success 'a signature whose certificate was swapped for another with the same key' '
	openssl req -new -key "$PKI/officer.key" -subj "/CN=Capitaine Demo Martin" -out twin.csr &&
	openssl x509 -req -in twin.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -set_serial 7 -days 30 -out twin.pem 2>/dev/null &&
	python3 - good.asice twin.pem > twin.p7s <<-PY &&
	import sys, zipfile, subprocess
	sig = zipfile.ZipFile(sys.argv[1]).read("META-INF/signature001.p7s")
	good = subprocess.run(["openssl", "x509", "-in", "'"$PKI"'/officer.pem", "-outform", "DER"], capture_output=True).stdout
	twin = subprocess.run(["openssl", "x509", "-in", sys.argv[2], "-outform", "DER"], capture_output=True).stdout
	assert good in sig
	sys.stdout.buffer.write(sig.replace(good, twin[:len(good)]) if len(twin) == len(good) else sig.replace(good, twin))
	PY
	forge twin replace META-INF/signature001.p7s twin.p7s &&
	expect_exit 1 verify twin.asice > twin.out && test_grep "TOTAL-FAILED" twin.out
'
test_expect_success 'verify of several archives: one line each, a summary, the worst exit' '
	expect_exit 1 verify good.asice item.asice > out &&
	test_grep "^good.asice: TOTAL-PASSED$" out && test_grep "^item.asice: TOTAL-FAILED$" out &&
	test_grep "^2 archives: 1 passed, 1 failed, 0 indeterminate$" out
'
test_expect_success 'not an archive at all' '
	echo hello > hello.asice &&
	expect_exit 1 verify hello.asice > out && test_grep "does not start with a ZIP local header" out &&
	expect_exit 2 verify missing.asice > out 2> err && test ! -s out &&
	test_grep "^scelle: cannot open .missing.asice.: No such file or directory$" err
'
test_expect_success '--json gives one object with the verdict and every check' '
	expect_exit 1 verify --json item.asice > j &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"verdict\"]==\"TOTAL-FAILED\"; assert any(c[\"subindication\"]==\"HASH_FAILURE\" for c in d[\"checks\"])" j
'
test_expect_success 'show lists the case and the items' '
	scelle show good.asice > out &&
	test_grep "^case            2026/0042 (OCRTEH, FR)$" out &&
	test_grep "evidence/chat-export/_chat.txt$" out &&
	scelle show --xml good.asice | xmllint --noout --schema "$TOP/formats/evidence.xsd" -
'
test_done
