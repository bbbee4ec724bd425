#!/usr/bin/env python3
"""resign.py IN OUT KEY CERT [NAME=FILE]... — a forgery made by someone who holds a signing
key: entries replaced by the bytes of FILE, the ASiCManifest DigestValue of each replaced
entry set to its new SHA-256, and the manifest signed again with stock openssl as CAdES
(openssl cms -sign -cades; digest $RESIGN_MD, default sha256).  What the manifest does not say (evidence.xml's own digests,
the XML inside) is left as given, so the forgery fails only for the reason it was made for.
Entries keep their order and compression; mimetype stays first and STORED."""
import base64, hashlib, re, subprocess, sys, tempfile, zipfile, os

MAN, SIG = "META-INF/ASiCManifest001.xml", "META-INF/signature001.p7s"
src, dst, key, cert, *repl = sys.argv[1:]
zin = zipfile.ZipFile(src)
entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
new = {}
for r in repl:
    name, path = r.split("=", 1)
    new[name] = open(path, "rb").read()
man = new.get(MAN) or zin.read(MAN)
for name, data in new.items():
    if name in (MAN, SIG):
        continue
    b64 = base64.b64encode(hashlib.sha256(data).digest()).decode()
    pat = re.compile(r'(<DataObjectReference URI="%s"[^>]*>.*?<ds:DigestValue>)[^<]*(</ds:DigestValue>)'
                     % re.escape(name).encode().decode(), re.S)
    text, n = pat.subn(lambda m: m.group(1) + b64 + m.group(2), man.decode())
    assert n == 1, "no DataObjectReference for " + name
    man = text.encode()
new[MAN] = man
if SIG not in new:
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "m"), "wb").write(man)
        subprocess.run(["openssl", "cms", "-sign", "-binary", "-cades", "-md", os.environ.get("RESIGN_MD", "sha256"), "-nosmimecap",
                        "-outform", "DER", "-signer", cert, "-inkey", key, "-in", os.path.join(d, "m"),
                        "-out", os.path.join(d, "s")], check=True)
        new[SIG] = open(os.path.join(d, "s"), "rb").read()
with zipfile.ZipFile(dst, "w") as z:
    for info, data in entries:
        zi = zipfile.ZipInfo(info.filename, info.date_time)
        zi.compress_type = info.compress_type
        z.writestr(zi, new.get(info.filename, data))
