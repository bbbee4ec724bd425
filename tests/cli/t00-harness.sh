#!/bin/sh
# t00-harness.sh — the harness itself can fail: a body whose middle command fails, a body
# not chained with &&, a failing loop iteration and a skipped prerequisite are reported as
# such, never as a silent "ok".
. "$(dirname "$0")/lib.sh"

# probe BODY: runs one test with BODY through lib.sh in a child shell; its TAP is in probe.out
probe() {
	printf '%s\n' ". \"$TOP/tests/cli/lib.sh\"" "test_expect_success probe '$1'" \
		'test_done' >"$T/probe.sh" &&
	(cd "$T" && B="$B" sh ./probe.sh >"$T/probe.out" 2>&1; true)
}

test_expect_success 'a chained body whose middle command fails is not ok' '
	probe "true &&
	false &&
	true" && test_grep "^not ok 1 - probe" probe.out
'
test_expect_success 'a body whose commands are not chained with && is refused' '
	probe "true
	false
	true" && test_grep "^not ok 1 - probe" probe.out &&
	test_grep "broken &&-chain" probe.out
'
test_expect_success 'a broken chain is found before anything in the body runs' '
	rm -f ran && probe "touch ran
	true" && test_grep "^not ok 1 - probe" probe.out && test ! -e "$T/ran"
'
test_expect_success 'a failing command inside a braced group fails the body (errexit honoured)' '
	probe "{ false; true; }" && test_grep "^not ok 1 - probe" probe.out
'
test_expect_success 'a passing body is ok, and test_done exits 0' '
	probe "true && test 1 = 1" && test_grep "^ok 1 - probe" probe.out &&
	test_grep "^1\.\.1$" probe.out
'
test_expect_success 'test_must_fail and expect_exit hold as the last command of a body' '
	probe "test_must_fail false" && test_grep "^ok 1 - probe" probe.out &&
	probe "expect_exit 3 sh -c \"exit 3\"" && test_grep "^ok 1 - probe" probe.out &&
	probe "test_must_fail true" && test_grep "^not ok 1 - probe" probe.out &&
	probe "expect_exit 3 true" && test_grep "^not ok 1 - probe" probe.out
'
test_expect_success 'a missing prerequisite is a TAP SKIP with its reason' '
	printf "%s\n" ". \"$TOP/tests/cli/lib.sh\"" \
		"test_skip_unless \"no such tool\" false" \
		"test_expect_success skipped false" "test_skip_end" \
		"test_expect_success after true" "test_done" > skip.sh &&
	B="$B" sh ./skip.sh > skip.out 2>&1 &&
	test_grep "^ok 1 # SKIP skipped (no such tool)$" skip.out &&
	test_grep "^ok 2 - after$" skip.out
'
test_done
