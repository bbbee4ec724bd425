#!/bin/sh
# t64-forger.sh — forgeries made without the officer's key (issue 16): unsigned data added
# to the signature, tricks in the container and the ledger.  Each must not be TOTAL-PASSED,
# and text, JSON, the HTML report, extract and stamp must all refuse it alike.
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
start_tsa || exit 2
ZE="python3 $TOP/tests/data/zipedit.py"
ZH="python3 $TOP/tests/data/ziphack.py"
HTML=evidence/ad-capture/ad-4711.html
TST="python3 $TOP/tests/data/tstoken.py"
SIG=META-INF/signature001.p7s
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
seal --tsa "$tsa_url" -o bt.asice ev/ad-capture
mkdir x && (cd x && unzip -q ../bt.asice) && $TST x/$SIG x > /dev/null

# refused ARCHIVE CHECK PATTERN [VERIFY-OPTION]: TOTAL-FAILED (exit 1) in the text, with
# CHECK failed for PATTERN; the same verdict in the JSON and the HTML report; extract and
# stamp refuse it.
refused() {
	expect_exit 1 verify ${4:-} "$1" > "$1.out" && test_grep "^$1: TOTAL-FAILED$" "$1.out" &&
	test_grep -e "FAILED  *$2  *.*$3" "$1.out" &&
	expect_exit 1 verify ${4:-} --json "$1" > "$1.json" &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="TOTAL-FAILED", d["verdict"]' "$1.json" &&
	expect_exit 1 verify ${4:-} --report "$1.html" "$1" > /dev/null &&
	test_grep -q "TOTAL-FAILED" "$1.html" && ! grep -q "TOTAL-PASSED" "$1.html" &&
	test_must_fail --exit=1 scelle extract -q -C "$1.d" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" ${4:-} "$1" 2> /dev/null &&
	test ! -e "$1.d/ad-capture" &&
	test_must_fail --exit=2 scelle stamp -q --tsa "$tsa_url" -o "$1.st" "$1" 2> /dev/null && test ! -e "$1.st"
}

test_expect_success 'the time-stamped archive the forgeries start from verifies' '
	verify bt.asice > out && test_grep "^bt.asice: TOTAL-PASSED$" out
'
test_expect_success 'a second value beside the token in its attribute is not carried along unjudged' '
	printf "\004\001\000" > junk.der && cat x/token1.der junk.der > two.der &&
	$TST --graft x/$SIG two.der two.p7s > /dev/null && $ZE bt.asice two.asice replace $SIG two.p7s &&
	refused two.asice timestamp.token "attribute holds 2 values"
'
test_expect_success 'a signature-time-stamp attribute that holds no token fails (not skipped)' '
	printf "\004\001\000" > junk.der &&
	$TST --graft x/$SIG junk.der oct.p7s > /dev/null && $ZE bt.asice oct.asice replace $SIG oct.p7s &&
	refused oct.asice timestamp.token "time-stamp 1 is not an RFC 3161 token" --no-timestamp-ok &&
	: > empty.der && $TST --graft x/$SIG empty.der empty.p7s > /dev/null &&
	$ZE bt.asice empty.asice replace $SIG empty.p7s &&
	refused empty.asice timestamp.token "attribute holds 0 values" --no-timestamp-ok
'
# A symbolic link behind another host number: "version made by" Atari (5) or macOS (19)
# with the Unix mode 120777; Info-ZIP unzip makes a link of the first, libarchive of the
# second.
test_expect_success 'a link mode under a host other than Unix is not a regular file' '
	$ZH bt.asice lnk3.asice mode $HTML 120777 &&
	for host in 5 19; do
		python3 - lnk3.asice lnk$host.asice $host <<-\PY &&
		import struct, sys
		b = bytearray(open(sys.argv[1], "rb").read())
		e = b.rfind(b"PK\x05\x06")
		n, _, off = struct.unpack_from("<HII", b, e + 10)
		for i in range(n):
		    nl, xl, cl = struct.unpack_from("<HHH", b, off + 28)
		    if b[off + 46:off + 46 + nl].endswith(b"/ad-4711.html"):
		        b[off + 5] = int(sys.argv[3])
		    off += 46 + nl + xl + cl
		open(sys.argv[2], "wb").write(b)
		PY
		refused lnk$host.asice container.names "unsafe entry: symbolic link entry" || return 1
	done &&
	mkdir u && (cd u && unzip -q ../lnk5.asice) && test -h u/$HTML
'
test_done
