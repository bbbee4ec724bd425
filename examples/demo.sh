#!/bin/sh
# demo.sh — what `make demo` runs: a throwaway PKI, the sample evidence sealed, verified,
# and shown.  Everything lands under build/demo; nothing here is real personal data.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$top/build}
demo=$B/demo
scelle=$B/scelle
rm -rf "$demo/out"
mkdir -p "$demo/out"
echo "== 1. a throwaway demo PKI (root CA, officer, time-stamp authority) in $demo/pki"
sh "$top/tests/pki.sh" "$demo/pki" >/dev/null 2>&1
pki=$demo/pki

echo "== 2. a local RFC 3161 time-stamp authority on a free loopback port"
"$scelle" tsa -q --cert "$pki/tsa.pem" --key "$pki/tsa.key" --serial-file "$demo/tsa-serial" \
	--listen 127.0.0.1:0 --port-file "$demo/out/tsa.port" &
tsa_pid=$!
trap 'kill $tsa_pid 2>/dev/null || true' EXIT
i=0
while [ ! -s "$demo/out/tsa.port" ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: the time-stamp authority did not start" >&2; exit 2; }
	sleep 0.1
done
tsa_url=http://127.0.0.1:$(cat "$demo/out/tsa.port")/
echo "listening on $tsa_url"

echo
echo "== 3. seal the sample evidence (an escort-ad capture, its web archive, chat exports)"
"$scelle" seal -o "$demo/out/OCRTEH-2026-0042.asice" --tsa "$tsa_url" \
	--key "$pki/officer.key" --cert "$pki/officer.pem" --revocation-data "$pki/ca.crl" \
	--case-file "$top/examples/case.xml" \
	--officer "Capitaine Demo Martin" --role "OPJ" --unit "OCRTEH" --country FR --place "Nanterre" \
	--digest sha512 --item-info "$top/examples/item-info.csv" \
	"$top/examples/evidence/ad-capture" "$top/examples/evidence/chat-export" \
	"$top/examples/evidence/web-capture" "$top/examples/evidence/phone"

echo
echo "== 4. the chain of custody: handed over to Spain, received and verified there, opened"
a=$demo/out/OCRTEH-2026-0042.asice
"$scelle" custody add "$a" --event transferred --key "$pki/officer.key" --cert "$pki/officer.pem" \
	--role OPJ --place Nanterre --from "OCRTEH Nanterre" --to "Policia Nacional, UCRIF Madrid" \
	--note "EIO 2026/117, sealed envelope 0042-A" --tsa "$tsa_url"
"$scelle" custody add "$a" --event received --key "$pki/es-officer.key" --cert "$pki/es-officer.pem" \
	--role Inspectora --place Madrid --from "OCRTEH Nanterre" --tsa "$tsa_url" \
	--trust "$pki/ca.pem" --tsa-trust "$pki/tsa-ca.pem"
"$scelle" custody add "$a" --event opened --key "$pki/es-officer.key" --cert "$pki/es-officer.pem" \
	--role Inspectora --place Madrid --note "opened for examination" --tsa "$tsa_url"
"$scelle" custody show --trust "$pki/ca.pem" --tsa-trust "$pki/tsa-ca.pem" "$a"

echo
kill $tsa_pid
echo
echo "== 5. verify it as a magistrate abroad would (trusting only the demo roots)"
set +e
"$scelle" verify -v --trust "$pki/ca.pem" --tsa-trust "$pki/tsa-ca.pem" \
	--report "$demo/out/OCRTEH-2026-0042.html" "$demo/out/OCRTEH-2026-0042.asice"
rc=$?
set -e
echo "(exit status $rc: 0 passed, 1 failed, 3 indeterminate)"

echo
echo "== 6. what the archive holds"
"$scelle" show "$demo/out/OCRTEH-2026-0042.asice"
echo
echo "The archive is $demo/out/OCRTEH-2026-0042.asice; 'unzip -l' lists it.  Its custody"
echo "ledger is beside it: $demo/out/OCRTEH-2026-0042.asice.custody.xml."
echo "The magistrate's report is $demo/out/OCRTEH-2026-0042.html (open it in a browser;"
echo "it prints on A4; --lang fr or es for French or Spanish); examples/report-en.png shows"
echo "its first page printed."
exit $rc
