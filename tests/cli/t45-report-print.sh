#!/bin/sh
# t45-report-print.sh — the HTML report as a magistrate gets it: printed to A4 by a browser
# (headless Chromium --print-to-pdf), counted with pdfinfo and read back with pdftotext.
# Issue 19: 18 small items fit on at most 3 pages, page one holds the verdict, the case, the
# signer's certificate and the custody, and a 1,000-item report stays legible.
. "$(dirname "$0")/lib.sh"
make_pki

# print HTML PDF: Chromium runs as root here and in CI, hence --no-sandbox.
print() {
	HOME="$T" chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--print-to-pdf="$2" "file://$T/$1" > print.log 2>&1 && test -s "$2"
}
pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
# page1 PDF: the text of page one alone, as one line (a phrase may wrap in its cell)
page1() { pdftotext -f 1 -l 1 "$1" - | tr -s "\n " "  "; }
# hashes FILE: the 64-hex-digit strings of a text, sorted, one a line
hashes() { grep -o "[0-9a-f]\{64\}" "$1" | sort -u; }
ok() { scelle verify --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }

test_expect_success 'setup: 18 items with a case file, acquisition data, a chat export, a WARC, a ledger' '
	start_tsa &&
	cp -R "$TOP/examples/evidence" ev && mkdir ev/notes &&
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
		echo "note $i" > "ev/notes/statement-$i.txt" || return 1
	done &&
	cp "$TOP/examples/item-info.csv" info.csv &&
	cat > case.xml <<-EOF &&
	<case xmlns="urn:scelle:evidence:1">
	  <reference authority="OCRTEH Paris" country="FR">2026/OCRTEH/0042</reference>
	  <reference authority="UCRIF Madrid" country="ES">DP-77/2026</reference>
	  <legalBasis>European Investigation Order FR-2026-EIO-0193</legalBasis>
	  <description>Recruitment of a victim through a classified ad and WhatsApp.
	Material seized from the victim&apos;s phone and captured from the web.</description>
	</case>
	EOF
	(cd ev && scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o ../case.asice \
		--revocation-data "$PKI/ca.crl" --tsa "$tsa_url" --case-file ../case.xml --item-info ../info.csv \
		--officer "Capitaine Demo Martin" --role OPJ --unit OCRTEH --country FR --place Nanterre \
		ad-capture chat-export phone web-capture notes) &&
	scelle custody add case.asice -q --event transferred --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--place Nanterre --from "OCRTEH Paris" --to "UCRIF Madrid" --tsa "$tsa_url" \
		--note "Sent on an encrypted USB key, seal number 0042-A" &&
	scelle custody add case.asice -q --event received --key "$PKI/es-officer.key" --cert "$PKI/es-officer.pem" \
		--trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" --place Madrid \
		--from "OCRTEH Paris" --tsa "$tsa_url" --note "Seal intact on arrival" &&
	unzip -p case.asice evidence.xml > ev.xml &&
	ok --report case.html case.asice > out && test_grep "^case.asice: TOTAL-PASSED$" out
'

test_expect_success 'the report says everything page one needs, as text in the HTML' '
	test_grep "European Investigation Order FR-2026-EIO-0193" case.html &&
	test_grep "Recruitment of a victim through a classified ad" case.html &&
	test_grep "Sent on an encrypted USB key, seal number 0042-A" case.html &&
	test_grep "https://example-classifieds.invalid/annonce/4711" case.html &&
	test_grep "WhatsApp" case.html && test_grep "WARC" case.html
'

test_expect_success 'the new facts are text: markup in the case, acquisition, custody and a WARC is escaped' '
	mkdir hostile && echo page > page.html &&
	python3 "$TOP/tests/data/mkwarc.py" --tamper 1 hostile/x.warc "http://x.invalid/<script>alert(5)</script>=page.html" &&
	cat > hcase.xml <<-EOF &&
	<case xmlns="urn:scelle:evidence:1">
	  <legalBasis>EIO &lt;script&gt;alert(1)&lt;/script&gt;</legalBasis>
	  <description>line one &amp; &lt;b&gt;bold&lt;/b&gt;
	line two</description>
	</case>
	EOF
	printf "%s\n" "path,source_url,captured_at,captured_by,tool,note" \
		"x.warc,javascript:alert(2),2026-11-20T21:14:00Z,<i>me</i>,\"<img src=x onerror=alert(3)>\",\"a\"\"b<br>\"" > hinfo.csv &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o h.asice --revocation-data "$PKI/ca.crl" \
		--case-file hcase.xml --item-info hinfo.csv hostile/x.warc &&
	scelle custody add h.asice -q --event transferred --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--from "<b>A</b>" --to "B & C" --note "<script>alert(4)</script>" &&
	scelle verify --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --report h.html h.asice > out &&
	xmllint --html --noout h.html 2> lint.err && test ! -s lint.err &&
	! grep -Ei "<script|<img|<i>|<b>A|<a " h.html &&
	test_grep -F "EIO &lt;script&gt;alert(1)&lt;/script&gt;" h.html &&
	test_grep -F "line one &amp; &lt;b&gt;bold&lt;/b&gt;<br>line two" h.html &&
	test_grep -F "javascript:alert(2)" h.html && test_grep -F "&lt;i&gt;me&lt;/i&gt;" h.html &&
	test_grep -F "&lt;img src=x onerror=alert(3)&gt;" h.html && test_grep -F "a&quot;b&lt;br&gt;" h.html &&
	test_grep -F "&lt;b&gt;A&lt;/b&gt;" h.html && test_grep -F "B &amp; C" h.html &&
	test_grep -F "&lt;script&gt;alert(4)&lt;/script&gt;" h.html &&
	test_grep -F "http://x.invalid/&lt;script&gt;alert(5)&lt;/script&gt;" h.html &&
	test_grep "records that do not match their declared digest: 1" h.html
'

test_skip_unless "chromium and pdfinfo are not installed (tests/deps.sh installs them)" \
	sh -c "command -v chromium && command -v pdfinfo && command -v pdftotext"

test_expect_success 'printed to A4, 18 items take at most 3 pages' '
	print case.html case.pdf && pages case.pdf > n &&
	test "$(cat n)" -ge 1 && test "$(cat n)" -le 3 &&
	pdfinfo case.pdf | grep "^Page size: .* pts (A4)$"
'

test_expect_success 'page one: verdict, case, legal basis, the certificate, custody with from/to and notes' '
	page1 case.pdf > p1 &&
	test_grep "Seal verified" p1 && test_grep "TOTAL-PASSED" p1 &&
	test_grep "2026/OCRTEH/0042" p1 && test_grep "DP-77/2026" p1 &&
	test_grep "European Investigation Order FR-2026-EIO-0193" p1 &&
	test_grep "Recruitment of a victim" p1 &&
	serial=$(openssl x509 -in "$PKI/officer.pem" -noout -serial | cut -d= -f2) &&
	until=$(date -u -d "$(openssl x509 -in "$PKI/officer.pem" -noout -enddate | cut -d= -f2)" "+%Y-%m-%d %H:%M:%S UTC") &&
	test_grep "Certificate serial $serial" p1 && test_grep "Certificate valid .* – $until" p1 &&
	test_grep "$(unzip -p case.asice META-INF/ASiCManifest001.xml | sha256sum | cut -c1-64)" p1 &&
	test_grep "From: *OCRTEH Paris" p1 && test_grep "To: *UCRIF Madrid" p1 &&
	test_grep "Sent on an encrypted USB key" p1 && test_grep "Seal intact on arrival" p1
'

test_expect_success 'every item hash is printed unbroken, on its own line, and obtained-from is shown' '
	pdftotext -layout case.pdf all.txt && hashes all.txt > printed &&
	sed -n "s/.*<digest algorithm=\"sha256\">\([0-9a-f]*\)<.*/\1/p" ev.xml | sort -u > sealed &&
	test "$(wc -l < sealed)" = 18 && comm -23 sealed printed > missing && test ! -s missing &&
	test_grep "example-classifieds.invalid/annonce/4711" all.txt &&
	test_grep "WhatsApp" all.txt && test_grep "messages" all.txt
'
test_expect_success 'in French and in Spanish too: at most 3 pages, page one in their words' '
	ok --lang fr --report fr.html case.asice > /dev/null && print fr.html fr.pdf &&
	test "$(pages fr.pdf)" -le 3 && page1 fr.pdf > p1 &&
	test_grep "Scellé vérifié" p1 && test_grep "Fondement juridique European Investigation Order" p1 &&
	test_grep "De : OCRTEH Paris" p1 && test_grep "À : UCRIF Madrid" p1 &&
	ok --lang es --report es.html case.asice > /dev/null && print es.html es.pdf &&
	test "$(pages es.pdf)" -le 3 && page1 es.pdf > p1 &&
	test_grep "Precinto verificado" p1 && test_grep "Fundamento jurídico European Investigation Order" p1 &&
	test_grep "De: OCRTEH Paris" p1 && test_grep "A: UCRIF Madrid" p1
'
test_skip_end
[ -s case.pdf ] && echo "# 18 items: $(pages case.pdf) A4 pages"

test_expect_success 'setup: 1,000 items' '
	mkdir many && i=0 &&
	while [ $i -lt 1000 ]; do echo "item $i" > many/f$i.txt && i=$((i + 1)) || return 1; done &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" -o many.asice \
		--revocation-data "$PKI/ca.crl" --case "OCRTEH Paris:FR:2026/0042" many &&
	scelle verify --no-timestamp-ok --crl "$PKI/ca.crl" --trust "$PKI/ca.pem" --report many.html many.asice > out &&
	test_grep "TOTAL-PASSED" out
'

test_skip_unless "chromium and pdfinfo are not installed (tests/deps.sh installs them)" \
	sh -c "command -v chromium && command -v pdfinfo && command -v pdftotext"
test_expect_success 'printed, 1,000 items take a sane number of pages, every hash whole' '
	print many.html many.pdf && pages many.pdf > n &&
	test "$(cat n)" -ge 25 && test "$(cat n)" -le 50 &&
	pdftotext -layout many.pdf many.txt &&
	unzip -p many.asice evidence.xml | sed -n "s/.*<digest algorithm=\"sha256\">\([0-9a-f]*\)<.*/\1/p" > sealed &&
	test "$(wc -l < sealed)" = 1000 &&
	hashes many.txt > printed &&
	sort -u sealed | comm -23 - printed > missing && test ! -s missing
'
test_skip_end
[ -s many.pdf ] && echo "# 1,000 items: $(pages many.pdf) A4 pages"
test_done
