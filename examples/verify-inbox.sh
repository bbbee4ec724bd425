#!/bin/sh
# verify-inbox.sh — for the registry clerk: verify every archive received in a folder and
# write one CSV line of verdict per archive, for the register and for a spreadsheet.
#
#   verify-inbox.sh [-t TRUST.pem]... [-T TSA-TRUST.pem]... INBOX [OUT.csv]
#
# Columns: file, verdict (TOTAL-PASSED, TOTAL-FAILED, INDETERMINATE), seal_id, file_digest,
# signer, signing_time, time_stamped_at, problems (the checks that did not pass, with their
# ETSI sub-indication).  OUT.csv defaults to INBOX/verdicts.csv.  The exit status is that of
# `scelle verify` for the worst archive: 0 all passed, 1 one failed, 3 one indeterminate,
# 2 an error.  Environment: SCELLE (default: scelle from PATH).  Needs python3 to turn
# `scelle verify --json` into CSV.
set -u
scelle=${SCELLE:-scelle}
usage() {
	echo "usage: verify-inbox.sh [-t TRUST.pem]... [-T TSA-TRUST.pem]... INBOX [OUT.csv]" >&2
	exit 2
}
set --  "$@" --end--
trust=
while [ "$1" != --end-- ]; do
	case $1 in
	-t) [ "$2" != --end-- ] || usage; trust="$trust--trust
$2
"; shift 2 ;;
	-T) [ "$2" != --end-- ] || usage; trust="$trust--tsa-trust
$2
"; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ "$1" != --end-- ] || usage
inbox=$1; shift
out=$inbox/verdicts.csv
if [ "$1" != --end-- ]; then out=$1; shift; fi
[ "$1" = --end-- ] || usage
[ -d "$inbox" ] || { echo "verify-inbox: '$inbox' is not a folder" >&2; exit 2; }

set -- "$inbox"/*.asice
if [ ! -e "$1" ]; then
	echo "verify-inbox: no archive (*.asice) in '$inbox'" >&2
	exit 2
fi
# The trust options were collected one per line, so that file names may hold spaces.
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
"$scelle" verify --json $trust "$@" >"$out.jsonl"
rc=$?
IFS=$old_ifs
# One JSON object per line (schema scelle-verify/1, formats/verify-result.schema.json).
python3 - "$out.jsonl" "$out" <<'PY' || rc=2
import csv, json, sys
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "verdict", "seal_id", "file_digest", "signer", "signing_time",
                "time_stamped_at", "problems"])
    for line in open(sys.argv[1], encoding="utf-8"):
        r = json.loads(line)
        problems = "; ".join(
            c["id"] + (" " + c["subindication"] if c.get("subindication") else "") + ": " + c["message"]
            for c in r["checks"] if c["status"] != "TOTAL-PASSED")
        stamps = " ".join(t["gen_time"] or "" for t in r["timestamps"])
        w.writerow([r["archive"], r["verdict"], r["seal_id"], r["file_digest"], r["signer"],
                    r["signing_time"], stamps, problems])
PY
rm -f "$out.jsonl"
echo "$(($(wc -l <"$out") - 1)) archives verified; verdicts in $out"
exit $rc
