# lib.sh — TAP helpers for the CLI tests, after git's t/test-lib.sh.  Source it, then call
# test_expect_success 'description' 'commands', and test_done at the end.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
SCELLE="$B/scelle"
PATH="$B:$PATH"
T=$(mktemp -d "${TMPDIR:-/tmp}/scelle-test.XXXXXX")
PKI="$T/pki"
test_count=0
test_failures=0
# start_server NAME command... — runs a server in the background that writes its port to
# NAME.port; sets ${NAME}_url to http://127.0.0.1:PORT/tsa.  Servers stop when the test ends.
start_server() {
	name=$1; shift
	rm -f "$T/$name.port"
	"$@" >"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	i=0
	while [ ! -s "$T/$name.port" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$T/$name.pid")" 2>/dev/null; then
			echo "server $name did not start" >&2; cat "$T/$name.log" >&2; return 1
		fi
		sleep 0.1
	done
	eval "${name}_url=http://127.0.0.1:\$(cat "$T/$name.port")/tsa"
}
stop_servers() { for p in "$T"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done; }
# A local RFC 3161 responder (scelle tsa) with the test PKI: sets tsa_url.
start_tsa() {
	start_server tsa scelle tsa -q --cert "$PKI/tsa.pem" --key "$PKI/tsa.key" \
		--listen 127.0.0.1:0 --port-file "$T/tsa.port"
}
# The servers are on loopback: no proxy may get in between.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
cleanup() { stop_servers; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 2

# test_expect_success 'description' 'body' — runs the body in a subshell with errexit honoured
# (not inside an `if`, where the shell ignores `set -e`), after a chain lint as git's
# t/test-lib.sh has it: `(exit 117) && BODY` must return 117 without running anything, so a
# body whose commands are not all joined by && is refused, not half-run.  A loop in a body
# says `|| return 1` (or `|| exit 1`) itself: errexit does not reach into an && list.
test_expect_success() {
	test_count=$((test_count + 1))
	if [ -n "${test_skip_reason:-}" ]; then
		echo "ok $test_count # SKIP $1 ($test_skip_reason)"
		return 0
	fi
	(eval "(exit 117) && $2") >"$T/.out" 2>&1
	lint=$?
	if [ "$lint" -ne 117 ]; then
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		echo "#   broken &&-chain in the test body (a command not joined by &&, status $lint)"
		sed 's/^/#   /' "$T/.out"
		return 0
	fi
	# a plain command, not part of an && or || list: there too the shell would ignore set -e
	(set -e; eval "$2") >"$T/.out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$T/.out"
	fi
}

# test_skip_unless REASON COMMAND... — the tests that follow (until test_skip_end) are reported
# as TAP "ok N # SKIP" with REASON when COMMAND fails: a prerequisite checked, never a silent ok.
test_skip_unless() {
	reason=$1; shift
	if "$@" >/dev/null 2>&1; then test_skip_reason=; else test_skip_reason=$reason; fi
}
test_skip_end() { test_skip_reason=; }

# Runs a command that must fail with a non-zero status that is not a crash (>= 128 is a
# signal: a crash is never an acceptable failure).  With --exit=N, the status must be N.
test_must_fail() {
	want=
	case "$1" in --exit=*) want=${1#--exit=}; shift ;; esac
	rc=0
	"$@" || rc=$?
	if [ $rc -eq 0 ]; then echo "test_must_fail: '$*' succeeded" >&2; return 1; fi
	if [ $rc -ge 128 ]; then echo "test_must_fail: '$*' died by signal ($rc)" >&2; return 1; fi
	if [ -n "$want" ] && [ $rc -ne "$want" ]; then
		echo "test_must_fail: '$*' exited $rc, expected $want" >&2; return 1
	fi
	return 0
}

# Exit status must be exactly N: expect_exit N cmd...
expect_exit() {
	want=$1; shift
	rc=0
	"$@" || rc=$?
	[ $rc -eq "$want" ] || { echo "expect_exit: '$*' exited $rc, expected $want" >&2; return 1; }
}

# grep that prints the file on failure.
test_grep() {
	file=$(eval echo "\${$#}")
	grep "$@" || { echo "test_grep: no match for '$*' in:" >&2; cat "$file" >&2; return 1; }
}

# Make the test PKI once per script: a root CA, an officer, a TSA, another CA.
make_pki() { sh "$TOP/tests/pki.sh" "$PKI" >/dev/null 2>&1 || { echo "cannot make test PKI" >&2; exit 2; }; }

test_done() {
	echo "1..$test_count"
	[ "$test_failures" -eq 0 ]
}
