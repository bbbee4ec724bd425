#!/usr/bin/env python3
"""tstoken.py SIG.p7s OUTDIR — takes a CAdES signature apart with nothing but DER rules:
writes OUTDIR/sigvalue.bin (the SignerInfo signature value, what a signature-time-stamp
covers) and OUTDIR/token1.der, token2.der, ... (each RFC 3161 token), so that the tests can
hand them to `openssl ts -verify`.
tstoken.py --graft SIG.p7s TOKEN.der OUT.p7s — writes a copy of SIG whose first token is
replaced by TOKEN (every enclosing DER length re-encoded): a forgery for the tests."""
import sys

def tlv(b, i):
    tag = b[i]; i += 1
    n = b[i]; i += 1
    if n & 0x80:
        k = n & 0x7f
        n = int.from_bytes(b[i:i + k], "big"); i += k
    return tag, i, n  # tag, start of content, length

def children(b, start, length):
    i, out = start, []
    while i < start + length:
        tag, c, n = tlv(b, i)
        out.append((tag, i, c, n))
        i = c + n
    return out

def header(tag, n):
    if n < 0x80:
        return bytes([tag, n])
    k = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | k]) + n.to_bytes(k, "big")

def main():
    graft = sys.argv[1] == "--graft"
    if graft:
        sys.argv = [sys.argv[0], sys.argv[2], None, sys.argv[3], sys.argv[4]]

    TST_OID = bytes.fromhex("060b2a864886f70d010910020e")  # 1.2.840.113549.1.9.16.2.14
    d = open(sys.argv[1], "rb").read()
    ancestors = [0]                                      # header offsets of enclosing TLVs
    _, c, n = tlv(d, 0)                                  # ContentInfo
    content = children(d, c, n)[1]                       # [0] EXPLICIT
    ancestors.append(content[1])
    _, c2, n2 = tlv(d, content[2])                       # SignedData
    sd = children(d, c2, n2)
    ancestors.append(content[2])
    signer_infos = [x for x in sd if x[0] == 0x31][-1]   # the last SET is signerInfos
    si = children(d, signer_infos[2], signer_infos[3])[0]
    ancestors += [signer_infos[1], si[1]]
    parts = children(d, si[2], si[3])
    sig = [p for p in parts if p[0] == 0x04][-1]         # signature OCTET STRING
    if not graft:
        open(sys.argv[2] + "/sigvalue.bin", "wb").write(d[sig[2]:sig[2] + sig[3]])
    k = 0
    for p in parts:
        if p[0] != 0xa1:                                 # [1] unsignedAttrs
            continue
        for attr in children(d, p[2], p[3]):
            a = children(d, attr[2], attr[3])
            if d[a[0][1]:a[0][2] + a[0][3]] != TST_OID:
                continue
            for tok in children(d, a[1][2], a[1][3]):
                k += 1
                if not graft:
                    open("%s/token%d.der" % (sys.argv[2], k), "wb").write(d[tok[1]:tok[2] + tok[3]])
                    continue
                if k > 1:
                    continue
                new = open(sys.argv[3], "rb").read()
                out = new
                # re-wrap from the innermost enclosing TLV outwards
                chain = ancestors + [p[1], attr[1], a[1][1]]
                start, end = tok[1], tok[2] + tok[3]
                for h in reversed(chain):
                    tag, hc, hn = tlv(d, h)
                    body = d[hc:start] + out + d[end:hc + hn]
                    out = header(tag, len(body)) + body
                    start, end = h, hc + hn
                open(sys.argv[4], "wb").write(out)
    print(k)


if __name__ == "__main__":
    main()
