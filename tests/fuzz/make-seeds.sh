#!/bin/sh
# make-seeds.sh OUTDIR — seed corpora for the fuzz targets, from real outputs: a small
# archive sealed with a time-stamp from `scelle tsa`, its ASiCManifest, evidence.xml and
# custody ledger, a token, and time-stamp queries.  The committed seeds under tests/fuzz/corpus/ were made with it:
#   sh tests/fuzz/make-seeds.sh tests/fuzz/corpus
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(cd "$1" 2>/dev/null || mkdir -p "$1"; cd "$1" && pwd)
S=${SCELLE:-$top/build/scelle}
w=$(mktemp -d)
trap 'kill $(cat "$w/tsa.pid") 2>/dev/null; rm -rf "$w"' EXIT
cd "$w"
sh "$top/tests/pki.sh" pki >/dev/null 2>&1
mkdir -p ev/chat && printf '[20/11/2026 10:02] A: the car is at the port\n' > ev/chat/_chat.txt &&
	printf '<html><body>ad 4711</body></html>\n' > ev/chat/ad.html
"$S" tsa -q --cert pki/tsa.pem --key pki/tsa.key --listen 127.0.0.1:0 --port-file tsa.port &
echo $! > tsa.pid
i=0; while [ ! -s tsa.port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
url=http://127.0.0.1:$(cat tsa.port)/tsa
"$S" seal -q --key pki/officer.key --cert pki/officer.pem --case "OCRTEH:FR:2026/0042" \
	--tsa "$url" -o sealed.asice ev/chat
"$S" seal -q --key pki/officer.key --cert pki/officer.pem -o plain.asice ev/chat/_chat.txt
mkdir -p "$out/verify" "$out/manifest" "$out/evidence" "$out/tsa" "$out/custody" "$out/tsa_request"
cp sealed.asice "$out/verify/sealed-bt.asice"
cp plain.asice "$out/verify/sealed-bb.asice"
cp sealed.asice.custody.xml "$out/custody/ledger.xml"
unzip -p sealed.asice META-INF/ASiCManifest001.xml > "$out/manifest/ASiCManifest001.xml"
unzip -p sealed.asice evidence.xml > "$out/evidence/evidence.xml"
openssl ts -query -data ev/chat/_chat.txt -sha256 -cert -out q.tsq
curl -s -H 'Content-Type: application/timestamp-query' --data-binary @q.tsq -o r.tsr "$url"
openssl ts -reply -in r.tsr -token_out -out "$out/tsa/token.der"
openssl ts -query -data ev/chat/_chat.txt -sha256 -cert -out "$out/tsa_request/query-cert.tsq"
openssl ts -query -data ev/chat/_chat.txt -sha512 -no_nonce -out "$out/tsa_request/query-sha512.tsq"
openssl ts -query -data ev/chat/_chat.txt -sha256 -tspolicy 1.2.3.4 -out "$out/tsa_request/query-policy.tsq"
