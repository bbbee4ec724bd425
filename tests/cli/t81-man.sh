#!/bin/sh
# t81-man.sh — the manual pages: mandoc -Tlint finds no warning or error in scelle.1 and
# libscelle.3; every option of `scelle --help` and of each `scelle CMD --help` is listed in
# scelle.1 (in the ".Ss scelle CMD" section), and every option listed there exists; every
# SCELLE_API function of scelle.h is documented in libscelle.3 and the reverse.
. "$(dirname "$0")/lib.sh"
MAN1="$TOP/src/cli/scelle.1"
MAN3="$TOP/src/lib/libscelle.3"

# -Wwarning: warnings and errors fail; style notes (a manual not installed here) do not.
for page in "$MAN1" "$MAN3"; do
	test_expect_success "mandoc -Tlint finds nothing wrong in ${page##*/}" '
		{ mandoc -Tlint -Wwarning "$page" >lint 2>&1 ||
		{ grep -v "outdated mandoc.db" lint; false; }; }
	'
done

test_expect_success 'scelle --help and scelle.1 agree on the commands and global options' '
	python3 "$TOP/tests/data/mancheck.py" "$SCELLE" "$MAN1"
'

for cmd in $("$SCELLE" --help | sed -n "/^commands:/,/^\$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p"); do
	test_expect_success "scelle $cmd --help and scelle.1 list the same options" '
		python3 "$TOP/tests/data/mancheck.py" "$SCELLE" "$MAN1" "$cmd"
	'
done

test_expect_success 'the option check notices an undocumented option and a stale one' '
	sed "/^\.It Fl -place/d; s/^\.It Fl -role/.It Fl -rank/" "$MAN1" >bad.1 &&
	test_must_fail --exit=1 python3 "$TOP/tests/data/mancheck.py" "$SCELLE" bad.1 seal >out &&
	test_grep "^seal: --place is in .scelle seal --help. but not in bad.1$" out &&
	test_grep "^seal: --role is in .scelle seal --help. but not in bad.1$" out &&
	test_grep "^seal: --rank is in bad.1 but not in .scelle seal --help.$" out
'

test_expect_success 'every public function is in libscelle.3, and only those' '
	python3 "$TOP/tests/data/apicheck.py" "$TOP/include/scelle.h" "$MAN3"
'

test_expect_success 'the API check notices an undocumented function' '
	sed "/^\.Fn scelle_result_get /d; /^\.Fn scelle_result_get\$/d" "$MAN3" >bad.3 &&
	test_must_fail --exit=1 python3 "$TOP/tests/data/apicheck.py" "$TOP/include/scelle.h" bad.3 >out &&
	test_grep "^scelle_result_get is in .*scelle.h but not in bad.3$" out
'

test_expect_success 'scelle.1 renders with the documented exit statuses' '
	mandoc -Tascii "$MAN1" 2>/dev/null | col -bx >man.txt &&
	test_grep "^EXIT STATUS" man.txt &&
	test_grep "^ *3 *Integrity holds but trust cannot be concluded" man.txt &&
	for s in ENVIRONMENT FILES EXAMPLES STANDARDS; do test_grep -q "^$s" man.txt || exit 1; done
'
test_done
