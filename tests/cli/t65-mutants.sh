#!/bin/sh
# t65-mutants.sh — checks of the verifier that no other script made load-bearing: each test
# here kills mutants that `make mutate` (tests/mutate/mutate.py) found alive; the mutant is
# named above the test (file, mutation, the mutated line).
. "$(dirname "$0")/lib.sh"
make_pki
cp -R "$TOP/examples/evidence" ev
ZE="python3 $TOP/tests/data/zipedit.py"
ZH="python3 $TOP/tests/data/ziphack.py"
seal() { scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" "$@"; }
verify() { scelle verify --trust "$PKI/ca.pem" --tsa-trust "$PKI/tsa-ca.pem" "$@"; }
start_tsa || exit 2
test_expect_success 'setup' '
	cc -shared -fPIC -o shift.so "$TOP/tests/data/clockshift.c" &&
	seal --tsa "$tsa_url" -o good.asice ev/chat-export
'

# verify.c scelle_verifier_new `if (!(v))`: the default --max-skew (600 s) is the library's.
test_expect_success 'a signing time 5 minutes after the time-stamp is within the default --max-skew' '
	LD_PRELOAD="$T/shift.so" CLOCKSHIFT_SECONDS=300 seal --tsa "$tsa_url" -o late.asice ev/chat-export &&
	verify late.asice > out && test_grep "^late.asice: TOTAL-PASSED$" out &&
	! grep "timestamp\.\(order\|skew\)" out &&
	expect_exit 1 verify --max-skew 200 late.asice > out &&
	test_grep "timestamp.order .*precedes the claimed signing time by 3[0-9][0-9] s" out
'

# zip_check.c report() `z->name_failures += strcmp(id, "container.names") != 0;`: a name
# problem must withhold the "names are safe" line.
test_expect_success 'an archive with an unsafe entry name never lists container.names as passed' '
	$ZE good.asice badname.asice add "evidence/../x.txt" ev/chat-export/_chat.txt &&
	expect_exit 1 verify -v badname.asice > out &&
	test_grep "FAILED *container.names *unsafe entry: .\.\.. in path" out &&
	! grep "passed *container.names" out
'

# verify_sig.c verify_chain `SCELLE_INDETERMINATE -> SCELLE_PASSED` on OUT_OF_BOUNDS_NO_POE:
# a certificate valid when it signed (2019) but expired now, and no time-stamp to prove
# the signature older than its expiry, identifies nobody today.
test_expect_success 'a certificate expired since it signed, no time-stamp: signature.chain INDETERMINATE' '
	then=$(date -d 2019-06-01 +%s) && now=$(date +%s) &&
	LD_PRELOAD="$T/shift.so" CLOCKSHIFT_SECONDS=$((then - now)) scelle seal -q --key "$PKI/expired.key" \
		--cert "$PKI/expired.pem" --revocation-data "$PKI/ca.crl" -o old.asice ev/chat-export 2>/dev/null &&
	expect_exit 3 verify --no-timestamp-ok old.asice > out && test_grep "^old.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.chain *the signer.s certificate has expired and no time-stamp proves an earlier signature \[OUT_OF_BOUNDS_NO_POE\]$" out &&
	! grep "passed *signature.chain" out
'

# verify_sig.c check_ess `SCELLE_FAILED -> SCELLE_PASSED`: a signature made with the
# officer's key, whose certificate is swapped for another issued for the same key (and
# found by its key identifier; of the same length, so that it can replace it in place):
# the signing-certificate-v2 attribute names the first one.
test_expect_success 'a certificate swapped for a twin of the same key fails signature.signing_certificate' '
	openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/OU=OCRTEH/CN=Capitaine Demo Martin" -out twin.csr &&
	len() { openssl x509 -in "$1" -outform DER | wc -c; } &&
	serial=$(openssl x509 -in "$PKI/officer.pem" -noout -serial | sed "s/^serial=//; s/.\$//") &&
	for i in 1 2 3 4 5 6 7 8 9 A B C D E F; do
		openssl x509 -req -in twin.csr -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -days 30 -sha256 \
			-set_serial "0x$serial$i" -extfile "$PKI/ext.cnf" -extensions signer \
			-out twin.pem 2>/dev/null || return 1
		test "$(len twin.pem)" = "$(len "$PKI/officer.pem")" && break
	done &&
	sleep 1 && rm -rf m && mkdir m && (cd m && unzip -q ../good.asice META-INF/ASiCManifest001.xml) &&
	openssl cms -sign -binary -cades -keyid -md sha256 -nosmimecap -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in m/META-INF/ASiCManifest001.xml -out kid.p7s &&
	python3 - kid.p7s "$PKI/officer.pem" twin.pem > twin.p7s <<-\PY &&
	import sys, subprocess
	der = lambda p: subprocess.run(["openssl", "x509", "-in", p, "-outform", "DER"], capture_output=True, check=True).stdout
	sig, good, twin = open(sys.argv[1], "rb").read(), der(sys.argv[2]), der(sys.argv[3])
	assert good in sig and len(good) == len(twin)
	sys.stdout.buffer.write(sig.replace(good, twin))
	PY
	$ZE good.asice twin.asice replace META-INF/signature001.p7s twin.p7s &&
	expect_exit 1 verify --no-timestamp-ok twin.asice > out && test_grep "^twin.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.signing_certificate *signing-certificate attribute does not match the signer.s certificate \[SIG_CONSTRAINTS_FAILURE\]$" out
'

# The archives with a ledger edited here name it with --ledger: `make mutate` records the
# files a call names (tests/mutate/record.py), not the ledger found beside the archive.
# custody_verify.c check_signature `SCELLE_FAILED -> SCELLE_PASSED` on
# NO_SIGNING_CERTIFICATE_FOUND: a record whose signature lacks its certificate.
test_expect_success 'a custody record whose signature carries no certificate fails' '
	xmllint --xpath "string((//*[local-name()=\"signature\"])[1])" good.asice.custody.xml | tr -d " \n" |
		base64 -d > r1.p7s &&
	python3 "$TOP/tests/data/cmsedit.py" r1.p7s r1nc.p7s nocerts && cp good.asice nc.asice &&
	python3 "$TOP/tests/data/ledgeredit.py" good.asice.custody.xml nc.asice.custody.xml setsig 1 "$(base64 -w0 r1nc.p7s)" &&
	expect_exit 1 verify --ledger nc.asice.custody.xml nc.asice > out && test_grep "^nc.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *custody.signature *record 1: the signer.s certificate is not in the signature \[NO_SIGNING_CERTIFICATE_FOUND\]$" out
'

# trust.c scelle_verifier_add_crl, the DER fallback `if (!n && BIO_reset(b) == 0 &&
# (crl = d2i_X509_CRL_bio(b, NULL)) != NULL)`: --crl takes a DER CRL as it takes a PEM one.
test_expect_success '--crl takes a DER CRL' '
	openssl crl -in "$PKI/ca.crl" -outform DER -out ca-crl.der &&
	verify --crl ca-crl.der good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	verify --crl "$PKI/ca.crl" good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	printf "not a CRL\n" > junk.crl && test_must_fail --exit=2 verify --crl junk.crl good.asice 2> err &&
	test_grep "holds no CRL" err
'

# timestamp.c check_signature `PKCS7_signatureVerify(...) > 0` -> `>= 0`: OpenSSL returns 0,
# not -1, when it cannot even start (the SignerInfo names a digest the SignedData does not
# list): such a token's signature is never checked, and must not pass.
test_expect_success 'a token whose SignerInfo names a digest its SignedData does not list fails' '
	rm -rf tk && mkdir tk && (cd tk && unzip -q ../good.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/tstoken.py" tk/META-INF/signature001.p7s tk > /dev/null &&
	python3 - tk/token1.der tk/forged.der <<-\PY &&
	import re, sys
	b = open(sys.argv[1], "rb").read()
	sha256 = b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01"
	m = [m for m in re.finditer(re.escape(sha256) + b"(\x05\x00)?\xa0", b)]
	assert len(m) == 1, len(m)   # the SignerInfo digestAlgorithm, before its signed attributes
	i = m[0].start() + len(sha256) - 1
	open(sys.argv[2], "wb").write(b[:i] + b"\x02" + b[i + 1:])   # SHA-384
	PY
	python3 "$TOP/tests/data/tstoken.py" --graft tk/META-INF/signature001.p7s tk/forged.der tk/forged.p7s > /dev/null &&
	$ZE good.asice tkdig.asice replace META-INF/signature001.p7s tk/forged.p7s &&
	expect_exit 1 verify tkdig.asice > out && test_grep "^tkdig.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *timestamp.token .*the token.s signature does not verify with the TSA certificate \[SIG_CRYPTO_FAILURE\]" out
'

# custody_verify.c check_ess `v2 && chain && sk_X509_push(...) && OSSL_ESS_check_signing_certs(...)`
# (`&& -> ||`: any decodable attribute passes): a record re-signed with the officer's key
# that names the twin certificate above, the twin put in place of the officer's in its
# signature; the signing-certificate-v2 attribute still names the officer's.
test_expect_success 'a custody record signed under a twin certificate its ESS attribute does not name fails' '
	cp good.asice c2.asice && cp good.asice.custody.xml c2.asice.custody.xml &&
	scelle custody add -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --role OPJ --event transferred \
		--to Lab c2.asice &&
	verify --no-timestamp-ok c2.asice > out && test_grep "^c2.asice: TOTAL-PASSED$" out &&
	hash() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; } &&
	python3 "$TOP/tests/data/ledgeredit.py" c2.asice.custody.xml t1.xml edit 2 "$(hash "$PKI/officer.pem")" "$(hash twin.pem)" &&
	xmllint --xpath "(//*[local-name()=\"event\"])[2]" t1.xml | sed "1s/^<event /<event xmlns=\"urn:scelle:custody:1\" /" > ev.xml &&
	xmllint --exc-c14n ev.xml > ev.c14n &&
	openssl cms -sign -binary -cades -keyid -md sha256 -nosmimecap -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in ev.c14n -outform DER -out ev.p7s &&
	python3 - ev.p7s "$PKI/officer.pem" twin.pem > evt.p7s <<-\PY &&
	import sys, subprocess
	der = lambda p: subprocess.run(["openssl", "x509", "-in", p, "-outform", "DER"], capture_output=True, check=True).stdout
	sig, good, twin = open(sys.argv[1], "rb").read(), der(sys.argv[2]), der(sys.argv[3])
	assert good in sig and len(good) == len(twin)
	sys.stdout.buffer.write(sig.replace(good, twin))
	PY
	cp c2.asice ct.asice && python3 "$TOP/tests/data/ledgeredit.py" t1.xml ct.asice.custody.xml setsig 2 "$(base64 -w0 evt.p7s)" &&
	expect_exit 1 verify --no-timestamp-ok --ledger ct.asice.custody.xml ct.asice > out && test_grep "^ct.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *custody.signature *record 2: the signing-certificate-v2 attribute does not name the signer.s certificate \[SIG_CONSTRAINTS_FAILURE\]$" out
'

# verify_sig.c verify_chain, `break` removed after the unknown-anchor case (it would fall
# into the expired-certificate one); custody_verify.c check_record_policy `if (claims[i][1]
# && !claim_in_subject(...))` negated (every stated name would be a mismatch).
test_expect_success 'an unknown anchor is said once, as such; names the certificate holds are no identity.claim' '
	expect_exit 3 scelle verify --trust "$PKI/other-ca.pem" --tsa-trust "$PKI/tsa-ca.pem" good.asice > out && test_grep "^good.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.chain *the signer.s certificate does not chain to a trusted anchor: .*\[NO_CERTIFICATE_CHAIN_FOUND\]$" out &&
	test "$(grep -c "signature\.chain" out)" = 1 && ! grep OUT_OF_BOUNDS out &&
	verify -v --ledger c2.asice.custody.xml c2.asice > out && test_grep "^c2.asice: TOTAL-PASSED$" out && ! grep "identity\.claim" out
'

# trust.c verifier_open_file `fd >= 0` -> `fd > 0`: with stdin closed, the trust anchors'
# file is opened as descriptor 0, and must be read all the same.  (The replay of
# `make mutate` runs every call with stdin open: only this script can see it.)
test_expect_success 'with stdin closed, --trust is read all the same (descriptor 0)' '
	verify good.asice 0<&- > out && test_grep "^good.asice: TOTAL-PASSED$" out
'

# verify.c check_mimetype `h[26] != 8 || h[27] != 0 || memcmp(h + 30, "mimetype", 8) != 0`
# (`|| -> &&` would take any 8-byte name): a first entry named "mimetypx".
test_expect_success 'a first entry of eight letters that is not mimetype fails container.mimetype' '
	python3 - good.asice mimetypx.asice <<-\PY &&
	import sys
	b = open(sys.argv[1], "rb").read()
	assert b.count(b"mimetype") == 2, b.count(b"mimetype")   # the local header, the central directory
	open(sys.argv[2], "wb").write(b.replace(b"mimetype", b"mimetypx"))
	PY
	expect_exit 1 verify mimetypx.asice > out && test_grep "^mimetypx.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.mimetype *the first entry is not .mimetype." out &&
	! grep "passed *container.mimetype" out
'

# zip_check.c unsafe_name `p[0] == '.' && (p[1] == '/' || p[1] == '\0')` (`|| -> &&` would
# never see a "." component).
test_expect_success 'an entry name with a "." component fails container.names' '
	$ZE good.asice dot.asice add "evidence/./x.txt" ev/chat-export/_chat.txt &&
	expect_exit 1 verify dot.asice > out &&
	test_grep "FAILED *container.names *unsafe entry: .\.. in path" out
'

# verify.c b64_decode: a DigestValue that ends in a newline and blanks (as a pretty-printer
# writes it) is the same value (`in[n - 1] == '\n' || in[n - 1] == ' '`, `|| -> &&`).
test_expect_success 'a manifest DigestValue followed by a newline and blanks still matches' '
	rm -rf mf && mkdir mf && (cd mf && unzip -q ../good.asice META-INF/ASiCManifest001.xml) &&
	sed "s|</ds:DigestValue>|\n    </ds:DigestValue>|" mf/META-INF/ASiCManifest001.xml > mf/man.xml &&
	test "$(grep -c "^    </ds:DigestValue>" mf/man.xml)" -ge 1 &&
	python3 "$TOP/tests/data/resign.py" good.asice ws.asice "$PKI/officer.key" "$PKI/officer.pem" \
		META-INF/ASiCManifest001.xml=mf/man.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" ws.asice > out && test_grep "^ws.asice: TOTAL-PASSED$" out
'

# zip_check.c unsafe_name `*p < 0x20 || *p == 0x7f` (`< -> <=` would take a blank for a
# control character): names with blanks are ordinary.
test_expect_success 'an entry name with a blank is a safe name' '
	mkdir -p "sp/two words" && echo "a note" > "sp/two words/a b.txt" &&
	scelle seal -q --key "$PKI/officer.key" --cert "$PKI/officer.pem" --revocation-data "$PKI/ca.crl" \
		-o sp.asice sp 2>/dev/null &&
	verify --no-timestamp-ok -v sp.asice > out && test_grep "^sp.asice: TOTAL-PASSED$" out &&
	test_grep "passed *container.names" out
'

# verify.c check_mimetype `if (why && c->dir.foreign && !present)` (`&& -> ||`): only a
# foreign container may lack its mimetype entry; scelle'"'"'s own archive without one fails.
test_expect_success 'a scelle archive without its mimetype entry fails container.mimetype' '
	$ZE good.asice nomime.asice remove mimetype &&
	expect_exit 1 verify nomime.asice > out && test_grep "^nomime.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.mimetype" out
'

# timestamp.c describe_tst `if (tsa && tsa->type == GEN_DIRNAME)` (`&& -> ||`): a token
# without the optional tsa field (RFC 3161 §2.4.2; stock `openssl ts` with tsa_name = no) is
# a good token, named after its signer.
test_expect_success 'a token without a tsa name passes, named after its signing certificate' '
	rm -rf nt && mkdir nt && (cd nt && unzip -q ../good.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/tstoken.py" nt/META-INF/signature001.p7s nt > /dev/null &&
	printf "[tsa]\ndefault_tsa = t\n[t]\nserial = nt/serial\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n" > nt/ts.cnf &&
	echo 01 > nt/serial &&
	openssl ts -query -data nt/sigvalue.bin -sha256 -cert -no_nonce -out nt/q.tsq &&
	openssl ts -reply -config nt/ts.cnf -queryfile nt/q.tsq -inkey "$PKI/tsa.key" -signer "$PKI/tsa.pem" \
		-token_out -out nt/token.der 2>/dev/null &&
	! openssl ts -reply -in nt/token.der -token_in -text 2>/dev/null | grep -q "^TSA: [^u]" &&
	python3 "$TOP/tests/data/tstoken.py" --graft nt/META-INF/signature001.p7s nt/token.der nt/g.p7s > /dev/null &&
	$ZE good.asice notsa.asice replace META-INF/signature001.p7s nt/g.p7s &&
	verify --ledger good.asice.custody.xml notsa.asice > out && test_grep "^notsa.asice: TOTAL-PASSED$" out
'

# zip_check.c win_at `n > len` (`> -> >=`): a central directory record that ends exactly
# where the window's read ends (here: the only one, of 46 bytes, its name empty) is read.
test_expect_success 'an entry with an empty name is reported as such, not as a damaged directory' '
	python3 - empty.asice <<-\PY &&
	import struct, sys, zlib
	data = b"x"
	lh = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, zlib.crc32(data), 1, 1, 0, 0) + data
	cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0x21, zlib.crc32(data), 1, 1,
	                 0, 0, 0, 0, 0, 0, 0)
	assert len(cd) == 46
	end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), len(lh), 0)
	open(sys.argv[1], "wb").write(lh + cd + end)
	PY
	expect_exit 1 verify empty.asice > out && test_grep "^empty.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.names *an entry name is empty or holds a NUL byte \[FORMAT_FAILURE\]$" out &&
	! grep "central directory record 1 of 1 is damaged" out
'

# zip_check.c read_end, `return -1` after "no end of central directory record" (-> `return 0`:
# the walk goes on with an end record never read): a file that is not a ZIP at all.
test_expect_success 'a file that is not a ZIP says so, once, and fails container.mimetype' '
	seq 1 100 > notzip.asice &&
	expect_exit 1 verify -v notzip.asice > out &&
	cat > expect <<-\EOF &&
	notzip.asice: TOTAL-FAILED
	  FAILED        container.structure            not a complete ZIP: no end of central directory record in the last 64 KiB (the archive is truncated, or data was appended) [FORMAT_FAILURE]
	  FAILED        container.mimetype             the file does not start with a ZIP local header (EN 319 162-1 A.1) [FORMAT_FAILURE]
	EOF
	diff -u expect out
'

# zip_check.c read_end `end_off >= LOCATOR_LEN` (`>= -> >`): a ZIP64 locator in the first
# 20 bytes, before an end record at byte 20, is a locator (not the end of a stored ZIP).
test_expect_success 'a ZIP64 locator at byte 0 that points nowhere is reported as such' '
	python3 -c "import struct, sys; sys.stdout.buffer.write(struct.pack(\"<IIQI\", 0x07064B50, 0, 0, 1) + struct.pack(\"<IHHHHIIH\", 0x06054B50, 0, 0, 0, 0, 0, 0, 0))" > loc.asice &&
	test "$(wc -c < loc.asice)" = 42 &&
	expect_exit 1 verify loc.asice > out && test_grep "^loc.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the ZIP64 locator does not point to a ZIP64 end of central directory record \[FORMAT_FAILURE\]$" out &&
	! grep "belongs to a ZIP stored inside it" out
'

# zip_check.c read_end, `return -1` after "a multi-disk (split) archive" (-> `return 0`: the
# walk goes on with an end record never read).  Without its mimetype entry, so that the
# walk, had it been made, would change what container.mimetype says.
test_expect_success 'one disk of a split archive says so, and nothing else about its entries' '
	$ZE good.asice nomime1.asice remove mimetype &&
	python3 - nomime1.asice split.asice <<-\PY &&
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	e = len(b) - 22
	assert b[e:e + 4] == b"PK\x05\x06"
	struct.pack_into("<HH", b, e + 4, 1, 1)   # this disk: 1, the central directory on disk 1
	open(sys.argv[2], "wb").write(b)
	PY
	expect_exit 1 verify -v split.asice > out &&
	cat > expect <<-\EOF &&
	split.asice: TOTAL-FAILED
	  FAILED        container.structure            a multi-disk (split) archive [FORMAT_FAILURE]
	  FAILED        container.mimetype             the first entry is not '"'"'mimetype'"'"' (EN 319 162-1 A.1) [FORMAT_FAILURE]
	EOF
	diff -u expect out
'

# The ZIP64 end records: ziphack.py count N writes them (the end record says 0xFFFF
# entries); z64() rewrites fields of the ZIP64 end record (at the end, before its locator
# and the end record) or of the end record, by offset.
z64() {
	python3 - "$@" <<-\PY
	import struct, sys
	src, dst, *edits = sys.argv[1:]
	b = bytearray(open(src, "rb").read())
	e64, end = len(b) - 22 - 20 - 56, len(b) - 22
	assert b[e64:e64 + 4] == b"PK\x06\x06" and b[end:end + 4] == b"PK\x05\x06"
	for x in edits:   # RECORD:OFFSET:FMT:VALUE, RECORD e64 or end
	    rec, off, fmt, val = x.split(":")
	    struct.pack_into("<" + fmt, b, (e64 if rec == "e64" else end) + int(off), int(val, 0))
	open(dst, "wb").write(b)
	PY
}
test_expect_success 'setup: an archive with ZIP64 end records passes' '
	n=$(python3 -c "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))" good.asice) &&
	$ZH good.asice z64.asice count $n &&
	verify -v z64.asice > out && test_grep "^z64.asice: TOTAL-PASSED$" out &&
	test_grep "passed *container.structure" out
'

# zip_check.c read_end `rd(z, e64, END64_LEN, e64_off) || get32(e64) != SIG_END64` (`|| -> &&`:
# a record that reads is taken whatever its signature).
test_expect_success 'a ZIP64 end record without its signature fails container.structure' '
	z64 z64.asice z64-sig.asice e64:0:I:0x06064B51 &&
	expect_exit 1 verify z64-sig.asice > out && test_grep "^z64-sig.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the ZIP64 locator does not point to a ZIP64 end of central directory record \[FORMAT_FAILURE\]$" out
'

# zip_check.c read_end `get32(e64 + 20) || get64(e64 + 24) != get64(e64 + 32)` (`|| -> &&`):
# entries on this disk other than the total is a split archive, whatever disk the
# directory starts on.
test_expect_success 'a ZIP64 end record counting other entries on this disk than in all fails' '
	z64 z64.asice z64-disk.asice e64:24:Q:1 &&
	expect_exit 1 verify z64-disk.asice > out && test_grep "^z64-disk.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the ZIP64 end of central directory record is not where the locator says, has an extensible data sector, or spans disks \[FORMAT_FAILURE\]$" out
'

# zip_check.c read_end `E->cd_off != MAX32 && E->cd_off != o64` (`!= -> ==` on the first):
# the end record and the ZIP64 record naming two offsets of the central directory are two
# archives, one for each kind of reader.
test_expect_success 'an end record whose directory offset differs from the ZIP64 one fails' '
	z64 z64.asice z64-off.asice end:16:I:1 &&
	expect_exit 1 verify z64-off.asice > out && test_grep "^z64-off.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the end record and the ZIP64 end record disagree \[FORMAT_FAILURE\]$" out
'

# zip_check.c zip64_fields `if (!d || o + 8 > len) return -1` (-> `return 0`: a value the
# record needs is missing, and 0xFFFFFFFF is taken for the size).
test_expect_success 'a central size of 0xFFFFFFFF without a ZIP64 field is reported as such' '
	python3 - good.asice nofield.asice <<-\PY &&
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	i = b.rfind(b"PK\x01\x02")   # the last central record
	assert struct.unpack_from("<H", b, i + 30)[0] == 0   # no extra field
	struct.pack_into("<I", b, i + 20, 0xFFFFFFFF)
	open(sys.argv[2], "wb").write(b)
	PY
	name=$(python3 -c "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).infolist()[-1].filename)" good.asice) &&
	expect_exit 1 verify nofield.asice > out && test_grep "^nofield.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the ZIP64 field of .$name. is damaged, lacks a value its record needs or holds one it does not \[FORMAT_FAILURE\]$" out &&
	! grep "local header of\|past the central directory" out
'

# zip_check.c descriptor `at > limit || len > limit - at` (`|| -> &&`: a descriptor is read
# past the start of the central directory).  The last entry has a data descriptor (bit 3),
# its data ends where the central directory begins, and the first central record, read as
# a descriptor without signature, says what its central record says: the record's
# signature is the entry's CRC-32 (forged: 4 bytes of its data chosen), "version made by"
# 8 its compressed size, its flags (8, STORED) its size.  No descriptor lies before the
# directory: none may be read in it.
test_expect_success 'a data descriptor that would be the central directory itself fails' '
	python3 - ddcd.asice <<-\PY &&
	import struct, sys, zlib
	def forge_crc(prefix, target):   # 4 bytes more whose CRC-32 is target: CRC-32 is affine over GF(2)
	    base = zlib.crc32(prefix + bytes(4))
	    piv, want, x = {}, target ^ base, 0
	    for k in range(32):
	        c, m = zlib.crc32(prefix + (1 << k).to_bytes(4, "little")) ^ base, 1 << k
	        for bit, (pc, pm) in piv.items():
	            if c >> bit & 1:
	                c, m = c ^ pc, m ^ pm
	        if c:
	            top = c.bit_length() - 1
	            for bit, (pc, pm) in list(piv.items()):
	                if pc >> top & 1:
	                    piv[bit] = (pc ^ c, pm ^ m)
	            piv[top] = (c, m)
	    for bit, (pc, pm) in piv.items():
	        x ^= pm if want >> bit & 1 else 0
	    out = prefix + x.to_bytes(4, "little")
	    assert zlib.crc32(out) == target
	    return out
	mime = b"application/vnd.etsi.asic-e+zip"
	data = forge_crc(b"eigh", 0x02014B50)
	lh = lambda name, flags, crc, n: struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 0x21, crc, n, n, len(name), 0) + name
	cr = lambda made, need, flags, crc, n, name, off: struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made, need, flags, 0, 0, 0x21, crc, n, n, len(name), 0, 0, 0, 0, 0, off) + name
	a = lh(b"mimetype", 0, zlib.crc32(mime), len(mime)) + mime
	doc = len(a)
	a += lh(b"doc.bin", 8, 0, 0) + data
	cd = cr(8, 0, 8, 0x02014B50, 8, b"doc.bin", doc) + cr(20, 20, 0, zlib.crc32(mime), len(mime), b"mimetype", 0)
	a += cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(cd), len(a), 0)
	open(sys.argv[1], "wb").write(a)
	PY
	expect_exit 1 verify ddcd.asice > out && test_grep "^ddcd.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the data descriptor of .doc.bin. is missing or runs into the central directory \[FORMAT_FAILURE\]$" out
'

test_expect_success 'setup: foreign ETSI containers (tests/data/etsi_corpus.py)' '
	python3 "$TOP/tests/data/etsi_corpus.py" "$PKI" corpus > /dev/null &&
	unzip -tq corpus/e-dd.asice && unzip -tq corpus/s.asics
'

# zip_check.c descriptor `get32(p) == r->crc && c == r->csize && u == r->usize` (`== -> !=` on
# the last): a descriptor equal to its central record is what Java and EU DSS write.
test_expect_success 'a foreign container whose data descriptors repeat their central records passes' '
	verify -v --no-timestamp-ok --crl "$PKI/ca.crl" corpus/e-dd.asice > out &&
	test_grep "^corpus/e-dd.asice: TOTAL-PASSED$" out &&
	test_grep "passed *container.structure .*; 5 data descriptors, each equal to its central record$" out
'

# verify.c check_mimetype_header `sizeof(asic_s) - 1 == mlen` (`== -> !=`: the ASiC-S branch
# never taken): a foreign container whose mimetype says ASiC-S.
test_expect_success 'a foreign ASiC-S container passes container.mimetype with its own media type' '
	verify -v --no-timestamp-ok --crl "$PKI/ca.crl" corpus/s.asics > out &&
	test_grep "^corpus/s.asics: TOTAL-PASSED$" out &&
	test_grep "passed *container.mimetype *first entry, STORED, no extra field: application/vnd.etsi.asic-s+zip$" out
'

# verify_sig.c check_signed_attrs `SCELLE_FAILED -> SCELLE_PASSED` on "content-type is not
# id-data": a signature by the officer whose signed content-type (and eContentType) says
# TSTInfo, not the manifest's id-data.  Nothing more of such a signature is checked
# (verify_signature's `goto out` after check_signed_attrs).
test_expect_success 'a signature whose content-type attribute is not id-data fails signature.attributes' '
	rm -rf m && mkdir m && (cd m && unzip -q ../good.asice META-INF/ASiCManifest001.xml) &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -outform DER -econtent_type 1.2.840.113549.1.9.16.1.4 \
		-signer "$PKI/officer.pem" -inkey "$PKI/officer.key" -in m/META-INF/ASiCManifest001.xml -out ctype.p7s &&
	$ZE good.asice ctype.asice replace META-INF/signature001.p7s ctype.p7s &&
	expect_exit 1 verify -v --no-timestamp-ok ctype.asice > out && test_grep "^ctype.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.attributes *content-type is not id-data \[SIG_CONSTRAINTS_FAILURE\]$" out &&
	! grep "signature\.\(crypto\|chain\)" out
'

# verify.c evidence_item, where it read `is_el(d, ..., "digest") && it->ndigests < 5` (`< -> <=`:
# a sixth digest written past the array).  It kept the first five digests of an item and
# dropped the rest, and digests of another algorithm, unjudged: a sixth digest that did not
# match passed.  FORMAT.md §3.4: every digest must match; one that cannot be judged fails
# the item.
test_expect_success 'an item with a digest stated twice, a sixth, of an unknown algorithm or too long fails' '
	unzip -p good.asice evidence.xml > ev0.xml &&
	python3 - ev0.xml <<-\PY &&
	import re, sys
	x = open(sys.argv[1]).read()
	d = re.search("<digest algorithm=\"sha256\">[0-9a-f]{64}</digest>", x).group(0)
	for name, digests in (("six", d * 6),   # the same one six times
	                      ("sixth", d * 5 + "<digest algorithm=\"sha512\">" + "00" * 64 + "</digest>"),
	                      ("384", d + "<digest algorithm=\"sha384\">" + "00" * 48 + "</digest>"),
	                      ("long", d + "<digest algorithm=\"sha512\">" + "0" * 129 + "</digest>")):
	    open("ev-%s.xml" % name, "w").write(x.replace(d, digests, 1))
	PY
	test "$(grep -o "<digest " ev-sixth.xml | wc -l)" = 7 &&
	for x in six sixth 384 long; do
		python3 "$TOP/tests/data/resign.py" good.asice dg-$x.asice "$PKI/officer.key" "$PKI/officer.pem" \
			evidence.xml=ev-$x.xml &&
		expect_exit 1 verify --no-timestamp-ok --crl "$PKI/ca.crl" dg-$x.asice > out-$x &&
		test_grep "^dg-$x.asice: TOTAL-FAILED$" out-$x &&
		test_grep "FAILED *evidence.items *.evidence/chat-export/_chat.txt. has a digest in evidence.xml that cannot be checked (an unknown algorithm, an algorithm stated twice, or too long) \[FORMAT_FAILURE\]$" out-$x || return 1
	done &&
	test_grep "FAILED *evidence.digest *.evidence/chat-export/_chat.txt.: sha512 differs from evidence.xml \[HASH_FAILURE\]$" out-sixth &&
	python3 "$TOP/tests/data/resign.py" good.asice dg-same.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=ev0.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" dg-same.asice > out && test_grep "^dg-same.asice: TOTAL-PASSED$" out
'

# The HTML report only: `make mutate` compares what a call prints, not the report it writes
# (which holds the time it was made), so these two tests are what judges them.
# verify.c item_members `type && (... "response" ... || ... "resource" ...) && in->warc_responses++ == 0`
# (`&& -> ||`: every other record counted as a capture, the last response named).
test_expect_success 'the report counts the captures of a WARC item (its responses) and names the first' '
	mkdir -p wsrc w && echo "<html>page</html>" > wsrc/page.html &&
	python3 "$TOP/tests/data/mkwarc.py" w/cap.warc "https://ads.invalid/4711=wsrc/page.html" \
		"https://ads.invalid/b=wsrc/page.html" &&
	seal -o warc.asice w 2>/dev/null &&
	unzip -p warc.asice evidence.xml > warc.xml &&
	test "$(grep -c "<record type=\"response\"" warc.xml)" = 2 && grep -q "<members format=\"warc\" status=\"complete\" count=\"5\">" warc.xml &&
	verify --no-timestamp-ok --report warc.html warc.asice > out && test_grep "^warc.asice: TOTAL-PASSED$" out &&
	test_grep "records: 5, captures: 2 &middot; https://ads.invalid/4711 &middot; 2026-11-20 21:14:00 UTC" warc.html
'

# verify.c prop_count `v[0] >= '"'"'0'"'"'` (`>= -> >`: a count written with a leading zero read
# as 0).  The schema's counts are xs:nonNegativeInteger, which allows one.
test_expect_success 'a count with a leading zero is shown as its number in the report' '
	sed "s/<members format=\"warc\" status=\"complete\" count=\"5\">/<members format=\"warc\" status=\"complete\" count=\"05\">/" warc.xml > warc05.xml &&
	! cmp -s warc.xml warc05.xml &&
	python3 "$TOP/tests/data/resign.py" warc.asice warc05.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=warc05.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report warc05.html warc05.asice > out &&
	test_grep "^warc05.asice: TOTAL-PASSED$" out &&
	test_grep "records: 5, captures: 2 &middot;" warc05.html
'

# verify.c case_text `if (t && old)` (`&& -> ||`: the first legal basis joined to a NULL
# one, strlen(NULL)): an archive sealed with a case file that states its legal basis and
# description.  Two legal bases are joined by "; " in the report (FORMAT.md §3.3); the
# certificate's serial and validity are there too (verify_sig.c signer_details, `if (hex)`
# and `if (t[i] && ASN1_TIME_to_tm(t[i], &tm) == 1)` negated: the report only).
test_expect_success 'a case with two legal bases verifies; the report joins them and shows the certificate' '
	cat > case2.xml <<-\EOF &&
	<case xmlns="urn:scelle:evidence:1">
	  <reference authority="OCRTEH Paris" country="FR">2026/OCRTEH/0042</reference>
	  <legalBasis>EIO 2026/117</legalBasis>
	  <legalBasis>Art. 706-73 CPP</legalBasis>
	  <description>Synthetic demo data.</description>
	</case>
	EOF
	seal --case-file case2.xml -o case2.asice ev/chat-export 2>/dev/null &&
	verify --no-timestamp-ok --report case2.html case2.asice > out && test_grep "^case2.asice: TOTAL-PASSED$" out &&
	test_grep "EIO 2026/117; Art. 706-73 CPP" case2.html && test_grep "Synthetic demo data." case2.html &&
	serial=$(openssl x509 -in "$PKI/officer.pem" -noout -serial | cut -d= -f2) &&
	from=$(date -u -d "$(openssl x509 -in "$PKI/officer.pem" -noout -startdate | cut -d= -f2)" "+%Y-%m-%d %H:%M:%S UTC") &&
	until=$(date -u -d "$(openssl x509 -in "$PKI/officer.pem" -noout -enddate | cut -d= -f2)" "+%Y-%m-%d %H:%M:%S UTC") &&
	test_grep "<td class=\"h\">$serial</td>" case2.html && test_grep "$from &ndash; $until" case2.html
'

# verify.c check_mimetype_header `h[26] != 8 || h[27] != 0 || memcmp(...)` (`|| -> &&` on
# the first: a name length other than 8 taken when its high byte is 0): a first entry
# named "mimetype" followed by the media type, so that the bytes where the content is read
# hold application/vnd.etsi.asic-e+zip.
test_expect_success 'a first entry named mimetype plus the media type fails container.mimetype' '
	$ZE good.asice mlong.asice rename mimetype mimetypeapplication/vnd.etsi.asic-e+zip &&
	test "$(head -c 69 mlong.asice | tail -c 39)" = mimetypeapplication/vnd.etsi.asic-e+zip &&
	expect_exit 1 verify mlong.asice > out && test_grep "^mlong.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.mimetype *the first entry is not .mimetype. (EN 319 162-1 A.1) \[FORMAT_FAILURE\]$" out &&
	test_grep "FAILED *container.coverage *.mimetypeapplication/vnd.etsi.asic-e+zip. is not covered by the signed manifest" out
'

# verify.c check_mimetype_header `... || h[23] || h[24] || h[25]` (`|| -> &&` on the last:
# an uncompressed size of 31 + 65536 taken for 31): the local header of mimetype says 65567
# bytes.  zip_check reports the disagreement with the central directory; container.mimetype
# must say it too.
test_expect_success 'a mimetype whose local header says 65567 bytes fails container.mimetype' '
	python3 - good.asice usize.asice <<-\PY &&
	import sys
	b = bytearray(open(sys.argv[1], "rb").read())
	assert b[30:38] == b"mimetype" and b[22:26] == bytes([31, 0, 0, 0])
	b[24] = 1
	open(sys.argv[2], "wb").write(b)
	PY
	expect_exit 1 verify usize.asice > out && test_grep "^usize.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the local header of .mimetype. says 65567 bytes (31 compressed) where the central directory says 31 (31) \[FORMAT_FAILURE\]$" out &&
	test_grep "FAILED *container.mimetype *.mimetype. is not application/vnd.etsi.asic-e+zip (EN 319 162-1 A.1) \[FORMAT_FAILURE\]$" out
'

# verify.c pass_list `if (d == &c->xades && c->xades_name)` (`&& -> ||`: the XAdES
# signature never read, nor any entry after it): scelle's own XAdES archive (t74 is not
# among the scripts `make mutate` replays for verify.c).
test_expect_success 'an archive sealed with a XAdES signature passes' '
	scelle seal -q --signature xades --key "$PKI/officer.key" --cert "$PKI/officer.pem" \
		--revocation-data "$PKI/ca.crl" -o xad.asice ev/chat-export 2>/dev/null &&
	verify --no-timestamp-ok xad.asice > out && test_grep "^xad.asice: TOTAL-PASSED$" out &&
	! grep FAILED out
'

# verify_sig.c check_signed_attrs `at < 0 ? "missing" : "repeated"` (`< -> <=`): the
# content-type attribute is the first of the signed attributes (index 0), given twice.
test_expect_success 'a content-type attribute given twice is said to be repeated, not missing' '
	rm -rf sa && mkdir sa && (cd sa && unzip -q ../good.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/signedattr.py" sa/META-INF/signature001.p7s ct2.p7s "$PKI/officer.key" ct-twice &&
	test "$(openssl cms -cmsout -print -inform DER -in ct2.p7s | grep -c "object: contentType")" = 2 &&
	$ZE good.asice ct2.asice replace META-INF/signature001.p7s ct2.p7s &&
	expect_exit 1 verify --no-timestamp-ok ct2.asice > out && test_grep "^ct2.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.attributes *signed attribute content-type is repeated \[SIG_CONSTRAINTS_FAILURE\]$" out
'

# verify_sig.c verify_chain `c->signing_time > na ? "EXPIRED" : "NOT_YET_VALID"` (`> -> >=`):
# a certificate whose notBefore (01:00) is after its notAfter (00:00), and a signing time
# at its notAfter: before notBefore, not after notAfter, so NOT_YET_VALID.
test_expect_success 'a signing time at the notAfter of a certificate valid from after it is NOT_YET_VALID' '
	rm -rf inv && mkdir inv && (cd inv && : > index.txt && echo 2000 > serial &&
		openssl req -new -key "$PKI/officer.key" -subj "/C=FR/O=Demo Police Nationale/CN=Inverted Officer" -out inv.csr &&
		openssl ca -batch -config "$PKI/ext.cnf" -name caopts -cert "$PKI/ca.pem" -keyfile "$PKI/ca.key" -in inv.csr \
			-startdate 20260101010000Z -enddate 20260101000000Z -extfile "$PKI/ext.cnf" -extensions signer \
			-notext -out inv.pem 2>/dev/null) &&
	rm -rf m && mkdir m && (cd m && unzip -q ../good.asice META-INF/ASiCManifest001.xml) &&
	openssl cms -sign -binary -cades -md sha256 -nosmimecap -outform DER -signer inv/inv.pem \
		-inkey "$PKI/officer.key" -in m/META-INF/ASiCManifest001.xml -out inv0.p7s &&
	python3 "$TOP/tests/data/signedattr.py" inv0.p7s inv.p7s "$PKI/officer.key" st-at 260101000000Z &&
	$ZE good.asice inv.asice replace META-INF/signature001.p7s inv.p7s &&
	expect_exit 1 verify --no-timestamp-ok inv.asice > out && test_grep "^inv.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.certificate_validity *the signer.s certificate was not valid at the claimed signing time \[NOT_YET_VALID\]$" out
'

# Empty folders (FORMAT.md §3.7), forged by someone who holds a signing key (resign.py): t25
# is not among the scripts `make mutate` replays for verify.c.
refold() { # name sed-expression
	sed -e "$2" fo.xml > "$1.xml" && ! cmp -s fo.xml "$1.xml" &&
	python3 "$TOP/tests/data/resign.py" fo.asice "$1.asice" "$PKI/officer.key" "$PKI/officer.pem" \
		"evidence.xml=$1.xml"
}
vfold() { verify --no-timestamp-ok --crl "$PKI/ca.crl" "$@"; }

# verify.c check_folders `!(why = unsafe_path(f + pre)) && i > 0 && strcmp(...) == 0`
# (`&& -> ||`: every folder, or every one after the first, "listed twice").
test_expect_success 'an archive with two empty folders passes; one listed twice fails' '
	mkdir -p fo/d/empty fo/d/a/b/c fo/d/full && printf x > fo/d/full/f.txt && printf a > fo/d/full-a &&
	printf y > fo/d/top.txt && seal -o fo.asice fo && unzip -p fo.asice evidence.xml > fo.xml &&
	test "$(grep -o "<folder path=" fo.xml | wc -l)" = 2 &&
	vfold fo.asice > out && test_grep "^fo.asice: TOTAL-PASSED$" out &&
	refold fo2 "s|evidence/fo/d/a/b/c\"|evidence/fo/d/empty\"|" &&
	expect_exit 1 vfold fo2.asice > out && test_grep "^fo2.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *evidence.items *empty folder .evidence/fo/d/empty. in evidence.xml: listed twice \[FORMAT_FAILURE\]$" out
'

# verify.c entry_at_or_below `strncmp(c->entries[lo].name, dir, n) == 0` (`== -> !=`): a
# forged folder that is a directory of the archive (its files below it) would pass as
# empty, and extract would make it; a name that only begins like one is no such folder.
test_expect_success 'a forged empty folder that holds files fails; one that only begins like it passes' '
	refold fofull "s|evidence/fo/d/empty\"|evidence/fo/d/full\"|" &&
	expect_exit 1 vfold fofull.asice > out && test_grep "^fofull.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *evidence.items *empty folder .evidence/fo/d/full. in evidence.xml: the archive has an entry there: the folder is not empty \[FORMAT_FAILURE\]$" out &&
	refold fod "s|evidence/fo/d/empty\"|evidence/fo/d\"|" &&
	expect_exit 1 vfold fod.asice > out && test_grep "^fod.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *evidence.items *empty folder .evidence/fo/d. in evidence.xml: the archive has an entry there: the folder is not empty \[FORMAT_FAILURE\]$" out &&
	refold foful "s|evidence/fo/d/empty\"|evidence/fo/d/ful\"|" &&
	vfold foful.asice > out && test_grep "^foful.asice: TOTAL-PASSED$" out
'

# verify.c parse_evidence `if (!path) path = xstrdup("")` (negated: every folder read as "",
# and one without a path dropped as a read error): a folder without a path fails as such.
test_expect_success 'a forged folder without a path fails as a folder not under evidence/' '
	refold fonopath "s|<folder path=\"evidence/fo/d/empty\"/>|<folder/>|" &&
	expect_exit 1 vfold fonopath.asice > out && test_grep "^fonopath.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *evidence.items *empty folder .. in evidence.xml: not under evidence/ \[FORMAT_FAILURE\]$" out &&
	! grep "cannot be read" out
'

# verify.c item_acquisition `k && !in->note` (`&& -> ||`: past the last child of an
# <acquisition> without a note, and a second note taking the first one's place): the
# report shows the first note of an item, and an item without one verifies.
test_expect_success 'the report shows the first note of an acquisition; one without a note verifies' '
	ls ev/chat-export/media | head -1 > m1 &&
	printf "%s\n" "path,source_url,note" "chat-export/_chat.txt,https://chat.invalid/a,first note" \
		"chat-export/media/$(cat m1),https://chat.invalid/m," > info.csv &&
	seal --item-info info.csv -o acq.asice ev/chat-export && unzip -p acq.asice evidence.xml > acq.xml &&
	test "$(grep -c "<acquisition " acq.xml)" = 2 && test "$(grep -c "<note>" acq.xml)" = 1 &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report acq.html acq.asice > out &&
	test_grep "^acq.asice: TOTAL-PASSED$" out && test_grep "first note" acq.html &&
	test_grep "https://chat.invalid/m" acq.html &&
	sed "s|<note>first note</note>|<note>first note</note><note>second note</note>|" acq.xml > acq2.xml &&
	! cmp -s acq.xml acq2.xml &&
	python3 "$TOP/tests/data/resign.py" acq.asice acq2.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=acq2.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report acq2.html acq2.asice > out &&
	test_grep "^acq2.asice: TOTAL-PASSED$" out && test_grep "first note" acq2.html && ! grep "second note" acq2.html
'

# verify.c evidence_item `is_el(d, ..., "acquisition") && !it->source_url`: the first
# <acquisition> of an item is the one (FORMAT.md §3.4: 0..1), even when it has no
# sourceUrl; a second one, which a forger adds, takes nothing from it.
test_expect_success 'an item with a second acquisition: the report shows the first one only' '
	printf "%s\n" "path,captured_by,note" "chat-export/_chat.txt,Officer A,seized note" > info1.csv &&
	seal --item-info info1.csv -o acq1.asice ev/chat-export && unzip -p acq1.asice evidence.xml > acq1.xml &&
	test_grep "<acquisition capturedBy=\"Officer A\">$" acq1.xml && test_grep "<note>seized note</note>" acq1.xml &&
	sed "s|</acquisition>|&<acquisition sourceUrl=\"https://forged.invalid/\" capturedBy=\"Someone Else\"><note>forged note</note></acquisition>|" acq1.xml > acq3.xml &&
	! cmp -s acq1.xml acq3.xml &&
	python3 "$TOP/tests/data/resign.py" acq1.asice acq3.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=acq3.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report acq3.html acq3.asice > out &&
	test_grep "^acq3.asice: TOTAL-PASSED$" out && test_grep "Officer A" acq3.html && test_grep "seized note" acq3.html &&
	! grep "forged.invalid" acq3.html && ! grep "Someone Else" acq3.html && ! grep "forged note" acq3.html
'

# verify.c parse_evidence `!cnt || !*cnt || *end || cnt[0] == '-' || cnt[0] == '+' || cnt[0] == ' '`
# (any `|| -> &&`): items/@count is the number of items in digits only (FORMAT.md §3.4);
# strtoull would read "+N" and " N" as N, and "Nx" as N.
test_expect_success 'an items count with a sign, a blank, a trailing letter, empty or missing fails' '
	unzip -p good.asice evidence.xml > cnt.xml &&
	n=$(grep -o "<items count=\"[0-9]*\">" cnt.xml | tr -dc 0-9) && test "$n" -gt 1 &&
	i=0 && for v in "+$n" " $n" "${n}x" "" none; do
		i=$((i + 1)) && if test "$v" = none; then r="<items>"; else r="<items count=\"$v\">"; fi &&
		sed "s|<items count=\"$n\">|$r|" cnt.xml > cnt-$i.xml && ! cmp -s cnt.xml cnt-$i.xml &&
		python3 "$TOP/tests/data/resign.py" good.asice cnt-$i.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=cnt-$i.xml &&
		expect_exit 1 verify --no-timestamp-ok --crl "$PKI/ca.crl" cnt-$i.asice > out &&
		test_grep "^cnt-$i.asice: TOTAL-FAILED$" out &&
		test_grep "FAILED *evidence.parse *items/@count is not the number of items ($n) \[FORMAT_FAILURE\]$" out || return 1
	done &&
	sed "s|<items count=\"$n\">|<items count=\"0$n\">|" cnt.xml > cnt-0.xml &&
	python3 "$TOP/tests/data/resign.py" good.asice cnt-0.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=cnt-0.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" cnt-0.asice > out && test_grep "^cnt-0.asice: TOTAL-PASSED$" out
'

# verify.c check_coverage `e->item >= 0` (`>= -> >`: the entry of the first item, index 0,
# taken as not yet listed): the first item listed twice is said to be, as any other (the
# verdict stays TOTAL-FAILED either way: the second listing is never judged, fill_items).
test_expect_success 'the first item listed twice in evidence.xml fails as listed twice' '
	python3 - cnt.xml dup.xml <<-\PY &&
	import re, sys
	x = open(sys.argv[1]).read()
	first = re.search(r"<item id=\"i1\" .*?</item>", x, re.S).group(0)
	n = int(re.search(r"<items count=\"([0-9]+)\">", x).group(1))
	x = x.replace("<items count=\"%d\">" % n, "<items count=\"%d\">" % (n + 1)).replace(first, first + first.replace("id=\"i1\"", "id=\"i0\""))
	open(sys.argv[2], "w").write(x)
	PY
	path=$(grep -o "<item id=\"i1\" path=\"[^\"]*\"" dup.xml | sed "s/.*path=\"//; s/\"\$//") &&
	test "$(grep -c "path=\"$path\"" dup.xml)" = 2 &&
	python3 "$TOP/tests/data/resign.py" good.asice dup.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=dup.xml &&
	expect_exit 1 verify --no-timestamp-ok --crl "$PKI/ca.crl" dup.asice > out && test_grep "^dup.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *evidence.items *.$path. is listed twice in evidence.xml \[FORMAT_FAILURE\]$" out
'

# zip_check.c is_dir_entry `get32(h + 20) <= 2` (`<= -> <`): Java's ZipOutputStream writes a
# directory entry with its default method, DEFLATED: 2 bytes (an empty stream) and a data
# descriptor.  Such an entry of a foreign container is a directory, not an unsafe entry.
test_expect_success 'a foreign container with DEFLATED directory entries of 2 bytes passes' '
	python3 -c "import sys, zipfile; i = zipfile.ZipFile(sys.argv[1]).getinfo(\"img/\"); assert (i.compress_type, i.compress_size, i.file_size) == (8, 2, 0)" corpus/e-jdir.asice &&
	verify -v --no-timestamp-ok --crl "$PKI/ca.crl" corpus/e-jdir.asice > out &&
	test_grep "^corpus/e-jdir.asice: TOTAL-PASSED$" out &&
	test_grep "passed *container.structure .*; 7 data descriptors, each equal to its central record$" out &&
	! grep "not a regular file" out
'

# zip_check.c check_local `int is64 = lxlen > 0 && (lcsize == MAX32 || lusize == MAX32)`
# (`> -> >=`): a local header that says 0xFFFFFFFF for its sizes but has no extra field has
# no ZIP64 field to make its data descriptor one of 8-byte sizes: the descriptor, which
# disagrees with the central record, is quoted as 4-byte sizes, as it was written.
test_expect_success 'a bad data descriptor after a local header of 0xFFFFFFFF sizes but no extra field is quoted as 4-byte sizes' '
	$ZH good.asice dd1.asice descriptor evidence/chat-export/_chat.txt 1 &&
	python3 - dd1.asice ddff.asice evidence/chat-export/_chat.txt > sizes <<-\PY &&
	import struct, sys, zipfile
	b = bytearray(open(sys.argv[1], "rb").read())
	i = zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[3])
	o = i.header_offset
	assert struct.unpack_from("<H", b, o + 6)[0] & 8 and struct.unpack_from("<H", b, o + 28)[0] == 0
	struct.pack_into("<II", b, o + 18, 0xFFFFFFFF, 0xFFFFFFFF)   # sizes, no extra field
	open(sys.argv[2], "wb").write(b)
	print(i.compress_size, i.file_size)
	PY
	read cs us < sizes &&
	expect_exit 1 verify ddff.asice > out && test_grep "^ddff.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the local ZIP64 field of .evidence/chat-export/_chat.txt. is damaged" out &&
	test_grep "FAILED *container.structure *the data descriptor of .evidence/chat-export/_chat.txt. says $((us + 1)) bytes ($((cs + 1)) compressed) where the central directory says $us ($cs) \[FORMAT_FAILURE\]$" out
'

# zip_check.c zip_check `E.cd_off <= E.cd_end && E.cd_size < E.cd_end - E.cd_off` (`&& -> ||`):
# an end record whose central directory would run a byte into the end record itself is
# said to be so (not a gap of 2^64 - 1 bytes).
test_expect_success 'an end record whose central directory size is a byte too large says so' '
	python3 - good.asice cdbig.asice > where <<-\PY &&
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	e = b.rfind(b"PK\x05\x06")
	size, off = struct.unpack_from("<II", b, e + 12)
	assert off + size == e
	struct.pack_into("<I", b, e + 12, size + 1)
	open(sys.argv[2], "wb").write(b)
	print(size + 1, off, e)
	PY
	read size off end < where &&
	expect_exit 1 verify cdbig.asice > out && test_grep "^cdbig.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *container.structure *the central directory ($size bytes at offset $off) does not end where the end record begins ($end) \[FORMAT_FAILURE\]$" out &&
	! grep "belong to no entry" out
'

# zip_check.c check_central `cap && r->usize > cap` (`> -> >=`): evidence.xml of exactly 64
# MiB, the limit (seal writes one that size: evidence_xml.c refuses only a larger one), is
# within it.  Forged by its officer (resign.py): the real one and blanks after its root
# element, deflated to a few KiB.
test_expect_success 'an evidence.xml of exactly 64 MiB is within the limit' '
	unzip -p good.asice evidence.xml > big.xml &&
	python3 -c "import sys; f = open(sys.argv[1], \"ab\"); f.write(b\"\\n\" * (64 * 2**20 - f.tell()))" big.xml &&
	test "$(wc -c < big.xml)" = 67108864 &&
	python3 "$TOP/tests/data/resign.py" good.asice big.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=big.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" big.asice > out && test_grep "^big.asice: TOTAL-PASSED$" out &&
	! grep "container.limits" out
'

# zip_check.c zip_rd_read `zr == Z_BUF_ERROR && !rd->zs.avail_in` (`== -> !=`: inflate having
# used up the compressed bytes read so far would be taken for the stream's end): an entry
# whose DEFLATE stream is longer than the 256 KiB read at a time (text of random letters).
test_expect_success 'an entry of more than 256 KiB of DEFLATE data verifies and extracts' '
	mkdir -p big/d && python3 -c "import base64, os, sys; open(sys.argv[1], \"wb\").write(base64.encodebytes(os.urandom(600000)))" big/d/notes.txt &&
	seal -o bigz.asice big/d &&
	python3 -c "import sys, zipfile; i = zipfile.ZipFile(sys.argv[1]).getinfo(\"evidence/d/notes.txt\"); assert i.compress_type == 8 and i.compress_size > 2 * 256 * 1024, i.compress_size" bigz.asice &&
	verify --no-timestamp-ok bigz.asice > out && test_grep "^bigz.asice: TOTAL-PASSED$" out &&
	scelle extract -q --trust "$PKI/ca.pem" --no-timestamp-ok -C bigx bigz.asice &&
	cmp big/d/notes.txt bigx/d/notes.txt
'

# verify_sig.c check_signed_attrs, `return -1` after "signing-time holds no readable ..."
# (-> `return 0`: the signature judged on, at a signing time of 0, the epoch).  As for a
# content-type that is not id-data, nothing more of such a signature is checked: no line
# of the report may say that a part of it passed.
test_expect_success 'a signing-time that holds no time: nothing more of the signature is said to pass' '
	rm -rf sa && mkdir sa && (cd sa && unzip -q ../good.asice META-INF/signature001.p7s) &&
	python3 "$TOP/tests/data/signedattr.py" sa/META-INF/signature001.p7s st.p7s "$PKI/officer.key" st-type &&
	$ZE good.asice st.asice replace META-INF/signature001.p7s st.p7s &&
	expect_exit 1 verify -v --no-timestamp-ok st.asice > out && test_grep "^st.asice: TOTAL-FAILED$" out &&
	test_grep "FAILED *signature.attributes *signed attribute signing-time holds no readable UTCTime or GeneralizedTime \[SIG_CONSTRAINTS_FAILURE\]$" out &&
	test "$(grep -c "signature\.\|timestamp\." out)" = 1
'

# verify_sig.c verify_chain, `goto out` removed after "no trust anchor given for signers"
# (the chain would then be built against no store, and fail a second time, as an unknown
# anchor).
test_expect_success 'without --trust, signature.chain says once that no trust anchor was given' '
	expect_exit 3 scelle verify -v --tsa-trust "$PKI/tsa-ca.pem" good.asice > out &&
	test_grep "^good.asice: INDETERMINATE$" out &&
	test_grep "INDETERMINATE *signature.chain *no trust anchor given for signers: the signer cannot be identified \[NO_CERTIFICATE_CHAIN_FOUND\]$" out &&
	test "$(grep -c "signature.chain" out)" = 1
'

# verify.c pass_digests `if (entry_unread(c, e, rd, n)) failed++` negated (every entry read
# counted as failed): the summary line that every signed entry matches its digests.
test_expect_success 'a good archive says how many signed entries match their digests' '
	verify -v good.asice > out && test_grep "^good.asice: TOTAL-PASSED$" out &&
	n=$(unzip -Z1 good.asice | grep -c "^evidence") &&
	test_grep "passed *manifest.digest *$n signed entries match their digests$" out
'

# verify.c evidence_header, `continue` removed after a child of <case> that is not a
# reference (a comment, here: the schema allows one anywhere): its text would become a case
# reference, without authority or country, in the JSON and the report.
test_expect_success 'a comment inside <case> is no case reference' '
	printf "%s\n" "<case xmlns=\"urn:scelle:evidence:1\">" \
		"  <reference authority=\"OCRTEH Paris\" country=\"FR\">2026/OCRTEH/0042</reference>" \
		"  <legalBasis>EIO 2026/117</legalBasis>" "</case>" > case1.xml &&
	seal --case-file case1.xml -o case1.asice ev/chat-export 2>/dev/null &&
	unzip -p case1.asice evidence.xml > case1e.xml &&
	sed "s|<legalBasis>|<!--forged reference-->&|" case1e.xml > casec.xml && ! cmp -s case1e.xml casec.xml &&
	python3 "$TOP/tests/data/resign.py" case1.asice casec.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=casec.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --json casec.asice > casec.json &&
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); assert d[\"verdict\"] == \"TOTAL-PASSED\", d[\"verdict\"]; assert [c[\"reference\"] for c in d[\"cases\"]] == [\"2026/OCRTEH/0042\"], d[\"cases\"]" casec.json &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report casec.html casec.asice > out &&
	test_grep "2026/OCRTEH/0042" casec.html && ! grep "forged reference" casec.html
'

# verify.c item_members `(b && strcmp(b, "false") == 0) || (p && ...)` (`== -> !=`: every
# record whose digest matches counted as one that does not): the report says the declared
# digests of a WARC match, and counts the records of a tampered one that do not; "0" is
# false too (xs:boolean, evidence.xsd), as another sealer may write it.
test_expect_success 'the report says a WARC matches its declared digests, and counts the records that do not' '
	test_grep "records: 5, captures: 2 &middot; .* &middot; declared digests match" warc.html &&
	python3 "$TOP/tests/data/mkwarc.py" --tamper 1 w/cap.warc "https://ads.invalid/4711=wsrc/page.html" \
		"https://ads.invalid/b=wsrc/page.html" &&
	seal -o warct.asice w 2>/dev/null &&
	unzip -p warct.asice evidence.xml > warct.xml &&
	test "$(grep -o "<record [^>]*>" warct.xml | grep -c "blockDigestMatches=\"false\" .*payloadDigestMatches=\"false\"")" = 1 &&
	test "$(grep -o "DigestMatches=\"false\"" warct.xml | wc -l)" = 2 &&
	verify --no-timestamp-ok --report warct.html warct.asice > out && test_grep "^warct.asice: TOTAL-PASSED$" out &&
	test_grep "records that do not match their declared digest: 1</b>" warct.html &&
	sed "0,/blockDigestMatches=\"true\"/s//blockDigestMatches=\"0\"/" warc.xml > warc0.xml && ! cmp -s warc.xml warc0.xml &&
	python3 "$TOP/tests/data/resign.py" warc.asice warc0.asice "$PKI/officer.key" "$PKI/officer.pem" evidence.xml=warc0.xml &&
	verify --no-timestamp-ok --crl "$PKI/ca.crl" --report warc0.html warc0.asice > out &&
	test_grep "^warc0.asice: TOTAL-PASSED$" out &&
	test_grep "records that do not match their declared digest: 1</b>" warc0.html
'

# verify_sig.c check_signed_attrs, the `return -1` after each finding (-> `return 0`: the
# attributes judged on, and the signature after them): no signed attributes at all, the
# content-type twice (ct2.asice above), no signing-certificate(-v2).  Each is said once,
# and nothing more of the signature is said to pass.
test_expect_success 'a signature refused for its signed attributes is refused once, nothing of it passed' '
	unzip -p good.asice META-INF/ASiCManifest001.xml > sa.xml &&
	openssl cms -sign -binary -noattr -md sha256 -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in sa.xml -out noattr.p7s &&
	openssl cms -sign -binary -nosmimecap -md sha256 -outform DER -signer "$PKI/officer.pem" \
		-inkey "$PKI/officer.key" -in sa.xml -out noess.p7s &&
	$ZE good.asice noattr.asice replace META-INF/signature001.p7s noattr.p7s &&
	$ZE good.asice noess.asice replace META-INF/signature001.p7s noess.p7s &&
	for a in noattr:"the signature has no signed attributes (not CAdES)" \
		ct2:"signed attribute content-type is repeated" \
		noess:"signed attribute signing-certificate-v2 is missing"; do
		expect_exit 1 verify -v --no-timestamp-ok "${a%%:*}.asice" > out &&
		test_grep "FAILED *signature.attributes *${a#*:} \[SIG_CONSTRAINTS_FAILURE\]$" out &&
		test "$(grep -c "signature\.\|timestamp\." out)" = 1 || return 1
	done
'

test_done
