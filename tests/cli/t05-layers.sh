#!/bin/sh
# t05-layers.sh — the architecture of src/lib stays as drawn (tests/layers.py): every module
# in a layer (base, container, crypto, evidence, operations), no cycle between modules, no
# include or call that goes up a layer; and the check fails when one is added.
. "$(dirname "$0")/lib.sh"

layers() { python3 "$TOP/tests/layers.py" "$@"; }

test_expect_success 'src/lib: every module in a layer, no cycle, nothing goes up a layer' '
	layers --check >out &&
	test "$(grep -c "^ok " out)" -eq 3
'

# A copy of src/lib with one defect, which the check must name.
broken() {	# file line
	rm -rf lib && cp -R "$TOP/src/lib" lib &&
	sed -i "0,/^#include \"/s//$2\n&/" "lib/$1"
}

test_expect_success 'an include that goes up a layer fails the check, naming the edge' '
	broken base/util.c "#include \"verify_ctx.h\"" &&
	test_must_fail layers --check --lib lib >out &&
	test_grep "^not ok 3 " out &&
	test_grep "util (base) -> verify_ctx (ops): #include \"verify_ctx.h\"" out
'

test_expect_success 'a call that goes up a layer fails it too' '
	broken container/zip_writer.c "static void up(void) { (void)ledger_path_for(\"x\"); }" &&
	test_must_fail layers --check --lib lib >out &&
	test_grep "zip_writer (container) -> ledger (evidence): ledger_path_for()" out
'

test_expect_success 'a cycle within a layer fails the check, naming its modules' '
	broken ops/seal.c "static void cyc(void) { (void)verify_docs; }" &&
	sed -i "0,/^#include \"/s//static void cyc(void) { (void)scelle_sealer_new; }\n&/" lib/ops/verify.c &&
	test_must_fail layers --check --lib lib >out &&
	test_grep "^not ok 2 " out &&
	test_grep "cycle: .*seal.*verify" out
'

test_expect_success 'a module left out of the map fails the check' '
	broken base/util.c "" && echo "int stray(void);" >lib/stray.h &&
	test_must_fail layers --check --lib lib >out &&
	test_grep "not in a layer: stray" out
'

test_done
