#!/bin/sh
# run.sh — runs every unit test binary and CLI TAP script, prints a summary per file and the
# closing line "N passed, N failed, N skipped" (a TAP "ok N # SKIP" counts as skipped).  Run by `make check` (B=build) and `make check-asan`.
top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
cd "$top" || exit 2
passed=0 failed=0 skipped=0 bad_files=
log=$(mktemp)
run_one() { # name command...
	name=$1; shift
	"$@" >"$log" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$log")
	s=$(grep -c '^ok [0-9]* # SKIP' "$log")
	p=$((p - s))
	f=$(grep -c '^not ok ' "$log")
	plan=$(grep -c '^1\.\.[0-9]' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # died without reporting
	[ "$plan" -eq 0 ] && [ "$f" -eq 0 ] && f=1            # no plan: did not finish
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -ne 0 ]; then
		printf '%-40s %3d ok, %d FAILED\n' "$name" "$p" "$f"
		grep -E '^not ok|^#' "$log" | head -60
		[ "$rc" -ne 0 ] && tail -20 "$log"
		bad_files="$bad_files $name"
	else
		if [ "$s" -ne 0 ]; then printf '%-40s %3d ok, %d skipped\n' "$name" "$p" "$s"
		else printf '%-40s %3d ok\n' "$name" "$p"; fi
	fi
}
for t in "$B"/tests/unit/test_*; do
	[ -x "$t" ] && run_one "unit/${t##*/}" "$t"
done
for t in tests/cli/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	if [ -n "${ONLY:-}" ]; then case "$t" in *$ONLY*) ;; *) continue ;; esac; fi
	run_one "cli/${t##*/}" env B="$B" sh "$t"
done
rm -f "$log"
[ -n "$bad_files" ] && echo "failed:$bad_files"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
