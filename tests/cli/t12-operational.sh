#!/bin/sh
# t12-operational.sh — an archive or a ledger that cannot be read is an operational error:
# exit 2 and "scelle: cannot open 'x': reason", never TOTAL-FAILED (exit 1), which a batch
# script reads as tampering.  A FIFO at either path is refused at once, never waited on:
# every command runs under a timeout, so a hang fails the test (timeout exits 124).
. "$(dirname "$0")/lib.sh"
make_pki
TSA=http://127.0.0.1:9/tsa	# never asked: every case stops before
t() { timeout 20 scelle "$@"; }
trust="--trust $PKI/ca.pem --no-timestamp-ok"
# every command that reads an archive, on ARCHIVE: the status and the first line of stderr
each() { # archive want-status want-message
	for cmd in "verify $trust" "show" "show --json" "extract $trust -C out" \
		"stamp --tsa $TSA -o st.asice" "custody show $trust" \
		"custody add --key $PKI/officer.key --cert $PKI/officer.pem --event examined"; do
		rc=0
		# shellcheck disable=SC2086
		t $cmd "$1" > out.txt 2> err || rc=$?
		[ "$rc" = "$2" ] || { echo "scelle $cmd '$1': exit $rc, expected $2" >&2; cat err >&2; return 1; }
		[ "$(cat err)" = "$3" ] || { echo "scelle $cmd '$1' said:" >&2; cat err >&2; return 1; }
		[ ! -s out.txt ] || { echo "scelle $cmd '$1' wrote on stdout:" >&2; cat out.txt >&2; return 1; }
		[ ! -e out ] && [ ! -e st.asice ] || { echo "scelle $cmd '$1' wrote output" >&2; return 1; }
	done
}

test_expect_success 'setup: a good archive, a tampered one' '
	mkdir ev && echo "note" > ev/note.txt &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" -o good.asice ev &&
	cp good.asice bad.asice && python3 "$TOP/tests/data/zipedit.py" good.asice bad.asice flip evidence/ev/note.txt &&
	expect_exit 0 t verify $trust good.asice && expect_exit 1 t verify $trust bad.asice
'
test_expect_success 'a missing archive: exit 2, cannot open, for every command' '
	each missing.asice 2 "scelle: cannot open '\''missing.asice'\'': No such file or directory"
'
test_expect_success 'a folder: exit 2, for every command' '
	mkdir folder.asice &&
	each folder.asice 2 "scelle: cannot open '\''folder.asice'\'': it is a folder"
'
test_expect_success 'a FIFO at the archive path: refused at once by every command' '
	mkfifo fifo.asice &&
	each fifo.asice 2 "scelle: cannot open '\''fifo.asice'\'': it is a FIFO"
'
test_expect_success 'a FIFO at the ledger path: refused at once by every command' '
	cp good.asice lf.asice && mkfifo lf.asice.custody.xml &&
	each lf.asice 2 "scelle: cannot open '\''lf.asice.custody.xml'\'': it is a FIFO"
'
test_expect_success 'a folder at the ledger path, or a --ledger that is not there: exit 2' '
	cp good.asice ld.asice && mkdir ld.asice.custody.xml &&
	each ld.asice 2 "scelle: cannot open '\''ld.asice.custody.xml'\'': it is a folder" &&
	expect_exit 2 t verify $trust --ledger nowhere.xml good.asice 2> err &&
	test_grep -Fx "scelle: cannot open '\''nowhere.xml'\'': No such file or directory" err
'
test_skip_unless "permissions do not bind root" test "$(id -u)" != 0
test_expect_success 'an unreadable archive or ledger: exit 2' '
	cp good.asice ur.asice && chmod 000 ur.asice &&
	each ur.asice 2 "scelle: cannot open '\''ur.asice'\'': Permission denied" &&
	cp good.asice ul.asice && cp good.asice.custody.xml ul.asice.custody.xml && chmod 000 ul.asice.custody.xml &&
	expect_exit 2 t verify $trust ul.asice 2> err &&
	test_grep -Fx "scelle: cannot open '\''ul.asice.custody.xml'\'': Permission denied" err
'
test_skip_end
test_expect_success 'no ledger beside the archive is no error: verify passes' '
	cp good.asice alone.asice && expect_exit 0 t verify $trust alone.asice > out.txt &&
	test_grep "no custody ledger beside the archive" out.txt
'
test_expect_success 'several archives: every one is verified; TOTAL-FAILED over an error over the rest' '
	expect_exit 2 t verify $trust good.asice missing.asice > out.txt 2> err &&
	test_grep -Fx "good.asice: TOTAL-PASSED" out.txt &&
	test_grep -Fx "2 archives: 1 passed, 0 failed, 0 indeterminate, 1 not read" out.txt &&
	test_grep -Fx "scelle: cannot open '\''missing.asice'\'': No such file or directory" err &&
	expect_exit 1 t verify $trust fifo.asice bad.asice good.asice > out.txt 2> err &&
	test_grep -Fx "bad.asice: TOTAL-FAILED" out.txt && test_grep -Fx "good.asice: TOTAL-PASSED" out.txt &&
	test_grep -Fx "3 archives: 1 passed, 1 failed, 0 indeterminate, 1 not read" out.txt &&
	expect_exit 3 t verify --no-timestamp-ok good.asice > out.txt &&
	expect_exit 2 t verify --no-timestamp-ok good.asice folder.asice > out.txt 2> err
'
test_done
