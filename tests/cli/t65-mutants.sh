#!/bin/sh
# t65-mutants.sh — checks of the verifier that no other script made load-bearing: each test
# here kills mutants that `make mutate` (tests/mutate/mutate.py) found alive; the mutant is
# named above the test (file, mutation, the mutated line).
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
start_tsa || exit 2
test_expect_success 'setup' '
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	seal --tsa "$tsa_url" -o good.asice ev/chat-export
'

# verify.c scelle_verifier_new `if (!(v))`: the default --max-skew (600 s) is the library's.
test_expect_success 'a signing time 5 minutes after the time-stamp is within the default --max-skew' '
	LD_PRELOAD="$T/shift.so" CLOCKSHIFT_SECONDS=300 seal --tsa "$tsa_url" -o late.asice ev/chat-export &&
	verify late.asice > out && test_grep "^late.asice: TOTAL-PASSED$" out &&
	! grep "timestamp\.\(order\|skew\)" out &&
	expect_exit 1 verify --max-skew 200 late.asice > out &&
	test_grep "timestamp.order .*precedes the claimed signing time by 3[0-9][0-9] s" out
'

# zip_check.c report() `z->name_failures += strcmp(id, "container.names") != 0;`: a name
# problem must withhold the "names are safe" line.
test_expect_success 'an archive with an unsafe entry name never lists container.names as passed' '
	$ZE good.asice badname.asice add "evidence/../x.txt" ev/chat-export/_chat.txt &&
	expect_exit 1 verify -v badname.asice > out &&
	test_grep "FAILED *container.names *unsafe entry: .\.\.. in path" out &&
	! grep "passed *container.names" out
'

test_done
