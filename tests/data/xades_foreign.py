#!/usr/bin/env python3
"""xades_foreign.py PKI OUTDIR [TSA_URL] — foreign XAdES containers for t67-etsi-xades.sh,
made offline the way libdigidocpp and EU DSS lay them out, signed by the stock `xmlsec1
--sign` from a template (no scelle code involved), zipped by Python's zipfile:

  xf.asice      ASiC-E, META-INF/signatures0.xml (XAdES-B-B, signer es-officer) over two
                files, one of them "déjà vu.txt" referenced by its percent-encoded name;
                an OpenDocument META-INF/manifest.xml; no evidence.xml
  xf-t.asice    the same signature with a SignatureTimeStamp from TSA_URL (B-T) and an
                unsigned property of another kind (xades141:TimeStampValidationData)
  xf-dd.asice   as libdigidocpp writes it: META-INF/signatures1.xml, C14N 1.1 for SignedInfo,
                no transform on the SignedProperties reference
  xf-v1.asice   SigningCertificate (XAdES 1.3.2) instead of SigningCertificateV2
  xf.asics      ASiC-S: META-INF/signatures.xml over the one data object
Tampered copies of xf.asice:
  xt-data.asice     a byte of doc.txt changed
  xt-sigval.asice   a base64 character of SignatureValue changed (length kept)
  xt-ref.asice      the Reference to doc.txt removed from SignedInfo (not re-signed)
  xt-extra.asice    an unsigned extra file, planted.txt
  xt-missing.asice  doc.txt removed (signed data not found)
  xt-v1serial.asice SigningCertificate with another serial number (signed so)
"""
import base64, os, re, subprocess, sys, tempfile, time, urllib.request, zipfile

PKI, OUT = os.path.abspath(sys.argv[1]), sys.argv[2]
TSA = sys.argv[3] if len(sys.argv) > 3 else None
os.makedirs(OUT, exist_ok=True)
KEY, CERT = os.path.join(PKI, "es-officer.key"), os.path.join(PKI, "es-officer.pem")
FILES = [("doc.txt", b"a foreign document\n"), ("d\u00e9j\u00e0 vu.txt", "déjà vu\n".encode())]
DSIG = "http://www.w3.org/2000/09/xmldsig#"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def run(*args, **kw):
    return subprocess.run(args, check=True, stdout=subprocess.PIPE, **kw).stdout


cert_der = run("openssl", "x509", "-in", CERT, "-outform", "DER")
ec = b"ASN1 OID" in run("openssl", "pkey", "-in", KEY, "-noout", "-text")
method = "http://www.w3.org/2001/04/xmldsig-more#" + ("ecdsa-sha256" if ec else "rsa-sha256")
cert_digest = base64.b64encode(__import__("hashlib").sha256(cert_der).digest()).decode()


def uri(name):
    return urllib.parse.quote(name, safe="/")


serial = int(run("openssl", "x509", "-in", CERT, "-noout", "-serial").decode().split("=")[1], 16)
issuer = run("openssl", "x509", "-in", CERT, "-noout", "-issuer", "-nameopt", "RFC2253").decode()
issuer = issuer.split("=", 1)[1].strip()


def template(files, c14n=EXC, sp_transform=True, v1_serial=None):
    refs = "".join(
        '<ds:Reference Id="S0-RefId%d" URI="%s"><ds:DigestMethod Algorithm="%s"/>'
        "<ds:DigestValue></ds:DigestValue></ds:Reference>" % (i, uri(n), SHA256)
        for i, (n, _) in enumerate(files))
    formats = "".join(
        '<xades:DataObjectFormat ObjectReference="#S0-RefId%d"><xades:MimeType>text/plain'
        "</xades:MimeType></xades:DataObjectFormat>" % i for i in range(len(files)))
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    signing_cert = ('<xades:SigningCertificateV2><xades:Cert><xades:CertDigest><ds:DigestMethod '
                    'Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></xades:CertDigest>'
                    '</xades:Cert></xades:SigningCertificateV2>' % (SHA256, cert_digest))
    if v1_serial is not None:  # XAdES 1.3.2's SigningCertificate, as libdigidocpp writes it
        signing_cert = ('<xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod '
                        'Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue></xades:CertDigest>'
                        '<xades:IssuerSerial><ds:X509IssuerName>%s</ds:X509IssuerName>'
                        '<ds:X509SerialNumber>%d</ds:X509SerialNumber></xades:IssuerSerial>'
                        '</xades:Cert></xades:SigningCertificate>'
                        % (SHA256, cert_digest, issuer, v1_serial))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" '
            'xmlns:ds="%s" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#">'
            '<ds:Signature Id="S0"><ds:SignedInfo>'
            '<ds:CanonicalizationMethod Algorithm="%s"/><ds:SignatureMethod Algorithm="%s"/>%s'
            '<ds:Reference Id="S0-RefId-SP" Type="http://uri.etsi.org/01903#SignedProperties" '
            'URI="#S0-SignedProperties">%s<ds:DigestMethod Algorithm="%s"/><ds:DigestValue></ds:DigestValue>'
            '</ds:Reference></ds:SignedInfo><ds:SignatureValue Id="S0-SIG"></ds:SignatureValue>'
            '<ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>'
            '</ds:KeyInfo><ds:Object><xades:QualifyingProperties Target="#S0">'
            '<xades:SignedProperties Id="S0-SignedProperties"><xades:SignedSignatureProperties>'
            '<xades:SigningTime>%s</xades:SigningTime>%s</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>%s'
            '</xades:SignedDataObjectProperties></xades:SignedProperties>'
            '</xades:QualifyingProperties></ds:Object></ds:Signature></asic:XAdESSignatures>\n'
            % (DSIG, c14n, method, refs, sp_transform and
               '<ds:Transforms><ds:Transform Algorithm="%s"/></ds:Transforms>' % EXC or "",
               SHA256, base64.b64encode(cert_der).decode(), when, signing_cert, formats))


def sign(files, **kw):
    """The template signed by xmlsec1, which reads each file by its URI from a folder."""
    with tempfile.TemporaryDirectory() as d:
        for n, data in files:
            open(os.path.join(d, n), "wb").write(data)
        open(os.path.join(d, "t.xml"), "w").write(template(files, **kw))
        run("xmlsec1", "--sign", "--id-attr:Id", "SignedProperties", "--privkey-pem", KEY,
            "--output", "s.xml", "t.xml", cwd=d, stderr=subprocess.DEVNULL)
        return open(os.path.join(d, "s.xml")).read()


def timestamp(sig):
    """A SignatureTimeStamp over the exclusive C14N of ds:SignatureValue (EN 319 132-1
    §5.3): the element alone, with the one namespace it uses, as exclusive C14N writes it."""
    value = re.search(r'<ds:SignatureValue Id="S0-SIG">([^<]*)</ds:SignatureValue>', sig).group(1)
    c14n = ('<ds:SignatureValue xmlns:ds="%s" Id="S0-SIG">%s</ds:SignatureValue>'
            % (DSIG, value.replace("\r", "&#xD;"))).encode()
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "c"), "wb").write(c14n)
        req = run("openssl", "ts", "-query", "-data", os.path.join(d, "c"), "-sha256", "-cert")
        r = urllib.request.Request(TSA, req, {"Content-Type": "application/timestamp-query"})
        open(os.path.join(d, "r"), "wb").write(urllib.request.urlopen(r, timeout=20).read())
        tok = run("openssl", "ts", "-reply", "-in", os.path.join(d, "r"), "-token_out")
    ts = ('<xades:UnsignedProperties><xades:UnsignedSignatureProperties>'
          '<xades:SignatureTimeStamp Id="S0-TS-0"><ds:CanonicalizationMethod Algorithm="%s"/>'
          '<xades:EncapsulatedTimeStamp>%s</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>'
          '<xades141:TimeStampValidationData xmlns:xades141="http://uri.etsi.org/01903/v1.4.1#"/>'
          '</xades:UnsignedSignatureProperties></xades:UnsignedProperties>'
          % (EXC, base64.b64encode(tok).decode()))
    return sig.replace("</xades:SignedProperties>", "</xades:SignedProperties>" + ts, 1)


def manifest(files, mime):
    entries = "".join('<manifest:file-entry manifest:full-path="%s" manifest:media-type='
                      '"text/plain"/>' % n for n, _ in files)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>%s'
            '</manifest:manifest>\n' % (mime, entries))


def write(name, entries):
    with zipfile.ZipFile(os.path.join(OUT, name), "w") as z:
        for n, data, method in entries:
            z.writestr(zipfile.ZipInfo(n, (2026, 12, 1, 12, 0, 0)), data, compress_type=method)


E = "application/vnd.etsi.asic-e+zip"
S, D = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED


def asice(name, files, sig, signame="META-INF/signatures0.xml", extra=()):
    write(name, [("mimetype", E.encode(), S)] + [(n, d, D) for n, d in files] + list(extra) +
          [("META-INF/manifest.xml", manifest(files, E).encode(), D), (signame, sig.encode(), D)])


sig = sign(FILES)
asice("xf.asice", FILES, sig)
# as libdigidocpp writes it: C14N 1.1 for SignedInfo, no transform on the SignedProperties
# reference, the next signature number
asice("xf-dd.asice", FILES, sign(FILES, c14n="http://www.w3.org/2006/12/xml-c14n11",
                                 sp_transform=False), signame="META-INF/signatures1.xml")
if TSA:
    asice("xf-t.asice", FILES, timestamp(sig))
asice("xf-v1.asice", FILES, sign(FILES, v1_serial=serial))
asice("xt-v1serial.asice", FILES, sign(FILES, v1_serial=serial + 1))
one = FILES[:1]
write("xf.asics", [("mimetype", b"application/vnd.etsi.asic-s+zip", S), (one[0][0], one[0][1], D),
                   ("META-INF/signatures.xml", sign(one).encode(), D)])
asice("xt-data.asice", [(FILES[0][0], b"a foreign documenT\n"), FILES[1]], sig)
m = re.search(r'<ds:SignatureValue Id="S0-SIG">\s*(.)', sig)
i = m.start(1)
asice("xt-sigval.asice", FILES, sig[:i] + ("B" if sig[i] == "A" else "A") + sig[i + 1:])
asice("xt-ref.asice", FILES, re.sub(r'<ds:Reference Id="S0-RefId0".*?</ds:Reference>', "", sig,
                                    count=1, flags=re.S))
asice("xt-extra.asice", FILES, sig, extra=[("planted.txt", b"planted\n", D)])
asice("xt-missing.asice", FILES[1:], sig)
