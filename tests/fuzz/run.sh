#!/bin/sh
# run.sh [SECONDS] — runs every libFuzzer target in build-fuzz/fuzz/ for SECONDS (default
# 60) of wall time, starting from the committed seeds (tests/fuzz/corpus/<name>/) and the
# kept crash inputs (tests/fuzz/regress/<name>/).  Prints the executions and the CPU time
# each target used; fails if any target found a crash, a leak or a timeout, whose input is
# then left in build-fuzz/crashes/ (keep it under tests/fuzz/regress/<name>/ once fixed).
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
cd "$top" || exit 2
mkdir -p build-fuzz/crashes
# fuzz_tsa_request signs with the TSA key of a test PKI.
sh tests/pki.sh build-fuzz/pki >/dev/null 2>&1 || { echo "cannot make the test PKI" >&2; exit 2; }
export SCELLE_FUZZ_PKI="$top/build-fuzz/pki"
bad=0
for bin in build-fuzz/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	work=build-fuzz/corpus/$name
	mkdir -p "$work"
	for d in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do
		[ -d "$d" ] && cp "$d"/* "$work"/ 2>/dev/null
	done
	log=build-fuzz/$name.log
	# GNU time writes the CPU seconds (user + system) as the last line of the log.
	ASAN_OPTIONS=detect_leaks=1 /usr/bin/time -f 'cpu %U %S' "$bin" -max_total_time="$secs" \
		-max_len=1048576 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/crashes/$name-" "$work" >"$log" 2>&1
	rc=$?
	cpu=$(awk '$1 == "cpu" { printf "%.0f", $2 + $3 }' "$log")
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc -ne 0 ]; then
		bad=1
		echo "fuzz_$name: FAILED (exit $rc) after ${runs:-?} runs; see $log"
		grep -m5 -E 'ERROR|SUMMARY|Test unit written' "$log"
	else
		echo "fuzz_$name: ${runs:-?} runs, ${cpu:-?} CPU seconds, 0 crashes"
	fi
done
exit $bad
