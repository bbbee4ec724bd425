#!/bin/sh
# t30-tsa.sh — RFC 3161: `scelle tsa` (the responder), the client behind `seal --tsa`
# (tsa_request, driven by tests/unit/tsa_tool) and the token check behind `verify`
# (tsa_token_check), against our own responder and a stock `openssl ts -reply` one.
. "$(dirname "$0")/lib.sh"
make_pki
TOOL="$B/tests/unit/tsa_tool"
STOCK="$TOP/tests/data/stock_tsa.py"
QT='Content-Type: application/timestamp-query'
post() { curl -s --noproxy '*' -H "$QT" "$@"; }

serial_of_token() { openssl ts -reply -in "$1" -token_in -token_out -text 2>/dev/null | sed -n 's/^Serial number: //p'; }
serial_of_reply() { openssl ts -reply -in "$1" -text 2>/dev/null | sed -n 's/^Serial number: //p'; }

printf 'signature value of a seal\n' >data
printf 'another signature value\n' >other
digest=$(openssl dgst -sha256 -r data | cut -d' ' -f1)
start_server own scelle tsa -q --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" --serial-file serial \
	--listen 127.0.0.1:0 --port-file own.port || exit 2
for mode in ok replay reject noeku html hang; do
	start_server $mode python3 "$STOCK" $mode "$PKI" $mode.port || exit 2
done

test_expect_success 'scelle tsa: the token verifies with openssl ts -verify' '
	"$TOOL" fetch "$own_url" data own.tok &&
	openssl ts -verify -digest $digest -in own.tok -token_in -CAfile "$PKI/tsa-ca.pem" \
		-untrusted "$PKI/tsa.pem" >out 2>&1 &&
	test_grep "^Verification: OK" out
'

test_expect_success 'scelle tsa: the token passes tsa_token_check with the TSA root' '
	"$TOOL" check own.tok data "$PKI/tsa-ca.pem" >out &&
	test_grep "^status: PASSED" out &&
	test_grep "^policy: 1.3.6.1.4.1.99999.1.1$" out &&
	test_grep "^signer: CN=Demo TSA 1,O=Demo Time Authority,C=FR$" out &&
	test_grep "^serial: 01$" out
'

test_expect_success 'stock openssl ts -reply responder: accepted by client and check' '
	"$TOOL" fetch "$ok_url" data stock.tok &&
	"$TOOL" check stock.tok data "$PKI/tsa-ca.pem" >out &&
	test_grep "^status: PASSED" out &&
	test_grep "^policy: 1.2.3.4.1$" out &&
	openssl ts -verify -digest $digest -in stock.tok -token_in -CAfile "$PKI/tsa-ca.pem" \
		-untrusted "$PKI/tsa.pem" >out 2>&1 &&
	test_grep "^Verification: OK" out
'

test_expect_success 'a token over other data fails with HASH_FAILURE' '
	expect_exit 1 "$TOOL" check own.tok other "$PKI/tsa-ca.pem" >out &&
	test_grep "^subindication: HASH_FAILURE$" out &&
	test_grep "^reason: the token.s message imprint is not the hash of the time-stamped data$" out
'

test_expect_success 'a token from an untrusted TSA is indeterminate' '
	expect_exit 3 "$TOOL" check stock.tok data "$PKI/ca.pem" >out &&
	test_grep "^subindication: NO_CERTIFICATE_CHAIN_FOUND$" out &&
	test_grep "does not chain to a trusted time-stamp authority" out &&
	expect_exit 3 "$TOOL" check stock.tok data >out &&
	test_grep "no time-stamp trust anchor was given" out
'

test_expect_success 'a TSA certificate without the timeStamping EKU is refused' '
	test_must_fail --exit=2 "$TOOL" fetch "$noeku_url" data x.tok 2>err &&
	test_grep "lacks the critical timeStamping extended key usage (RFC 3161 §2.3)" err &&
	test ! -e x.tok &&
	openssl ts -query -data data -sha256 -cert -out q.tsq 2>/dev/null &&
	post --data-binary @q.tsq -o noeku.tsr "$noeku_url" &&
	openssl ts -reply -in noeku.tsr -token_out -out noeku.tok 2>/dev/null &&
	expect_exit 3 "$TOOL" check noeku.tok data "$PKI/tsa-ca.pem" >out &&
	test_grep "^subindication: CHAIN_CONSTRAINTS_FAILURE$" out
'

test_expect_success 'a replayed reply is refused for its wrong nonce' '
	"$TOOL" fetch "$replay_url" data first.tok &&
	test_must_fail --exit=2 "$TOOL" fetch "$replay_url" data x.tok 2>err &&
	test_grep "answered with a wrong nonce (a replayed or stale reply)$" err &&
	test_must_fail --exit=2 "$TOOL" fetch "$replay_url" other x.tok 2>err &&
	test_grep "time-stamped something else (imprint mismatch)$" err
'

test_expect_success 'a rejection names the status and the failure info' '
	test_must_fail --exit=2 "$TOOL" fetch "$reject_url" data x.tok 2>err &&
	test_grep "tsa_tool: time-stamp authority .$reject_url. refused: rejection (badAlg): Message digest algorithm is not supported.$" err &&
	test_must_fail --exit=2 "$TOOL" fetch "$own_url" data x.tok 1.2.3.4.5 2>err &&
	test_grep "refused: rejection (unacceptedPolicy)" err
'

test_expect_success 'a policy that was asked for and granted is accepted' '
	"$TOOL" fetch "$ok_url" data pol.tok 1.2.3.4.2 &&
	"$TOOL" check pol.tok data "$PKI/tsa-ca.pem" >out &&
	test_grep "^policy: 1.2.3.4.2$" out
'

test_expect_success 'a TSA that does not answer times out' '
	start_s=$(date +%s) &&
	test_must_fail --exit=2 "$TOOL" fetch "$hang_url" data x.tok "" 2 2>err &&
	test $(($(date +%s) - start_s)) -le 5 &&
	test_grep "time-stamp authority .$hang_url. did not answer within 2 s$" err
'

test_expect_success 'a TSA that answers with HTML is refused' '
	test_must_fail --exit=2 "$TOOL" fetch "$html_url" data x.tok 2>err &&
	test_grep "tsa_tool: .$html_url. did not answer with a time-stamp reply" err &&
	test_grep "actual=text/html" err &&
	url="http://127.0.0.1:$(cat html.port)/missing" &&
	test_must_fail --exit=2 "$TOOL" fetch "$url" data x.tok 2>err &&
	test_grep "tsa_tool: time-stamp authority .$url. answered with an HTTP error: .*code=404" err
'

test_expect_success 'the responder answers malformed queries with a rejection' '
	head -c 300 /dev/urandom >junk &&
	code=$(post --data-binary @junk -o junk.tsr -w "%{http_code} %{content_type}" "$own_url") &&
	test "$code" = "200 application/timestamp-reply" &&
	openssl ts -reply -in junk.tsr -text >out 2>&1 &&
	test_grep "^Status: Rejected" out &&
	test_grep "^Failure info: the data submitted has the wrong format" out
'

test_expect_success 'the responder refuses oversized queries, other methods and types' '
	head -c 100000 /dev/zero >big &&
	test "$(post --data-binary @big -o /dev/null -w "%{http_code}" "$own_url")" = 413 &&
	test "$(head -c 100000 /dev/zero | post -H "Transfer-Encoding: chunked" \
		--data-binary @- -o /dev/null -w "%{http_code}" "$own_url")" = 413 &&
	test "$(curl -s --noproxy "*" -o /dev/null -w "%{http_code}" "$own_url")" = 405 &&
	test "$(curl -s --noproxy "*" --data-binary @q.tsq -o /dev/null -w "%{http_code}" \
		"$own_url")" = 415 &&
	kill -0 "$(cat own.pid)" &&
	"$TOOL" fetch "$own_url" data again.tok
'

test_expect_success 'the responder serves 20 concurrent clients' '
	for i in $(seq 1 20); do post --data-binary @q.tsq -o c$i.tsr "$own_url" & done &&
	wait &&
	for i in $(seq 1 20); do
		openssl ts -verify -queryfile q.tsq -in c$i.tsr -CAfile "$PKI/tsa-ca.pem" \
			-untrusted "$PKI/tsa.pem" >out 2>&1 &&
		test_grep -q "^Verification: OK" out || exit 1
		serial_of_reply c$i.tsr
	done >serials &&
	test $(sort -u serials | wc -l) -eq 20
'

test_expect_success 'SIGTERM stops the responder cleanly; serial numbers go on after a restart' '
	kill -TERM "$(cat own.pid)" &&
	i=0 && while kill -0 "$(cat own.pid)" 2>/dev/null; do
		i=$((i + 1)) && test $i -lt 50 && sleep 0.1 || exit 1; done &&
	serial_of_token own.tok >before && serial_of_token again.tok >>before &&
	cat serials >>before &&
	{ scelle tsa -q --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" --serial-file serial \
		--listen 127.0.0.1:0 --port-file again.port & } &&
	pid=$! && echo $pid >again.pid &&
	i=0 && while [ ! -s again.port ]; do
		i=$((i + 1)) && test $i -lt 50 && sleep 0.1 || exit 1; done &&
	"$TOOL" fetch "http://127.0.0.1:$(cat again.port)/" data after.tok &&
	kill -TERM $pid && wait $pid &&
	after=$(printf %d "$(serial_of_token after.tok)") &&
	for s in $(cat before); do test "$after" -gt "$(printf %d "$s")" || exit 1; done &&
	test "$(cat serial)" = "$after"
'

test_expect_success 'scelle tsa: usage errors and setup errors' '
	test_must_fail --exit=2 scelle tsa --key "$PKI/tsa.key" 2>err &&
	test_grep "^scelle: --cert and --key are required$" err &&
	scelle tsa --help >out && test_grep "^usage: scelle tsa" out &&
	test_must_fail --exit=2 scelle tsa --cert "$PKI/tsa-noeku.pem" --key "$PKI/tsa-noeku.key" 2>err &&
	test_grep "needs the critical timeStamping extended key usage" err &&
	test_must_fail --exit=2 scelle tsa --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" \
		--listen 127.0.0.1:nope 2>err &&
	test_grep "^scelle: invalid listen address .127.0.0.1:nope." err &&
	test_must_fail --exit=2 scelle tsa --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" \
		--listen "127.0.0.1:$(cat ok.port)" 2>err &&
	test_grep "^scelle: cannot listen on .127.0.0.1:$(cat ok.port).: Address already in use$" err
'

test_done
