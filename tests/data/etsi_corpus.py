#!/usr/bin/env python3
"""etsi_corpus.py PKI OUTDIR — foreign ETSI ASiC containers for t65-etsi.sh, made without a
network by stock `openssl cms -sign -binary -cades` and `openssl ts -reply` over ASiCManifest
files written here, zipped the way Java's ZipOutputStream (EU DSS) does: DEFLATED entries
with data descriptors (general purpose bit 3; zeros in the local header), directory entries,
other names than scelle's.  Python's zipfile is not used to write: it cannot write a STORED
'mimetype' without a descriptor and a DEFLATED entry with one into the same file.

Good containers (each has its expected ETSI verdict in t65):
  e-dd.asice      ASiC-E, META-INF/signature-a.p7s + ASiCManifest-a.xml, data descriptors
                  with and without their signature, one ZIP64 descriptor, directory entries
  e-jdir.asice    e-dd with its directory entries as ZipOutputStream writes them by default:
                  DEFLATED, 2 bytes (an empty stream), a data descriptor
  e-two.asice     two signatures, each with its manifest; one unsigned file (notes.txt)
  e-archive.asice one signature and an ASiCArchiveManifest.xml time-stamped by a .tst
  e-lta.asice     the same, with an archive manifest of a form scelle does not check
  s.asics         ASiC-S: doc.txt and META-INF/signature.p7s, detached over it
  s-tst.asics     ASiC-S: doc.txt and META-INF/timestamp.tst over it
  e-001.asice     ASiC-E with scelle's names (ASiCManifest001.xml, signature001.p7s), no evidence.xml
  n-tst.asice     ASiC-E whose one time-stamp no manifest names (INDETERMINATE: nothing checked)
  x.asice         ASiC-E with a XAdES META-INF/signatures0.xml holding no signature
Tampered copies (each must be TOTAL-FAILED):
  t-data.asice    a data byte changed (CRC-32 recomputed, as a forger would)
  t-mdigest.asice a digest in the manifest changed
  t-sig.asice     a byte of the signature value changed
  t-swap.asice    e-two with the two signatures' names swapped
  t-sigref.asice  e-two with the SigReference URIs of the two manifests swapped
  t-dd.asice      a data descriptor that disagrees with the central directory
  t-asics.asics   s.asics with a data byte changed
etsi_corpus.py --dd IN OUT — IN rewritten with a data descriptor (agreeing with the central
directory) on every entry but 'mimetype', as Java would write it: for scelle's own archives,
which must refuse them.
"""
import base64
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
import zlib

PKI, OUT = sys.argv[1], sys.argv[2]
NS = "http://uri.etsi.org/02918/v1.2.1#"
DS = "http://www.w3.org/2000/09/xmldsig#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
DOC = b"Minutes of the hearing of 2 December 2026.\n" * 40
PHOTO = bytes(range(256)) * 64
NOTES = b"unsigned notes\n"


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def tmp(name, data=None):
    p = os.path.join(WORK, name)
    if data is not None:
        with open(p, "wb") as f:
            f.write(data)
    return p


def sign(content):
    """A detached CAdES-B-B signature (DER) over content by the test officer."""
    src, sig = tmp("content", content), tmp("sig.p7s")
    run("openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-in", src,
        "-signer", PKI + "/officer.pem", "-inkey", PKI + "/officer.key", "-outform", "DER",
        "-out", sig)
    return open(sig, "rb").read()


TSA_CONFIG = """[tsa]
serial = {w}/serial
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
ess_cert_id_alg = sha256
"""


def timestamp(content):
    """An RFC 3161 token (DER) over content from `openssl ts -reply` and the test TSA."""
    cnf = tmp("tsa.cnf", TSA_CONFIG.format(w=WORK).encode())
    if not os.path.exists(tmp("serial")):
        tmp("serial", b"01\n")
    run("openssl", "ts", "-query", "-data", tmp("content", content), "-sha256", "-cert",
        "-no_nonce", "-out", tmp("q.tsq"))
    run("openssl", "ts", "-reply", "-config", cnf, "-section", "tsa", "-queryfile",
        tmp("q.tsq"), "-signer", PKI + "/tsa.pem", "-inkey", PKI + "/tsa.key", "-token_out",
        "-out", tmp("tok.der"))
    return open(tmp("tok.der"), "rb").read()


def manifest(sigref, files, mime="application/pkcs7-signature"):
    """An ASiCManifest (EN 319 162-1 A.4) over files: [(name, bytes)]."""
    refs = "".join(
        '<asic:DataObjectReference URI="%s" MimeType="application/octet-stream">'
        '<ds:DigestMethod Algorithm="%s"/><ds:DigestValue>%s</ds:DigestValue>'
        "</asic:DataObjectReference>" % (n, SHA256, base64.b64encode(hashlib.sha256(d).digest()).decode())
        for n, d in files)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
            '<asic:ASiCManifest xmlns:asic="%s" xmlns:ds="%s">'
            '<asic:SigReference URI="%s" MimeType="%s"/>%s</asic:ASiCManifest>'
            % (NS, DS, sigref, mime, refs)).encode()


def zipfile_bytes(entries):
    """entries: [(name, data, how)], how one of 'stored', 'dd' (DEFLATED, descriptor with its
    signature), 'dd-nosig', 'dd64' (ZIP64-sized descriptor), 'dir', 'dir-dd' (a directory
    DEFLATED, with a descriptor), or 'dd-lie' (a descriptor one byte short).  Returns the ZIP file as Java's ZipOutputStream lays it out."""
    out, central = bytearray(), bytearray()
    for name, data, how in entries:
        n = name.encode()
        crc = zlib.crc32(data)
        if how in ("stored", "dir"):
            comp, method, flags = data, 0, 0
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp, method, flags = c.compress(data) + c.flush(), 8, 8
        off = len(out)
        lcrc, lc, lu = (0, 0, 0) if flags else (crc, len(comp), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, flags, method, 0, 0x5b82, lcrc, lc, lu,
                           len(n), 0) + n + comp
        if how in ("dd", "dir-dd"):
            out += struct.pack("<IIII", 0x08074b50, crc, len(comp), len(data))
        elif how == "dd-nosig":
            out += struct.pack("<III", crc, len(comp), len(data))
        elif how == "dd64":
            out += struct.pack("<IIQQ", 0x08074b50, crc, len(comp), len(data))
        elif how == "dd-lie":
            out += struct.pack("<IIII", 0x08074b50, crc, len(comp), len(data) - 1)
        attr = (0o40755 << 16 | 0x10) if how in ("dir", "dir-dd") else 0o100644 << 16
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 3 << 8 | 20, 20, flags, method, 0,
                               0x5b82, crc, len(comp), len(data), len(n), 0, 0, 0, 0, attr, off) + n
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, len(entries), len(entries), len(central),
                      len(out), 0)
    return bytes(out + central + end)


def write(name, entries):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(zipfile_bytes(entries))


if PKI == "--dd":
    import zipfile
    zin = zipfile.ZipFile(sys.argv[2])
    with open(sys.argv[3], "wb") as f:
        f.write(zipfile_bytes([(i.filename, zin.read(i), "stored" if i.filename == "mimetype" else "dd")
                               for i in zin.infolist()]))
    sys.exit(0)
os.makedirs(OUT, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="corpus.", dir=OUT)
MIME_E = ("mimetype", b"application/vnd.etsi.asic-e+zip", "stored")
MIME_S = ("mimetype", b"application/vnd.etsi.asic-s+zip", "stored")
BIG = bytes(i * 7 % 251 for i in range(70000))

# e-dd: one signature, other names, every kind of data descriptor, directory entries
files = [("doc.txt", DOC), ("img/photo.bin", PHOTO), ("big.bin", BIG)]
man_a = manifest("META-INF/signature-a.p7s", files)
sig_a = sign(man_a)
base = [MIME_E, ("img/", b"", "dir"), ("doc.txt", DOC, "dd"), ("img/photo.bin", PHOTO, "dd-nosig"),
        ("big.bin", BIG, "dd64"), ("META-INF/", b"", "dir"),
        ("META-INF/ASiCManifest-a.xml", man_a, "dd"), ("META-INF/signature-a.p7s", sig_a, "dd")]
write("e-dd.asice", base)
write("e-jdir.asice", [(n, d, "dir-dd" if h == "dir" else h) for n, d, h in base])


def variant(entries, name, data=None, how=None, rename=None):
    res = []
    for n, d, h in entries:
        if n == name:
            n, d, h = rename or n, d if data is None else data, how or h
        res.append((n, d, h))
    return res


write("t-data.asice", variant(base, "doc.txt", DOC[:100] + b"X" + DOC[101:]))
write("t-mdigest.asice", variant(base, "META-INF/ASiCManifest-a.xml", manifest(
    "META-INF/signature-a.p7s", [("doc.txt", DOC + b"!"), files[1], files[2]])))
write("t-sig.asice", variant(base, "META-INF/signature-a.p7s", sig_a[:-10] + bytes([sig_a[-10] ^ 1]) + sig_a[-9:]))
write("t-dd.asice", variant(base, "img/photo.bin", how="dd-lie"))

# e-two: two signatures over different sets, an unsigned file
man_b = manifest("META-INF/signature-b.p7s", [("doc.txt", DOC), ("notes/photo2.bin", PHOTO)])
sig_b = sign(man_b)
man_a2 = manifest("META-INF/signature-a.p7s", [("doc.txt", DOC)])
sig_a2 = sign(man_a2)
two = [MIME_E, ("doc.txt", DOC, "dd"), ("notes/photo2.bin", PHOTO, "dd"), ("notes.txt", NOTES, "dd"),
       ("META-INF/ASiCManifest-a.xml", man_a2, "dd"), ("META-INF/signature-a.p7s", sig_a2, "dd"),
       ("META-INF/ASiCManifest-b.xml", man_b, "dd"), ("META-INF/signature-b.p7s", sig_b, "dd")]
write("e-two.asice", two)
write("t-swap.asice", [(n.replace("-a.p7s", "-X.p7s").replace("-b.p7s", "-a.p7s").replace("-X.p7s", "-b.p7s"), d, h)
                       for n, d, h in two])
write("t-sigref.asice", variant(variant(two, "META-INF/ASiCManifest-a.xml",
                                        man_a2.replace(b"signature-a.p7s", b"signature-b.p7s")),
                                "META-INF/ASiCManifest-b.xml", man_b.replace(b"signature-b.p7s", b"signature-a.p7s")))

# e-archive: an archive manifest time-stamped (the LTA form of EN 319 162-1 A.6)
arch_files = [("doc.txt", DOC), ("META-INF/ASiCManifest-a.xml", man_a2), ("META-INF/signature-a.p7s", sig_a2)]
arch = manifest("META-INF/archive-timestamp.tst", arch_files, "application/vnd.etsi.timestamp-token")
arch_tst = timestamp(arch)
single = [MIME_E, ("doc.txt", DOC, "dd"), ("META-INF/ASiCManifest-a.xml", man_a2, "dd"),
          ("META-INF/signature-a.p7s", sig_a2, "dd")]
write("e-archive.asice", single + [("META-INF/ASiCArchiveManifest.xml", arch, "dd"),
                                   ("META-INF/archive-timestamp.tst", arch_tst, "dd")])
write("t-archive.asice", single + [("META-INF/ASiCArchiveManifest.xml", arch, "dd"),
                                   ("META-INF/archive-timestamp.tst", timestamp(arch + b" "), "dd")])
# an archive manifest whose SigReference names something scelle does not check
lta = manifest("META-INF/evidencerecord.ers", arch_files)
write("e-lta.asice", single + [("META-INF/ASiCArchiveManifest.xml", lta, "dd"),
                               ("META-INF/evidencerecord.ers", b"\x30\x00", "dd")])

# ASiC-S
write("s.asics", [MIME_S, ("doc.txt", DOC, "dd"), ("META-INF/signature.p7s", sign(DOC), "dd")])
write("t-asics.asics", [MIME_S, ("doc.txt", DOC[:7] + b"x" + DOC[8:], "dd"),
                        ("META-INF/signature.p7s", sign(DOC), "dd")])
write("s-tst.asics", [MIME_S, ("doc.txt", DOC, "stored"), ("META-INF/timestamp.tst", timestamp(DOC), "dd")])

# scelle's names, no evidence.xml: a foreign container all the same
man_1 = manifest("META-INF/signature001.p7s", [("doc.txt", DOC)])
write("e-001.asice", [MIME_E, ("doc.txt", DOC, "dd"), ("META-INF/ASiCManifest001.xml", man_1, "dd"),
                      ("META-INF/signature001.p7s", sign(man_1), "dd")])

# a time-stamp token no manifest names: nothing can be checked
write("n-tst.asice", [MIME_E, ("doc.txt", DOC, "dd"), ("META-INF/timestamp.tst", timestamp(DOC), "dd")])

# XAdES: verified (t67-etsi-xades.sh); this one holds no signature
write("x.asice", [MIME_E, ("doc.txt", DOC, "dd"), ("META-INF/signatures0.xml",
                  b'<XAdESSignatures xmlns="http://uri.etsi.org/02918/v1.2.1#"/>', "dd")])

for f in os.listdir(WORK):
    os.remove(os.path.join(WORK, f))
os.rmdir(WORK)
