#!/bin/sh
# t06-build.sh — the Makefile itself: each object depends on the headers it includes (-MMD
# -MP), so that touching one header rebuilds its dependents only; `make V=1` shows the
# commands; a pkg-config package that is missing stops the build with its name, but only
# where a rule compiles (`make deps` must still run on a machine without it).
. "$(dirname "$0")/lib.sh"
# A build of its own, whatever B and the sanitizers of the calling make were.
unset MAKEFLAGS MFLAGS MAKELEVEL
BB="$T/build"
mk() { make -C "$TOP" B="$BB" SANITIZE= CFLAGS="-O0" "$@"; }
# the objects `make -n` would compile when FILE is newer than everything: sorted, one a line
rebuilt() { mk -n -W "$1" "$BB/scelle" "$BB/libscelle.a" | sed -n 's|.* -c -o \([^ ]*\.o\) .*|\1|p' | sed "s|^$BB/||" | sort; }
# the objects of the .c files that include HEADER, directly or through other headers
dependents() {
	hs=$(basename "$1") && new=$hs &&
	while [ -n "$new" ]; do
		more=$(cd "$TOP" && grep -lE "$(inc_re $new)" -r include src/lib src/cli --include="*.h" |
			xargs -r -n1 basename) &&
		new= && for h in $more; do
			case " $hs " in *" $h "*) ;; *) hs="$hs $h"; new="$new $h" ;; esac
		done
	done &&
	(cd "$TOP" && grep -lE "$(inc_re $hs)" -r src/lib src/cli --include="*.c") | sed 's/\.c$/.o/' | sort
}
# an ERE for an #include of any of the header names given
inc_re() { echo "#include *\"([^\"]*/)?($(echo "$@" | sed 's/\./\\./g; s/ /|/g'))\""; }

test_expect_success 'a build writes one dependency file per object' '
	{ mk -s -j2 "$BB/scelle" >build.log 2>&1 || { cat build.log; false; }; } &&
	n_o=$(find "$BB/src" -name "*.o" | wc -l) && n_d=$(find "$BB/src" -name "*.d" | wc -l) &&
	test "$n_o" -gt 20 && test "$n_o" = "$n_d" &&
	mk -q "$BB/scelle"
'

test_expect_success 'a header rebuilds the objects that include it, and no other' '
	n_o=$(find "$BB/src" -name "*.o" | wc -l) &&
	for h in $(cd "$TOP" && ls src/lib/*/*.h src/cli/*.h | grep -v banned.h); do
		rebuilt "$h" >got && dependents "$h" >want &&
		{ diff want got || { echo "for $h"; exit 1; }; } &&
		test "$(wc -l <got)" -lt "$n_o" || return 1
	done
'

test_expect_success 'the public header rebuilds (nearly) everything; a .c file only itself' '
	rebuilt include/scelle.h >all && test "$(wc -l <all)" -gt 20 &&
	rebuilt src/cli/main.c >one && echo src/cli/main.o >want && diff want one
'

test_expect_success 'an object without its dependency file depends on every header' '
	d=$(find "$BB/src/cli" -name "cmd_show.d") && test -n "$d" && mv "$d" "$d.kept" &&
	rebuilt src/lib/ops/xades.h >got && mv "$d.kept" "$d" &&
	test_grep "^src/cli/cmd_show.o$" got &&
	rebuilt src/lib/ops/xades.h >got && ! grep -q "^src/cli/cmd_show.o$" got
'

test_expect_success 'the default output is one line a file; V=1 shows the commands' '
	mk -W src/cli/main.c "$BB/scelle" >quiet.out 2>&1 &&
	test_grep "^  CC      src/cli/main.c$" quiet.out && ! grep -q -- "-c -o" quiet.out &&
	mk V=1 -W src/cli/main.c "$BB/scelle" >verbose.out 2>&1 &&
	test_grep -- " -MMD -MP -c -o $BB/src/cli/main.o src/cli/main.c$" verbose.out &&
	test_grep -- " -o $BB/scelle " verbose.out && ! grep -q "^  CC " verbose.out
'

test_expect_success 'a missing pkg-config package stops the build, named' '
	test_must_fail mk PKGS="zlib scelle-no-such-package" -W src/cli/main.c "$BB/src/cli/main.o" >miss.out 2>&1 &&
	test_grep "pkg-config does not know: scelle-no-such-package (install" miss.out &&
	! grep -q "zlib (" miss.out
'

test_expect_success 'but not before make deps has installed it (deps, clean, help do not ask)' '
	mk -n PKGS="zlib scelle-no-such-package" deps >deps.out 2>&1 &&
	test_grep "sh tests/deps.sh" deps.out &&
	mk -n PKGS="zlib scelle-no-such-package" clean >clean.out 2>&1
'
test_done
