#!/usr/bin/env python3
"""tstinfo.py IN.der OUT.der EDIT... — rewrites an RFC 3161 TSTInfo (the eContent of a token,
as `openssl cms -verify -noverify -out` gives it) with nothing but DER rules, for the tests to
sign again as a TSA would (openssl cms -sign -econtent_type id-ct-TSTInfo -cades):

  version=N        the TSTInfo version (RFC 3161 §2.4.2 allows 1 only)
  tsa=none         no tsa field
  tsa=uri:TEXT     tsa [0] as a GeneralName uniformResourceIdentifier [6]
  tsa=dns:TEXT     ... dNSName [2]
  tsa=email:TEXT   ... rfc822Name [1]
  tsa=ip:HEX       ... iPAddress [7]
  time=TEXT        genTime, the GeneralizedTime's text as given (readable or not)"""
import sys


def tlv(b, i):
    tag = b[i]; i += 1
    n = b[i]; i += 1
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(b[i:i + k], "big"); i += k
    return tag, i, n


def header(tag, n):
    if n < 0x80:
        return bytes([tag, n])
    k = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | k]) + n.to_bytes(k, "big")


def main():
    d = open(sys.argv[1], "rb").read()
    tag, c, n = tlv(d, 0)
    assert tag == 0x30, "not a SEQUENCE"
    parts, i = [], c
    while i < c + n:
        t, cc, nn = tlv(d, i)
        parts.append((t, d[i:cc + nn]))
        i = cc + nn
    for edit in sys.argv[3:]:
        key, _, val = edit.partition("=")
        if key == "version":
            assert parts[0][0] == 0x02
            parts[0] = (0x02, bytes([0x02, 0x01, int(val)]))
        elif key == "time":
            k = [n for n, p in enumerate(parts) if p[0] == 0x18]
            assert len(k) == 1, "no genTime"
            parts[k[0]] = (0x18, header(0x18, len(val)) + val.encode())
        elif key == "tsa":
            parts = [p for p in parts if p[0] != 0xa0]
            if val != "none":
                kind, _, text = val.partition(":")
                tags = {"uri": 0x86, "dns": 0x82, "email": 0x81, "ip": 0x87}
                body = bytes.fromhex(text) if kind == "ip" else text.encode()
                gn = header(tags[kind], len(body)) + body
                k = len([p for p in parts if p[0] != 0xa1])   # before extensions [1], if any
                parts.insert(k, (0xa0, header(0xa0, len(gn)) + gn))
        else:
            raise SystemExit("tstinfo.py: unknown edit " + edit)
    body = b"".join(p[1] for p in parts)
    open(sys.argv[2], "wb").write(header(0x30, len(body)) + body)


main()
