#!/bin/sh
# t65-truncated.sh — an archive cut short (a copy interrupted, a download stopped) is said to
# be truncated, not "data appended", even when the last end record left in it is that of a
# ZIP stored inside (a WhatsApp export): FORMAT.md §10, container.structure (issue 19).
. "$(dirname "$0")/lib.sh"
make_pki
verify() { scelle verify --crl "$PKI/ca.crl" --no-timestamp-ok --trust "$PKI/ca.pem" "$@"; }

test_expect_success 'setup: a folder holding a WhatsApp export, sealed' '
	mkdir -p wa in/phone &&
	printf "12/03/2026, 10:00 - Ana: hola\n" > wa/_chat.txt &&
	head -c 3000 /dev/urandom > wa/IMG-20260312-WA0001.jpg &&
	head -c 2000 /dev/urandom > wa/PTT-20260312-WA0002.opus &&
	(cd wa && zip -q -0 "../in/phone/WhatsApp Chat with Ana.zip" _chat.txt IMG-20260312-WA0001.jpg PTT-20260312-WA0002.opus) &&
	printf "seized 12 March\n" > in/phone/note.txt &&
	scelle seal -q -o a.asice --key "$PKI/officer.key" --cert "$PKI/officer.pem" in/phone &&
	verify a.asice > out && test_grep "^a.asice: TOTAL-PASSED$" out
'

# Cut points: inside the signature, the manifest, evidence.xml (the inner ZIP's end record
# is then the last in the file), inside the inner ZIP, and one byte short.
test_expect_success 'a truncated archive is TOTAL-FAILED, diagnosed as truncated' '
	size=$(stat -c %s a.asice) &&
	inner=$(grep -boa "$(printf "PK\005\006")" a.asice | head -n 1 | cut -d: -f1) &&
	test -n "$inner" &&
	for cut in $((size - 1)) $((size - 700)) $((inner + 40)) $((inner + 22)) $((inner - 100)) 4000; do
		head -c $cut a.asice > cut.asice &&
		expect_exit 1 verify cut.asice > out.$cut &&
		test_grep "^cut.asice: TOTAL-FAILED$" out.$cut &&
		test_grep -E "FAILED +container.structure +not a complete ZIP: .*the archive is truncated" out.$cut &&
		! grep -e "data appended" -e "not covered" -e "_chat.txt" out.$cut || return 1
	done
'

test_expect_success 'cut just after the inner end record: the record named is that of the inner ZIP' '
	inner=$(grep -boa "$(printf "PK\005\006")" a.asice | head -n 1 | cut -d: -f1) &&
	head -c $((inner + 22)) a.asice > end.asice &&
	expect_exit 1 verify end.asice > out &&
	test_grep -F "not a complete ZIP: the archive is truncated (its last end of central directory record, at byte $inner, belongs to a ZIP stored inside it)" out
'

test_expect_success 'data really appended is still said to be appended' '
	cp a.asice app.asice && printf "0123456789" >> app.asice &&
	expect_exit 1 verify app.asice > out &&
	test_grep "10 bytes after the end of central directory record (data appended" out
'

test_done
