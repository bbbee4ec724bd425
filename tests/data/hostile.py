#!/usr/bin/env python3
"""hostile.py — inputs crafted to exhaust a sealer or a verifier (tests/cli/t92-budget.sh).
Each is small on disk and costly to a quadratic or unbounded reader.

usage: hostile.py KIND OUT [N]
  marks OUT N       a ZIP of N entries whose names are ~4,000 bytes of combining marks
  warc OUT N        a .warc.gz of N records of 63 KB of headers, mostly '"' and '&', ~370 KB for 1,000
  tarnames OUT N    a .tar.gz of N members with 4 KiB names
  chat OUT MIB      a WhatsApp _chat.txt of MIB MiB where every line has a new sender
  iteminfo OUT N    an --item-info CSV of N rows with distinct paths, then the first again
  bomb OUT N        a ZIP of N members of 1 GiB of zeros each (DEFLATE, ~1 MiB each)
  missing OUT N     a ZIP (mimetype + evidence.xml) naming N items that are absent
  empty OUT N       a ZIP of N empty entries
  trickle PORT N    N clients on 127.0.0.1 send a time-stamp query a byte a second, while
                    one from 127.0.0.2 asks normally; prints what the responder did
  serials PORT1 PORT2 N  N queries spread over two responders; prints the serial numbers
"""
import gzip, io, os, struct, sys, zipfile, zlib

def marks(out, n):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("mimetype", "application/vnd.etsi.asic-e+zip")
        for i in range(n):
            # U+0301 U+0300 ... alternating, 2 bytes each: one long run of marks to sort
            body = "".join(chr(0x300 + ((i + k) * 37) % 0x70) for k in range(1990))
            z.writestr("evidence/%05d%s" % (i, body), b"")

def warc(out, n):
    # seven header values of 9,000 characters (WARC lines are capped at 16 KiB, headers at
    # 64 KiB), half of them '"' and '&', which XML writes as 6 and 5 bytes
    v = '"&' * 4500
    with open(out, "wb") as f:
        for i in range(n):
            h = ("WARC/1.1\r\nWARC-Type: %s\r\nWARC-Target-URI: http://x/%d?%s\r\n"
                 "WARC-Record-ID: <urn:uuid:%d%s>\r\nWARC-Date: %s\r\nContent-Type: %s\r\n"
                 "WARC-Payload-Digest: %s\r\nWARC-Block-Digest: %s\r\n"
                 "Content-Length: 0\r\n\r\n\r\n\r\n") % (v, i, v, i, v, v, v, v, v)
            f.write(gzip.compress(h.encode(), 9))

def tarnames(out, n):
    import tarfile
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for i in range(n):
            ti = tarfile.TarInfo("d/%06d" % i + "n" * 4000)
            ti.size = 0
            t.addfile(ti, io.BytesIO(b""))

def chat(out, mib):
    with open(out, "w") as f:
        i, size = 0, 0
        while size < mib << 20:
            line = "[20/11/2026, 21:14:03] Sender %d: hi\n" % i
            f.write(line)
            size += len(line)
            i += 1

def iteminfo(out, n):
    with open(out, "w") as f:
        f.write("path,source_url\n")
        for i in range(n):
            f.write("absent/%d.txt,http://example.org/%d\n" % (i, i))
        f.write("absent/0.txt,http://example.org/again\n")

def bomb(out, n):
    chunk = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1 << 20)
    data = b"".join(chunk.compress(block) for _ in range(1024)) + chunk.flush()
    crc = 0
    for _ in range(1024):
        crc = zlib.crc32(block, crc)
    with open(out, "wb") as f:
        cd = b""
        for i in range(n):
            name = b"bomb%03d.bin" % i
            off = f.tell()
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034b50, 45, 0, 8, 0, 0, crc, 0xffffffff,
                                0xffffffff, len(name), 20) + name +
                    struct.pack("<HHQQ", 1, 16, 1 << 30, len(data)) + data)
            cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 45, 45, 0, 8, 0, 0, crc,
                              0xffffffff, 0xffffffff, len(name), 28, 0, 0, 0, 0, 0xffffffff) + \
                name + struct.pack("<HHQQQ", 1, 24, 1 << 30, len(data), off)
        cdoff = f.tell()
        f.write(cd)
        f.write(struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, n, n, len(cd), cdoff, 0))

def missing(out, n):
    items = "".join('<item id="i%d" path="evidence/m%07d" size="0"><digest algorithm="sha256">'
                    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855</digest></item>'
                    % (i, i) for i in range(n))
    xml = '<?xml version="1.0"?><evidence xmlns="urn:scelle:evidence:1" version="1">%s</evidence>' % items
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.etsi.asic-e+zip")
        z.writestr("evidence.xml", xml)

def empty(out, n):
    # laid out by hand: zipfile takes 30 us an entry
    mt = b"application/vnd.etsi.asic-e+zip"
    names = [b"mimetype"] + [b"evidence/%07d" % i for i in range(n)]
    local, cd, off = [], [], 0
    for k, name in enumerate(names):
        data = mt if k == 0 else b""
        crc = zlib.crc32(data)
        h = struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 0, 0, 0x21, crc, len(data), len(data),
                        len(name), 0) + name + data
        cd.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 20, 20, 0, 0, 0, 0x21, crc,
                              len(data), len(data), len(name), 0, 0, 0, 0, 0, off) + name)
        local.append(h)
        off += len(h)
    cdb = b"".join(cd)
    entries = len(names)
    if entries < 0xffff:
        end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, entries, entries, len(cdb), off, 0)
    else:  # ZIP64 end record and locator (APPNOTE 4.3.14, 4.3.15)
        end = struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, entries, entries, len(cdb), off) + \
            struct.pack("<IIQI", 0x07064b50, 0, off + len(cdb), 1) + \
            struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xffff, 0xffff, len(cdb), off, 0)
    with open(out, "wb") as f:
        f.write(b"".join(local) + cdb + end)

def tsq(n):
    """A TimeStampReq (RFC 3161 §2.4.1) over a SHA-256 imprint unique to n."""
    import hashlib
    h = hashlib.sha256(b"%d" % n).digest()
    imprint = bytes.fromhex("300d06096086480165030402010500") + b"\x04\x20" + h
    body = b"\x02\x01\x01" + b"\x30" + bytes([len(imprint)]) + imprint + b"\x01\x01\xff"
    return b"\x30" + bytes([len(body)]) + body, h

def ask(port, n, source="127.0.0.1"):
    """Posts query n; returns the serial number of the token (the INTEGER after the
    imprint in TSTInfo, RFC 3161 §2.4.2)."""
    import http.client
    q, h = tsq(n)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    c.request("POST", "/tsa", q, {"Content-Type": "application/timestamp-query"})
    r = c.getresponse().read()
    c.close()
    i = r.find(b"\x04\x20" + h) + 34
    if i < 34:
        return None  # a rejection: no token
    assert r[i] == 2, "no serialNumber after the imprint"
    return int.from_bytes(r[i + 2:i + 2 + r[i + 1]], "big")

def trickle(port, n):
    import socket, time
    q, _ = tsq(0)
    head = ("POST /tsa HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\n"
            "Content-Length: %d\r\n\r\n" % len(q)).encode()
    socks, t0 = [], time.monotonic()
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", int(port)))
        s.sendall(head)
        s.setblocking(False)
        socks.append(s)
    time.sleep(0.5)
    t = time.monotonic()
    ask(int(port), 1, "127.0.0.2")
    print("served another address in %.1f s" % (time.monotonic() - t))
    held, closed_at, k = list(socks), {}, 0
    while held and time.monotonic() - t0 < 12:
        for s in list(held):
            try:
                s.send(q[k:k + 1])
                if s.recv(4096) == b"":
                    raise ConnectionError
            except BlockingIOError:
                pass
            except OSError:
                closed_at[s] = time.monotonic() - t0
                held.remove(s)
        k = min(k + 1, len(q) - 1)
        time.sleep(1)
    refused = sum(1 for s in closed_at.values() if s < 1.5)
    print("%d of %d connections refused at once" % (refused, n))
    print("the others held at most %.0f s (%d still held after 12 s)" %
          (max([v for v in closed_at.values() if v >= 1.5] or [0]), len(held)))

def serials(p1, p2, n):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(6) as ex:
        got = list(ex.map(lambda i: ask(int(p1 if i % 2 else p2), i), range(n)))
    tokens = [g for g in got if g is not None]
    print("%d tokens, %d distinct serial numbers, %d rejected" %
          (len(tokens), len(set(tokens)), len(got) - len(tokens)))

if __name__ == "__main__":
    if sys.argv[1:2] == ["trickle"]:
        sys.exit(trickle(sys.argv[2], int(sys.argv[3])))
    if sys.argv[1:2] == ["serials"]:
        sys.exit(serials(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    if len(sys.argv) < 3 or sys.argv[1] not in globals():
        sys.exit(__doc__)
    globals()[sys.argv[1]](sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
