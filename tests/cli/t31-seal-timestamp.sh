#!/bin/sh
# t31-seal-timestamp.sh — CAdES-B-T: seal with one or more TSAs, verify the tokens.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
start_server stock python3 "$TOP/tests/data/stock_tsa.py" ok "$PKI" "$T/stock.port" || exit 2
start_server hang python3 "$TOP/tests/data/stock_tsa.py" hang "$PKI" "$T/hang.port" || exit 2
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }

test_expect_success 'seal with scelle tsa and a stock openssl responder: two tokens' '
	seal --tsa "$tsa_url" --tsa "$stock_url" -o bt.asice ev/ad-capture &&
	verify -v bt.asice > out &&
	test_grep "^bt.asice: TOTAL-PASSED$" out &&
	test "$(grep -c "passed *timestamp.token *time-stamp [12] by .CN=Demo TSA 1" out)" = 2
'
test_expect_success 'openssl ts -verify accepts each token over the signature value' '
	mkdir x && (cd x && unzip -q ../bt.asice) &&
	test "$(python3 "$TOP/tests/data/tstoken.py" x/META-INF/signature001.p7s x)" = 2 &&
	d=$(openssl dgst -sha256 -r x/sigvalue.bin | cut -d" " -f1) &&
	for t in x/token1.der x/token2.der; do
		openssl ts -verify -digest "$d" -in "$t" -token_in -CAfile "$PKI/tsa-ca.pem" 2>&1 | test_grep "^Verification: OK$" - || exit 1
	done
'
test_expect_success 'openssl cms -verify -cades still accepts the time-stamped signature' '
	openssl cms -verify -cades -binary -inform DER -in x/META-INF/signature001.p7s \
		-content x/META-INF/ASiCManifest001.xml -CAfile "$PKI/ca.pem" -out /dev/null
'
test_expect_success 'a token from an untrusted TSA makes the archive INDETERMINATE' '
	expect_exit 3 scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/other-ca.pem" bt.asice > out &&
	test_grep "INDETERMINATE timestamp.token .*NO_CERTIFICATE_CHAIN_FOUND" out
'
test_expect_success 'a token taken over another signature fails with HASH_FAILURE' '
	seal --tsa "$tsa_url" -o other.asice ev/chat-export &&
	mkdir y && (cd y && unzip -q ../other.asice) &&
	python3 "$TOP/tests/data/tstoken.py" y/META-INF/signature001.p7s y > /dev/null &&
	python3 "$TOP/tests/data/tstoken.py" --graft x/META-INF/signature001.p7s y/token1.der mixed.p7s > /dev/null &&
	python3 "$TOP/tests/data/zipedit.py" bt.asice mixed.asice replace META-INF/signature001.p7s mixed.p7s &&
	expect_exit 1 verify mixed.asice > out &&
	test_grep "FAILED *timestamp.token *time-stamp 1 .*HASH_FAILURE" out
'
test_expect_success 'a TSA that fails stops the seal with a clear error and no archive' '
	test_must_fail --exit=2 seal --tsa "$hang_url" --tsa-timeout 2 -o no.asice ev/ad-capture 2> err &&
	test_grep "^scelle: time-stamp authority .* did not answer within 2 s" err &&
	test ! -e no.asice
'
test_expect_success '--tsa-optional seals anyway and warns' '
	seal --tsa "$hang_url" --tsa-timeout 1 --tsa-optional -o opt.asice ev/ad-capture 2> err &&
	test_grep "^scelle: warning: sealed without a time-stamp" err &&
	expect_exit 3 verify opt.asice > out && test_grep "no time-stamp" out
'
test_done
