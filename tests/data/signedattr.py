#!/usr/bin/env python3
"""signedattr.py IN.p7s OUT.p7s KEY OP — a CAdES signature whose signed attributes are
changed and signed again with KEY (stock openssl dgst -sha256 -sign, so ECDSA or RSA
PKCS #1 v1.5 keys): what a signer with a key could make, for the tests of what verify
accepts in the signed attributes.
  st-type      the signing-time value's tag made PrintableString (neither UTCTime nor
               GeneralizedTime): a signing time no reader can read
  st-two       the signing-time attribute holds its value twice
  st-at TIME   the signing-time value made the UTCTime TIME (YYMMDDhhmmssZ)
  ct-twice     the content-type attribute (the first of the SET) given twice
Every enclosing DER length is re-encoded; the signature value is replaced."""
import subprocess, sys, tempfile, os

SIGNING_TIME = bytes.fromhex("06092a864886f70d010905")  # 1.2.840.113549.1.9.5
CONTENT_TYPE = bytes.fromhex("06092a864886f70d010903")  # 1.2.840.113549.1.9.3


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tstoken import tlv, children, header  # noqa: E402  (one DER walker for the tests)


def enc(tag, body):
    return header(tag, len(body)) + body


src, dst, key, op, *arg = sys.argv[1:]
d = open(src, "rb").read()
_, c, n = tlv(d, 0)
content = children(d, c, n)[1]                       # [0] EXPLICIT
_, c2, n2 = tlv(d, content[2])                       # SignedData
sd = children(d, c2, n2)
sis = [x for x in sd if x[0] == 0x31][-1]            # signerInfos
si = children(d, sis[2], sis[3])[0]
parts = children(d, si[2], si[3])
attrs = [p for p in parts if p[0] == 0xa0][0]        # [0] IMPLICIT signedAttrs
new_attrs = b""
for a in children(d, attrs[2], attrs[3]):
    raw = d[a[1]:a[2] + a[3]]
    oid, vals = children(d, a[2], a[3])
    if d[oid[1]:oid[2] + oid[3]] == SIGNING_TIME:
        v = d[vals[2]:vals[2] + vals[3]]             # the one value, whole TLV
        if op == "st-type":
            v = bytes([0x13]) + v[1:]
        elif op == "st-two":
            v = v + v
        elif op == "st-at":
            v = enc(0x17, arg[0].encode())
        raw = enc(0x30, d[oid[1]:oid[2] + oid[3]] + enc(0x31, v))
    elif op == "ct-twice" and d[oid[1]:oid[2] + oid[3]] == CONTENT_TYPE:
        raw = raw + raw
    new_attrs += raw
with tempfile.TemporaryDirectory() as t:
    open(os.path.join(t, "a"), "wb").write(enc(0x31, new_attrs))   # signed as a SET OF
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, os.path.join(t, "a")],
                         check=True, stdout=subprocess.PIPE).stdout
body = b""
for p in parts:
    if p[0] == 0xa0:
        body += enc(0xa0, new_attrs)
    elif p[1] == [q for q in parts if q[0] == 0x04][-1][1]:
        body += enc(0x04, sig)
    else:
        body += d[p[1]:p[2] + p[3]]
si_new = enc(0x30, body)
sis_new = enc(0x31, d[sis[2]:si[1]] + si_new + d[si[2] + si[3]:sis[2] + sis[3]])
sd_body = b"".join(sis_new if x[1] == sis[1] else d[x[1]:x[2] + x[3]] for x in sd)
out = enc(0x30, d[c:content[1]] + enc(0xa0, enc(0x30, sd_body)))
open(dst, "wb").write(out)
