#!/bin/sh
# t83-install.sh — `make install` / `make uninstall` with PREFIX and DESTDIR, from a clean
# build of its own: the tool, libscelle.so with its soname exporting only scelle_*, the
# static library, the header, scelle.pc, the manual pages and the bash completion; then
# examples/seal_and_verify.c is built against the installed tree with pkg-config, shared and
# static, and run.
. "$(dirname "$0")/lib.sh"
make_pki
# A build of its own, whatever B and the sanitizers of the calling make were.
unset MAKEFLAGS MFLAGS MAKELEVEL
ROOT="$T/root"
PREFIX=/opt/scelle
mk() { make -s -C "$TOP" B="$T/build" SANITIZE= CFLAGS="-O2 -g" PREFIX=$PREFIX DESTDIR="$ROOT" "$@"; }
PC() { PKG_CONFIG_PATH="$ROOT$PREFIX/lib/pkgconfig" pkg-config --define-prefix "$@"; }

test_expect_success 'make install puts every file under DESTDIR/PREFIX' '
	{ mk install >install.log 2>&1 || { cat install.log; false; }; } &&
	for f in bin/scelle lib/libscelle.so.0 lib/libscelle.so lib/libscelle.a \
		lib/pkgconfig/scelle.pc include/scelle.h share/man/man1/scelle.1 \
		share/man/man3/libscelle.3 share/bash-completion/completions/scelle; do
		test -e "$ROOT$PREFIX/$f" || { echo "missing $f"; exit 1; }
	done &&
	test -x "$ROOT$PREFIX/bin/scelle" &&
	test -L "$ROOT$PREFIX/lib/libscelle.so" &&
	test "$(find "$ROOT" -type f | grep -v "^$ROOT$PREFIX/" | wc -l)" -eq 0
'

test_expect_success 'the shared library has the soname libscelle.so.0' '
	readelf -d "$ROOT$PREFIX/lib/libscelle.so" >dyn &&
	test_grep "(SONAME) *Library soname: \[libscelle.so.0\]" dyn
'

test_expect_success 'the shared library exports the public API and nothing else' '
	nm -D --defined-only "$ROOT$PREFIX/lib/libscelle.so" | awk "{print \$3}" | sort >exported &&
	sed -n "s/^SCELLE_API[^(]*[ *]\(scelle_[a-z0-9_]*\)(.*/\1/p" "$TOP/include/scelle.h" | sort >api &&
	test -s api &&
	diff api exported
'

test_expect_success 'scelle.pc gives the installed paths under --define-prefix' '
	test "$(PC --modversion scelle)" = "$("$ROOT$PREFIX/bin/scelle" --version | cut -d" " -f2)" &&
	PC --cflags scelle >cflags && test_grep -- "-I$ROOT$PREFIX/include" cflags &&
	PC --libs scelle >libs && test_grep -- "-L$ROOT$PREFIX/lib -lscelle" libs &&
	test_grep "^prefix=$PREFIX\$" "$ROOT$PREFIX/lib/pkgconfig/scelle.pc"
'

test_expect_success 'examples/seal_and_verify.c builds against the installed shared library' '
	cc -std=c11 -Wall -Wextra -Werror $(PC --cflags scelle) -o sav_shared \
		"$TOP/examples/seal_and_verify.c" $(PC --libs scelle) &&
	LD_LIBRARY_PATH="$ROOT$PREFIX/lib" ldd ./sav_shared >ldd &&
	test_grep "libscelle.so.0 => $ROOT$PREFIX/lib/libscelle.so.0" ldd &&
	mkdir -p in && echo "ad text" >in/ad.txt &&
	LD_LIBRARY_PATH="$ROOT$PREFIX/lib" SCELLE_EXAMPLE_CRL="$PKI/ca.crl" ./sav_shared "$PKI/officer.key" "$PKI/officer.pem" \
		"$PKI/ca.pem" shared.asice in >out &&
	test_grep "^verdict TOTAL-PASSED$" out &&
	"$SCELLE" verify -q --no-timestamp-ok --trust "$PKI/ca.pem" shared.asice
'

# The tool uses the public API only (cmd_tsa.c once reached into the library's internals):
# its sources build against the installed header and shared library, with no -Isrc/lib, and
# the binary serves and checks a time-stamp.  cli.h's banned.h is the one file it borrows.
test_expect_success 'the scelle tool builds against the installed shared library and runs' '
	mkdir -p cliinc && cp "$TOP/src/lib/base/banned.h" cliinc/ &&
	{ cc -std=c11 -D_GNU_SOURCE -DSCELLE_VERSION="\"x\"" -DLOCALEDIR="\"$T\"" \
		-DINSTALL_LOCALEDIR="\"$T\"" -Wall -Werror -Icliinc $(PC --cflags scelle) \
		-o scelle_shared "$TOP"/src/cli/*.c $(PC --libs scelle) \
		$(pkg-config --libs libmicrohttpd libcrypto) -pthread 2>cc.err ||
		{ cat cc.err; false; }; } &&
	LD_LIBRARY_PATH="$ROOT$PREFIX/lib" ldd ./scelle_shared >ldd &&
	test_grep "libscelle.so.0 => $ROOT$PREFIX/lib/libscelle.so.0" ldd &&
	! nm scelle_shared | grep -q " T scelle_" &&
	v=$(LD_LIBRARY_PATH="$ROOT$PREFIX/lib" ./scelle_shared --version) &&
	test "$v" = "$("$ROOT$PREFIX/bin/scelle" --version)" &&
	start_server st env LD_LIBRARY_PATH="$ROOT$PREFIX/lib" ./scelle_shared tsa -q \
		--cert "$PKI/tsa.pem" --key "$PKI/tsa.key" --listen 127.0.0.1:0 --port-file "$T/st.port" &&
	LD_LIBRARY_PATH="$ROOT$PREFIX/lib" ./scelle_shared seal -q --key "$PKI/officer.key" \
		--cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" --tsa "$st_url" -o ts.asice in &&
	"$SCELLE" verify -q --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" ts.asice
'

# libscelle.a with the system libraries shared (Debian ships no static libacl, libzstd...,
# which `pkg-config --static` would ask for through libarchive).
test_expect_success 'and with the static library' '
	cc -std=c11 -Wall -Wextra -Werror $(PC --cflags scelle) -o sav_static \
		"$TOP/examples/seal_and_verify.c" "$ROOT$PREFIX/lib/libscelle.a" \
		$(pkg-config --libs $(PC --print-requires-private scelle)) \
		$(sed -n "s/^Libs.private: //p" "$ROOT$PREFIX/lib/pkgconfig/scelle.pc") &&
	! ldd ./sav_static | grep -q libscelle &&
	SCELLE_EXAMPLE_CRL="$PKI/ca.crl" ./sav_static "$PKI/officer.key" "$PKI/officer.pem" "$PKI/ca.pem" static.asice in >out &&
	test_grep "^verdict TOTAL-PASSED$" out
'

test_expect_success 'the installed manual pages and completion work' '
	mandoc -Tascii "$ROOT$PREFIX/share/man/man1/scelle.1" 2>/dev/null | col -bx | grep -q "^EXIT STATUS" &&
	bash -c ". \"$ROOT$PREFIX/share/bash-completion/completions/scelle\" &&
		COMP_WORDS=(\"$ROOT$PREFIX/bin/scelle\" ver); COMP_CWORD=1;
		_scelle \"$ROOT$PREFIX/bin/scelle\" ver ver; echo \"\${COMPREPLY[@]}\"" >compl &&
	test "$(cat compl)" = verify &&
	bash -c ". \"$ROOT$PREFIX/share/bash-completion/completions/scelle\" &&
		COMP_WORDS=(\"$ROOT$PREFIX/bin/scelle\" seal --tsa-t); COMP_CWORD=2;
		_scelle \"$ROOT$PREFIX/bin/scelle\" --tsa-t seal; echo \"\${COMPREPLY[@]}\"" >compl &&
	test "$(cat compl)" = "--tsa-timeout"
'

test_expect_success 'make uninstall removes every installed file' '
	mk uninstall >/dev/null &&
	test "$(find "$ROOT" -type f -o -type l | wc -l)" -eq 0
'
test_done
