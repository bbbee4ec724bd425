#!/bin/sh
# clean-root.sh — issue 17, "A clean machine runs every test": make demo, then make check, as a
# newcomer would, in a clean Debian 12 root that has only build-essential, python3, git
# and pkg-config (debootstrap --variant=minbase, plus ca-certificates for apt).
#
#   CLEAN=DIR sh tests/clean-root.sh [REPO [BRANCH]]   default: /work/clean, this repo, main
#   ONLY=t91 CLEAN=DIR sh tests/clean-root.sh [REPO BRANCH]
#       reruns `make check` with ONLY=t91 (unit tests, then the CLI scripts whose name holds
#       t91) in the root as it is; with REPO BRANCH, that branch is checked out there first
#
# Each full run starts from the pristine root (base.tar, made once by debootstrap), clones
# REPO's BRANCH into /src/scelle, mounts /proc /sys /dev (with /dev/pts, /dev/shm) for the
# tests that open pseudo-terminals, runs `nice make demo` then `nice make check` as root with
# CI=true, unmounts, and keeps the logs in DIR/{demo,check}.log.  Needs root and Debian's
# package mirror; the root takes about 0.7 GB, 2.5 GB after make demo.
set -u
here=${CLEAN:-/work/clean}
root=$here/root
repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
branch=${2:-main}
ONLY=${ONLY:-}

if [ ! -f "$here/base.tar" ]; then
	command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap || exit 2
	mkdir -p "$here" && rm -rf "$root.new"
	nice debootstrap --variant=minbase \
		--include=build-essential,python3,git,pkg-config,ca-certificates \
		bookworm "$root.new" http://deb.debian.org/debian >"$here/debootstrap.log" 2>&1 ||
		{ echo "debootstrap failed: see $here/debootstrap.log" >&2; exit 2; }
	tar -C "$root.new" -cf "$here/base.tar" . && rm -rf "$root.new"
fi

mounted=
umount_all() {
	for m in $mounted; do umount -R "$m" 2>/dev/null || umount -lR "$m"; done
	mounted=
}
trap 'umount_all' EXIT INT TERM

if [ -z "$ONLY" ]; then
	# never delete through a live mount
	if findmnt -rn -o TARGET | grep -q "^$root/"; then
		echo "something is still mounted under $root" >&2; exit 2
	fi
	rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$here/base.tar" || exit 2
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	git clone -q -b "$branch" "$repo" "$root/src/scelle" || exit 2
	git -C "$root/src/scelle" log -1 --format='clone: %H %s' | cut -c1-120
elif [ $# -gt 0 ]; then
	git -C "$root/src/scelle" fetch -q "$repo" "$branch" &&
		git -C "$root/src/scelle" checkout -q --detach FETCH_HEAD || exit 2
	git -C "$root/src/scelle" log -1 --format='checkout: %H %s' | cut -c1-120
fi

for m in proc sys dev; do
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys" ;;
	dev) mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" ;;
	esac || exit 2
	mounted="$root/$m $mounted"
done

inroot() {
	chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		TERM=dumb CI=true ONLY="$ONLY" /bin/sh -c "cd /src/scelle && $1"
}

if [ -n "$ONLY" ]; then
	inroot 'nice make check' >"$here/only.log" 2>&1; rc=$?
	grep -E '^(unit|cli)/' "$here/only.log" | grep -v "^unit/.* ok$"
	grep -E '^not ok|^failed:' "$here/only.log"; tail -1 "$here/only.log"
	exit $rc
fi

inroot 'nice make demo' >"$here/demo.log" 2>&1; demo_rc=$?
echo "make demo: exit $demo_rc; closing lines:"; tail -5 "$here/demo.log"
inroot 'nice make check' >"$here/check.log" 2>&1; check_rc=$?
echo "make check: exit $check_rc; closing lines:"; grep -E '^failed:|FAILED' "$here/check.log"; tail -1 "$here/check.log"
