#!/usr/bin/env python3
"""mkwarc.py — writes a small WARC 1.1 file (ISO 28500) for scelle's tests and examples:
a warcinfo record, then one request and one response record per page, each with
WARC-Block-Digest and (responses) WARC-Payload-Digest in sha1 base32 as crawlers write them.

usage: mkwarc.py [-z] [--tamper N] [--date RFC3339] OUT.warc URI=FILE...
  -z          gzip each record on its own (a .warc.gz, as crawlers write it)
  --tamper N  change one payload byte of response N (1-based) after writing its digests
"""
import base64, gzip, hashlib, sys, uuid

def main(argv):
    z, tamper, date = False, 0, "2026-11-20T21:14:00Z"
    while argv and argv[0].startswith("-"):
        a = argv.pop(0)
        if a == "-z": z = True
        elif a == "--tamper": tamper = int(argv.pop(0))
        elif a == "--date": date = argv.pop(0)
        else: sys.exit(__doc__)
    if len(argv) < 1: sys.exit(__doc__)
    out, pages = argv[0], [p.split("=", 1) for p in argv[1:]]
    n = [0]
    def rid():
        n[0] += 1
        return "<urn:uuid:%s>" % uuid.UUID(int=0x5ce11e000000400080000000000000 + n[0])
    def record(headers, block):
        h = ["WARC/1.1"] + ["%s: %s" % kv for kv in headers]
        h.append("WARC-Block-Digest: sha1:" + base64.b32encode(hashlib.sha1(block).digest()).decode())
        h.append("Content-Length: %d" % len(block))
        return ("\r\n".join(h) + "\r\n\r\n").encode() + block + b"\r\n\r\n"
    recs = []
    info = b"software: scelle tests/data/mkwarc.py\r\nformat: WARC File Format 1.1\r\n"
    recs.append(record([("WARC-Type", "warcinfo"), ("WARC-Date", date), ("WARC-Record-ID", rid()),
                        ("WARC-Filename", out.rsplit("/", 1)[-1]), ("Content-Type", "application/warc-fields")], info))
    for i, (uri, path) in enumerate(pages, 1):
        body = open(path, "rb").read()
        host = uri.split("/")[2]
        req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: scelle-test\r\n\r\n" % (uri.split("/", 3)[3] if uri.count("/") > 2 else "", host)).encode()
        recs.append(record([("WARC-Type", "request"), ("WARC-Date", date), ("WARC-Record-ID", rid()),
                            ("WARC-Target-URI", uri), ("Content-Type", "application/http; msgtype=request")], req))
        ctype = "text/html; charset=utf-8" if path.endswith(".html") else "application/octet-stream"
        head = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (ctype, len(body))).encode()
        pd = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
        rec = record([("WARC-Type", "response"), ("WARC-Date", date), ("WARC-Record-ID", rid()),
                      ("WARC-Target-URI", uri), ("WARC-Payload-Digest", pd),
                      ("Content-Type", "application/http; msgtype=response")], head + body)
        if i == tamper:     # the bytes change after the crawler wrote its digests
            at = rec.rindex(head + body) + len(head)
            rec = rec[:at] + bytes([rec[at] ^ 0x20]) + rec[at + 1:]
        recs.append(rec)
    with open(out, "wb") as f:
        for r in recs:
            f.write(gzip.compress(r, mtime=0) if z else r)

main(sys.argv[1:])
