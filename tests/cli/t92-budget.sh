#!/bin/sh
# t92-budget.sh — what a hostile sender can make the machine spend (issue 18): each input is
# crafted here by tests/data/hostile.py at the size that was quadratic or unbounded, and
# must end in under 2 s within 256 MiB of memory, or with a clear budget message.  Each
# test's name gives the measured figure before the fix.
. "$(dirname "$0")/lib.sh"
make_pki

H="$TOP/tests/data/hostile.py"
SEAL="scelle seal -q --key $PKI/officer.key --cert $PKI/officer.pem"
# within SECONDS MIB cmd...: runs cmd (its exit status is kept), then fails when it took
# SECONDS or more of wall time or more than MIB MiB of memory; says the figures on stderr.
within() {
	secs=$1 mib=$2; shift 2
	rc=0
	/usr/bin/time -f '%e %M' -o "$T/time.out" "$@" || rc=$?
	set -- $(tail -1 "$T/time.out")
	echo "# measured: $1 s, $(( $2 / 1024 )) MiB" >&2
	awk -v s="$1" -v m="$2" -v S="$secs" -v M="$mib" 'BEGIN { exit !(s < S && m <= M * 1024) }' || {
		echo "# over budget: $1 s (limit $secs s), $2 KiB (limit $mib MiB)" >&2; return 1; }
	return $rc
}

echo evidence > a.txt

test_expect_success 'verify: 1,000 names of 2,000 combining marks (8 MB) in < 2 s (was 9 s)' '
	python3 "$H" marks marks.zip 1000 &&
	expect_exit 1 within 2 256 scelle verify marks.zip > out &&
	test_grep "TOTAL-FAILED" out
'

test_expect_success 'seal: a 4 MiB WhatsApp export, a new sender a line, in < 2 s (was 33.7 s)' '
	mkdir chat && python3 "$H" chat chat/_chat.txt 4 &&
	within 2 256 $SEAL -o chat.asice chat/_chat.txt &&
	unzip -p chat.asice evidence.xml > chat.xml &&
	test_grep "<chatExport app=\"whatsapp\" participants=\"100000\" messages=\"1[0-9]*\"" chat.xml
'

test_expect_success '--item-info of 100,000 rows: the repeated path found in < 2 s (was 71 s)' '
	python3 "$H" iteminfo rows.csv 100000 &&
	test_must_fail --exit=2 within 2 256 $SEAL -o rows.asice --item-info rows.csv a.txt 2> err &&
	test_grep -F "scelle: item info '\''rows.csv'\'' line 100002: a path listed twice" err
'

# A FIFO without a writer blocked seal for ever: each case ends at once with a message
# (timeout 10 turns a hang of the old code into a failure).
cc -shared -fPIC -o swap.so "$TOP/tests/data/grow_on_read.c" -ldl || exit 2
test_expect_success 'seal: a FIFO swapped in for an item after the walk is refused (hung for ever)' '
	mkdir sw && echo a > sw/a.txt && echo b > sw/b.txt &&
	test_must_fail --exit=2 within 10 256 env GROW_FILE=a.txt FIFO_AFTER=sw/b.txt \
		LD_PRELOAD="$T/swap.so" timeout 10 $SEAL -o sw.asice sw 2> err &&
	test_grep -F "scelle: cannot seal '\''sw/b.txt'\'': it is a FIFO" err && test ! -e sw.asice
'
test_expect_success 'seal: --key FIFO and --pass file:FIFO are refused (hung for ever)' '
	mkfifo key.fifo pass.fifo &&
	test_must_fail --exit=2 within 10 256 timeout 10 scelle seal -q --key key.fifo \
		--cert "$PKI/officer.pem" -o k.asice a.txt 2> err &&
	test_grep -F "scelle: cannot load the key '\''key.fifo'\'': it is a FIFO" err &&
	test_must_fail --exit=2 within 10 256 timeout 10 scelle seal -q --key "$PKI/officer-enc.key" \
		--pass file:pass.fifo --cert "$PKI/officer.pem" -o k.asice a.txt 2> err &&
	test_grep -F "scelle: cannot read a pass phrase from '\''pass.fifo'\'': not a regular file (use fd:N for a pipe)" err &&
	test ! -e k.asice
'

test_done
