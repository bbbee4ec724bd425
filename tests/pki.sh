#!/bin/sh
# pki.sh DIR — makes a throwaway PKI for the tests and the demo, with stock openssl:
#   ca.pem/ca.key            root CA of the sealing unit ("Demo Police Root CA")
#   officer.pem/officer.key  officer certificate (digitalSignature, nonRepudiation)
#   officer-enc.key          the same key, encrypted with the pass phrase "secret"
#   officer.p12              key + cert + CA, pass phrase "secret"
#   es-officer.pem/.key      a second officer (the receiving unit abroad), same root
#   tsa-ca.pem, tsa.pem/.key a time-stamp authority (critical EKU timeStamping)
#   tsa-noeku.pem/.key       a TSA certificate without the timeStamping EKU
#   other-ca.pem, other.pem/.key   an unrelated CA and its signer
#   expired.pem/.key         an officer certificate that expired in 2020
#   rsa-officer.pem/.key     an RSA-2048 officer
#   ca.crl                   the root CA's CRL (PEM, nothing revoked, valid 825 days): the
#                            revocation data for its officers (FORMAT.md §5)
set -e
d=$1
mkdir -p "$d"
cd "$d"
[ -f done ] && exit 0
cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_noeku]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[caopts]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
countryName = optional
CNF
eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
root() { # name subject
	eckey "$1.key"
	openssl req -x509 -new -key "$1.key" -subj "$2" -days 3650 -sha256 \
		-config ext.cnf -extensions ca -out "$1.pem"
}
leaf() { # name subject ca ext
	[ -f "$1.key" ] || eckey "$1.key"
	openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 825 \
		-sha256 -extfile ext.cnf -extensions "$4" -out "$1.pem" 2>/dev/null
}
root ca "/C=FR/O=Demo Police Nationale/CN=Demo Police Root CA"
leaf officer "/C=FR/O=Demo Police Nationale/OU=OCRTEH/CN=Capitaine Demo Martin" ca signer
leaf es-officer "/C=ES/O=Demo Policia Nacional/OU=UCRIF/CN=Inspectora Demo Garcia" ca signer
openssl pkey -in officer.key -aes256 -passout pass:secret -out officer-enc.key
openssl pkcs12 -export -inkey officer.key -in officer.pem -certfile ca.pem -passout pass:secret \
	-name officer -out officer.p12
root tsa-ca "/C=FR/O=Demo Time Authority/CN=Demo TSA Root"
leaf tsa "/C=FR/O=Demo Time Authority/CN=Demo TSA 1" tsa-ca tsa
leaf tsa-noeku "/C=FR/O=Demo Time Authority/CN=Demo TSA without EKU" tsa-ca tsa_noeku
root other-ca "/C=XX/O=Unknown Unit/CN=Unknown Root CA"
leaf other "/C=XX/O=Unknown Unit/CN=Unknown Signer" other-ca signer
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-officer.key 2>/dev/null
leaf rsa-officer "/C=FR/O=Demo Police Nationale/CN=Lieutenant Demo RSA" ca signer
# An expired certificate needs fixed dates: openssl ca takes -startdate/-enddate.
eckey expired.key
openssl req -new -key expired.key -subj "/C=FR/O=Demo Police Nationale/CN=Expired Officer" -out expired.csr
: > index.txt; echo 1000 > serial
openssl ca -batch -config ext.cnf -name caopts -cert ca.pem -keyfile ca.key -in expired.csr \
	-startdate 20190101000000Z -enddate 20200101000000Z -extfile ext.cnf -extensions signer \
	-notext -out expired.pem 2>/dev/null
openssl ca -batch -config ext.cnf -name caopts -cert ca.pem -keyfile ca.key -gencrl \
	-crldays 825 -out ca.crl 2>/dev/null
rm -f ./*.csr
touch done
