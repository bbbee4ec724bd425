#!/usr/bin/env python3
"""cmsedit.py IN OUT OP — rewrites the top level of a DER CMS SignedData (a .p7s) for the
revocation tests; the SignerInfo and every signed byte stay as they are.
  ber      the same SignedData in BER: ContentInfo, its [0], the SignedData and its crls
           with indefinite lengths (X.690 §8.1.3.6), as some encoders write it
  nocerts  drop the certificates field, so that the signature names a signer it lacks
  bercut   the ContentInfo with an indefinite length, cut short of its last end-of-contents
           octets (00 00); its [0]'s length takes leading zero octets (which BER allows) until
           the whole is one more than a multiple of 3 long: its base64 ends in "==", and a
           decoder that kept the two zero bytes of that padding would complete the cut
"""
import sys


def tlv(b, i):
    """(tag, header length, content length) of the DER element at b[i]."""
    tag, n = b[i], b[i + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7F
    return tag, 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")


def der_len(n):
    if n < 0x80:
        return bytes([n])
    s = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(s)]) + s


def wrap(tag, body, ber):
    return bytes([tag]) + (b"\x80" + body + b"\x00\x00" if ber else der_len(len(body)) + body)


src, dst, op = sys.argv[1:4]
ber = op == "ber"
b = open(src, "rb").read()
_, h, _ = tlv(b, 0)                       # ContentInfo
_, oh, ol = tlv(b, h)                     # contentType OID
oid = b[h:h + oh + ol]
i = h + oh + ol
_, eh, _ = tlv(b, i)                      # [0] EXPLICIT
i += eh
_, sh, sl = tlv(b, i)                     # SignedData SEQUENCE
i, end, parts = i + sh, i + sh + sl, []
while i < end:
    tag, hh, ll = tlv(b, i)
    el = b[i:i + hh + ll]
    if tag == 0xA0 and op == "nocerts":
        el = b""
    elif tag == 0xA1 and ber:
        el = wrap(0xA1, b[i + hh:i + hh + ll], True)
    parts.append(el)
    i += hh + ll
sd = wrap(0x30, b"".join(parts), ber)
if op == "bercut":
    n = der_len(len(sd))
    for k in range(3):
        head = b"\x30\x80" + oid + b"\xa0" + (bytes([0x80 | (len(n) - 1 + k)]) + b"\0" * k + n[1:] if n[0] & 0x80 else n)
        if (len(head) + len(sd)) % 3 == 1:
            break
    assert (len(head) + len(sd)) % 3 == 1
    open(dst, "wb").write(head + sd)
else:
    open(dst, "wb").write(wrap(0x30, oid + wrap(0xA0, sd, ber), ber))
