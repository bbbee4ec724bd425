#!/bin/sh
# t62-fuzz-regress.sh — every fuzz target, built as an ordinary program (tests/fuzz/replay.c),
# replays its seed corpus and every input a fuzzer once crashed on (tests/fuzz/regress/):
# under `make check-asan` these run with ASan, UBSan and LeakSanitizer.
. "$(dirname "$0")/lib.sh"
make_pki
export SCELLE_FUZZ_PKI="$PKI"	# the TSA key of fuzz_tsa_request

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	name=${t#fuzz_}
	test_expect_success "$t replays its seeds and kept crash inputs" '
		bin="$B/tests/fuzz/$t" && test -x "$bin" &&
		set -- "$TOP/tests/fuzz/corpus/$name" &&
		if [ -d "$TOP/tests/fuzz/regress/$name" ]; then set -- "$@" "$TOP/tests/fuzz/regress/$name"; fi &&
		"$bin" "$@" > out 2>&1 &&
		n=$(sed -n "s/^\([0-9]*\) inputs replayed$/\1/p" out) && test "$n" -ge 1
	'
done
test_expect_success 'a kept crash input is really replayed: a missing file fails the run' '
	test_must_fail "$B/tests/fuzz/fuzz_evidence" "$T/no-such-input" 2> err &&
	test_grep "cannot open" err
'
test_done
