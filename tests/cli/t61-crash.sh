#!/bin/sh
# t61-crash.sh — crash safety of seal (doc/design.md §6.2): killed at random moments, out of
# disk space, interrupted, or unable to read an item, it never leaves a partial archive or
# a temporary file, and never touches its inputs.
. "$(dirname "$0")/lib.sh"
make_pki
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" "$@"; }
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }
# What the inputs are: content, size, mode, owner, times, inode.  Must not change.
fingerprint() { find in -type f | sort | while read -r f; do
	printf '%s %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$(stat -c '%n %s %a %u %Y %Z %i' "$f")"; done; }
test_expect_success 'setup' '
	mkdir -p in/case &&
	head -c $((24 << 20)) /dev/urandom > in/case/disk-image.bin &&
	head -c $((4 << 20)) /dev/zero | tr "\0" "x" > in/case/log.txt &&
	cp -R "$TOP/examples/evidence/chat-export" in/case/ &&
	fingerprint > inputs.before
'

# A folder after a failed or killed seal: empty, or (a kill after the final link) the
# complete archive, which then verifies.  Anything else is a partial file or a leftover.
only_complete() { # dir
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || continue
		case "$f" in
		*/out.asice) verify -q "$f" || { echo "partial archive $f" >&2; return 1; } ;;
		*/out.asice.custody.xml) [ -e "$1/out.asice" ] || { echo "ledger without archive" >&2; return 1; } ;;
		*) echo "leftover $f" >&2; return 1 ;;
		esac
	done
}

# The kills below are placed within the time of a seal: the shortest of three, so that a
# slow first run (cold caches, a loaded machine) does not send them after the end.
test_expect_success 'a complete seal of the inputs, for timing' '
	mkdir full && best= &&
	for i in 1 2 3; do
		rm -f full/out.asice.custody.*.xml &&
		start=$(date +%s%N) && seal -f -o full/out.asice in/case &&
		ms=$((($(date +%s%N) - start) / 1000000)) &&
		{ [ -n "$best" ] && [ "$best" -le "$ms" ] || best=$ms; } || return 1
	done &&
	echo $best > seal.ms && verify full/out.asice
'
echo "# a full seal of $(du -sh in | cut -f1) takes $(cat seal.ms) ms"
test_expect_success 'SIGKILL at 20 random moments: no partial archive, no temporary file, inputs untouched' '
	ms=$(cat seal.ms) && killed=0 && complete=0 &&
	for i in $(seq 1 20); do
		d=kill$i && mkdir $d &&
		# odd runs anywhere in the seal, even runs near its end (signing, linking, ledger)
		delay=$(awk -v s=$i -v ms=$ms "BEGIN { srand(s * 7919); f = s % 2 ? rand() : 0.8 + rand() * 0.3;
			printf \"%.3f\", f * ms / 1000 }") &&
		{ seal -o $d/out.asice in/case & pid=$!; } &&
		sleep "$delay" && kill -KILL $pid 2>/dev/null; wait $pid; rc=$?;
		[ $rc -eq 137 ] && killed=$((killed + 1));
		[ -e $d/out.asice ] && complete=$((complete + 1));
		only_complete $d || exit 1
	done &&
	echo "# SIGKILL: 20 runs, $killed killed mid-seal, $complete complete before the kill, 0 partial files" > kill.summary &&
	test $killed -ge 5 &&
	fingerprint > inputs.after && cmp inputs.before inputs.after
'
cat kill.summary 2>/dev/null
test_expect_success 'SIGINT removes everything it had written' '
	ms=$(cat seal.ms) && mkdir int && hit= &&
	# A background job of a non-interactive shell ignores SIGINT: give it back its default.
	# The interrupt comes at a third of the time of a seal, then sooner if the seal had
	# already ended (a machine less loaded than when seal.ms was measured).
	for div in 3000 6000 12000 24000; do
		rm -rf int/* &&
		{ env --default-signal=INT scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
			-o int/out.asice in/case 2>/dev/null & pid=$!; } &&
		sleep $(awk -v ms=$ms -v d=$div "BEGIN { printf \"%.3f\", ms / d }") &&
		if kill -INT $pid 2>/dev/null; then
			rc=0 && { wait $pid || rc=$?; } &&
			test $rc -eq 130 && test -z "$(ls -A int)" && hit=1 && break
		else
			wait $pid || :
		fi || return 1
	done &&
	test -n "$hit" &&
	fingerprint > inputs.after && cmp inputs.before inputs.after
'
test_expect_success 'a full disk (ulimit -f): a clear error and no partial file' '
	mkdir full1 &&
	rc=0 && { ( trap "" XFSZ; ulimit -f 8192; seal -o full1/out.asice in/case ) 2> err || rc=$?; } &&
	test $rc -eq 2 && test_grep "^scelle: cannot write .full1/out.asice.: File too large$" err &&
	test -z "$(ls -A full1)"
'
test_expect_success 'a full disk while small items are written (on the hashing thread): the same' '
	mkdir -p thumbs full2 && i=0 &&
	while [ $i -lt 1500 ]; do head -c 8192 /dev/urandom > thumbs/t$i.bin && i=$((i + 1)) || exit 1; done &&
	rc=0 && { ( trap "" XFSZ; ulimit -f 4096; seal -o full2/out.asice thumbs ) 2> err || rc=$?; } &&
	test $rc -eq 2 && test_grep "^scelle: cannot write .full2/out.asice.: File too large$" err &&
	test -z "$(ls -A full2)"
'
# evidence.xml is deflated and written on a thread of its own while the manifest is laid
# out and deflated on the main one: a full disk in either is reported the same way.
test_expect_success 'setup: 2000 notes, sealed once to find where its entries lie' '
	mkdir notes && i=0 &&
	while [ $i -lt 2000 ]; do echo "note $i" > notes/n$i.txt && i=$((i + 1)) || exit 1; done &&
	seal -o notes.asice notes
'
# ulimit -f (dash: 512-byte blocks) 2 KiB into evidence.xml, and into the manifest
at() {
	python3 -c 'import sys, zipfile
print(zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2]).header_offset // 512 + 4)' notes.asice "$1"
}
full_while() {
	mkdir "$1" &&
	rc=0 && { ( trap "" XFSZ; ulimit -f "$2"; seal -o "$1/out.asice" notes ) 2> err || rc=$?; } &&
	test $rc -eq 2 && test_grep "^scelle: cannot write .$1/out.asice.: File too large$" err &&
	test -z "$(ls -A "$1")"
}
test_expect_success 'a full disk while evidence.xml is written: the same' '
	full_while full3 $(at evidence.xml)
'
test_expect_success 'a full disk while the manifest is written: the same' '
	full_while full4 $(at META-INF/ASiCManifest001.xml)
'
# A tmpfs mounted in the test folder is unmounted whatever happens: by the test itself, and
# on exit, before lib.sh removes the folder (rm cannot remove a mount point).
trap 'umount "$T/small" 2>/dev/null; umount "$T/probe" 2>/dev/null; cleanup' EXIT
can_mount() { mkdir -p probe && mount -t tmpfs -o size=1m tmpfs probe && umount probe; }
test_skip_unless "mount -t tmpfs is not allowed here" can_mount
test_expect_success 'a full disk (a 6 MiB tmpfs): a clear error and no partial file' '
	mkdir small && mount -t tmpfs -o size=6m tmpfs small &&
	{ rc=0 && seal -o small/out.asice in/case 2> err || rc=$?; left=$(ls -A small); umount small; } &&
	test $rc -eq 2 && test_grep "^scelle: cannot write .small/out.asice.: No space left on device$" err &&
	test -z "$left"
'
test_skip_end
test_expect_success 'a read error on one item names it, and nothing is written' '
	mkdir rd && test_must_fail --exit=2 seal -o rd/out.asice in/case /proc/self/mem 2> err &&
	test_grep "^scelle: cannot read ./proc/self/mem.: Input/output error" err &&
	test -z "$(ls -A rd)"
'
test_done
