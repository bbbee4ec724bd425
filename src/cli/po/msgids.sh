#!/bin/sh
# msgids.sh [-a] — the template of the scelle catalogs (a .pot) on stdout: every msgid of
# the command (src/cli) and of the library (src/lib, looked up in the same "scelle" text
# domain, internal.h), so that one list serves the translators (`make pot`, then msgmerge)
# and t43-lang, which fails on any of these English strings left in a fr or es output.
# -a: every string literal, marked or not (what t43 looks for).
cd "$(dirname "$0")/../../.." || exit 2
all=
[ "$1" = -a ] && all=-a
# the formatting functions of the library and the command, with their format argument
exec env LC_ALL=C.UTF-8 xgettext $all --from-code=UTF-8 --sort-by-file -o - \
	-k_ -kN_ -kL_ -kngettext:1,2 -kdngettext:2,3 -kerror -kwarning \
	-kscerr_set:3 -kscerr_ssl:3 -kresult_check:6 -kfail:3 -kwalk_fail:3 -kstamp_fail:3 -kverdict:4 \
	-kreport:4 -krd_fail:2 -knote:4 -kflag:6 -kledger_fail:3 -ksealer_warn:2 -ksealer_warn_hint:3 \
	-ksigner_warn:2 -ksigner_warn_hint:3 -kvfail:3 \
	src/cli/*.c src/lib/*/*.c
