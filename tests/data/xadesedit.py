#!/usr/bin/env python3
"""xadesedit.py IN OUT OP [ARGS] — forged copies of a XAdES archive (t74-xades.sh).

META-INF/signatures001.xml is changed as text and the archive written again as zipedit.py
writes it (entries in order, each with its compression; "mimetype" first and STORED).
  sub REGEX REPL       replace the first match of REGEX in the signature (Python re.sub)
  ts-from OTHER        the EncapsulatedTimeStamp taken from OTHER archive's signature
  b64flip ELEMENT      one base64 character in the middle of the first ds:ELEMENT or
                       xades:ELEMENT changed (the length kept: a wrong value, not a
                       malformed one)
"""
import re, sys, zipfile

SIG = "META-INF/signatures001.xml"
src, dst, op, *args = sys.argv[1:]
zin = zipfile.ZipFile(src)
sig = zin.read(SIG).decode()
if op == "sub":
    new = re.sub(args[0], args[1], sig, count=1, flags=re.S)
elif op == "ts-from":
    tok = re.compile(r"(<xades:EncapsulatedTimeStamp>)([^<]*)(<)")
    other = tok.search(zipfile.ZipFile(args[0]).read(SIG).decode()).group(2)
    new = tok.sub(lambda m: m.group(1) + other + m.group(3), sig, count=1)
elif op == "b64flip":
    m = re.search(r"<(?:ds|xades):%s\b[^>]*>([^<]*)<" % args[0], sig)
    i = (m.start(1) + m.end(1)) // 2
    new = sig[:i] + ("B" if sig[i] == "A" else "A") + sig[i + 1:]
else:
    sys.exit("unknown op " + op)
if new == sig:
    sys.exit("xadesedit: nothing changed")
with zipfile.ZipFile(dst, "w") as z:
    for info in zin.infolist():
        zi = zipfile.ZipInfo(info.filename, info.date_time)
        zi.compress_type = info.compress_type
        z.writestr(zi, new.encode() if info.filename == SIG else zin.read(info.filename))
