#!/bin/sh
# seal-seizure.sh — for the investigator: seal each sub-folder of a seizure tree (one per
# device or per source) into its own archive, with the same case file, and keep a register
# of what was sealed.
#
#   seal-seizure.sh -k KEY [-c CERT] [-p PASS-SPEC] [-t TSA-URL]... [-r CRL]... CASE.xml SEIZURE-DIR OUT-DIR
#
# -r embeds a CRL (or OCSP response) as revocation data, for a certificate that names no
# CRL distribution point or OCSP responder for `scelle seal` to fetch it from.
#
# SEIZURE-DIR/phone-1/, SEIZURE-DIR/laptop/ ... become OUT-DIR/phone-1.asice,
# OUT-DIR/laptop.asice ...  OUT-DIR/seals.csv gets one line per archive sealed: folder,
# archive, seal identifier, file digest (the value to write in the paperwork).  An archive
# that already exists is left alone, so a run stopped half-way can simply be run again.
# A folder that cannot be sealed is reported and the others are still sealed; the exit
# status is then 2.  Environment: SCELLE (default: scelle from PATH).
set -u
scelle=${SCELLE:-scelle}
usage() {
	echo "usage: seal-seizure.sh -k KEY [-c CERT] [-p PASS-SPEC] [-t TSA-URL]... [-r CRL]... CASE.xml SEIZURE-DIR OUT-DIR" >&2
	exit 2
}
key= cert= pass= tsa= rev=
while getopts k:c:p:t:r: opt; do
	case $opt in
	k) key=$OPTARG ;;
	c) cert=$OPTARG ;;
	p) pass=$OPTARG ;;
	t) tsa="$tsa --tsa $OPTARG" ;;	# URLs hold no spaces
	r) rev="$rev --revocation-data $OPTARG" ;;	# nor do these paths
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] && [ -n "$key" ] || usage
case_file=$1 seizure=$2 out=$3
[ -f "$case_file" ] || { echo "seal-seizure: cannot open '$case_file'" >&2; exit 2; }
[ -d "$seizure" ] || { echo "seal-seizure: '$seizure' is not a folder" >&2; exit 2; }
mkdir -p "$out" || exit 2
register=$out/seals.csv
[ -s "$register" ] || echo "folder,archive,seal_id,file_digest" >"$register"

sealed=0 skipped=0 failed=0
for dir in "$seizure"/*/; do
	[ -d "$dir" ] || continue
	name=$(basename "$dir")
	archive=$out/$name.asice
	if [ -e "$archive" ]; then
		echo "skipped $name: $archive exists"
		skipped=$((skipped + 1))
		continue
	fi
	# --json prints {"archive":...,"seal_id":"...","file_digest":"..."} on success.
	# shellcheck disable=SC2086  # $tsa and $rev are lists of options
	if json=$("$scelle" seal -q --json -o "$archive" --key "$key" ${cert:+--cert "$cert"} \
	    ${pass:+--pass "$pass"} --case-file "$case_file" $tsa $rev "${dir%/}"); then
		id=$(printf '%s\n' "$json" | sed -n 's/.*"seal_id":"\([0-9a-f]*\)".*/\1/p')
		fd=$(printf '%s\n' "$json" | sed -n 's/.*"file_digest":"\([0-9a-f]*\)".*/\1/p')
		# CSV: the folder name is quoted, its quotes doubled (RFC 4180).
		printf '"%s",%s,%s,%s\n' "$(printf '%s' "$name" | sed 's/"/""/g')" "$name.asice" \
			"$id" "$fd" >>"$register"
		echo "sealed  $name: $id"
		sealed=$((sealed + 1))
	else
		echo "FAILED  $name (see the message above)" >&2
		failed=$((failed + 1))
	fi
done
echo "$sealed sealed, $skipped skipped, $failed failed; register: $register"
[ "$failed" -eq 0 ] || exit 2
