#!/usr/bin/env python3
"""ziphack.py IN OUT OP [ARGS] — byte-level forgeries of a ZIP archive for the tamper suite
(t60-tamper.sh).  zipedit.py changes entries through Python's zipfile; this one rewrites the
raw records, so it can make what no ZIP library writes on purpose.

The archive is parsed from its central directory into entries (local header fields, data,
central fields), one OP changes them, and the file is written again with fresh offsets.
  append TEXT             bytes after the end of central directory record
  comment TEXT            an archive comment (end record comment length set)
  truncate N              cut the last N bytes
  second-cd               a copy of the central directory before the real one
  lname NAME NEW          the local header names NEW, the central directory NAME
  lsize NAME DELTA        the local header's sizes are off by DELTA
  descriptor NAME DELTA   NAME gets a data descriptor (bit 3) whose sizes are off by DELTA
  zip64 NAME SIZE         ZIP64 sizes of SIZE for NAME (local and central), data unchanged
  force64 NAME            NAME's true sizes in ZIP64 fields (local and central), as a writer
                          that does not know the size beforehand writes them
  overlap NAME NEW        a second central record NEW pointing at NAME's local header
  gap NAME TEXT           TEXT hidden between NAME's data and the next local header
  deflate NAME            NAME compressed with DEFLATE (local and central)
  move NAME POS           NAME moved to position POS
  flags NAME BITS         general purpose flags of NAME or'ed with BITS (e.g. 1: encrypted)
  method NAME M           compression method field set to M (data unchanged)
  crc NAME                a wrong CRC-32 (local and central)
  rawflip NAME            one byte of NAME's stored or compressed data flipped, CRC kept
  count N                 the end records claim N entries (ZIP64 records added)
  usize NAME SIZE         the uncompressed size of NAME claimed as SIZE (ZIP64 if needed)
  extra NAME ID WHERE     an extra field ID (hex) on NAME, WHERE: local, central or both
  upath NAME NEW FILE     NAME's data replaced by FILE (headers made consistent), and an
                          Info-ZIP Unicode Path field (0x7075) naming NEW, with a wrong CRC,
                          in its local header: a reader that honours it sees NEW
  rename NAME NEW [FLAGS] NAME renamed NEW in both headers, flags set to FLAGS (e.g. 0: no
                          UTF-8 bit 11)
  mode NAME OCTAL         NAME made by Unix with the file mode OCTAL (e.g. 120777: a link)
  fcomment NAME TEXT      a file comment TEXT in NAME's central record
"""
import struct, sys, zlib

MAX32 = 0xFFFFFFFF


def parse(b):
    e = b.rfind(b"PK\x05\x06")
    n, cd_size, cd_off = struct.unpack_from("<HII", b, e + 10)
    ents, off = [], cd_off
    for _ in range(n):
        (sig, made, ver, flags, method, tm, dt, crc, cs, us, nl, xl, cl, disk, ia, ea,
         lo) = struct.unpack_from("<IHHHHHHIIIHHHHHII", b, off)
        assert sig == 0x02014B50
        name = b[off + 46:off + 46 + nl]
        off += 46 + nl + xl + cl
        lnl, lxl = struct.unpack_from("<HH", b, lo + 26)
        data = b[lo + 30 + lnl + lxl:lo + 30 + lnl + lxl + cs]
        ents.append(dict(name=name, lname=name, ver=ver, made=made, flags=flags, lflags=flags,
                         method=method, lmethod=method, tm=tm, dt=dt, crc=crc, lcrc=crc,
                         cs=cs, us=us, lcs=cs, lus=us, data=data, dd=b"", ea=ea,
                         z64=False, lz64=False, gap=b""))
    return ents


def serialize(ents, second_cd=False, count=None, comment=b""):
    out, recs = bytearray(), bytearray()
    for e in ents:
        e["off"] = len(out)
        lx = b""
        lcs, lus = e["lcs"], e["lus"]
        if e["lz64"]:
            lx = struct.pack("<HHQQ", 1, 16, lus, lcs)
            lcs = lus = MAX32
        lx += e.get("lx", b"")
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, e["ver"], e["lflags"], e["lmethod"], e["tm"],
                           e["dt"], e["lcrc"], lcs, lus, len(e["lname"]), len(lx))
        out += e["lname"] + lx + e["data"] + e["dd"] + e["gap"]
    for e, name in [(x, x["name"]) for x in ents] + [(x, x["alias"]) for x in ents if x.get("alias")]:
        cx = b""
        cs, us, lo = e["cs"], e["us"], e["off"]
        if e["z64"]:
            cx = struct.pack("<HHQQ", 1, 16, us, cs)
            cs = us = MAX32
        cx += e.get("cx", b"")
        recs += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, e["made"], e["ver"], e["flags"],
                            e["method"], e["tm"], e["dt"], e["crc"], cs, us, len(name), len(cx),
                            len(e.get("fc", b"")), 0, 0, e["ea"], lo) + name + cx + e.get("fc", b"")
    if second_cd:
        out += recs
    cd_off, n = len(out), len(ents) + len([x for x in ents if x.get("alias")])
    out += recs
    if count is not None:  # ZIP64 end record and locator claiming `count` entries
        e64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(recs), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, e64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, len(recs), cd_off, len(comment))
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(recs), cd_off, len(comment))
    return bytes(out) + comment


def main():
    src, dst, op, *a = sys.argv[1:]
    raw = open(src, "rb").read()
    ents = parse(raw)
    by = {e["name"].decode(): e for e in ents}
    kw = {}
    if op == "append":
        open(dst, "wb").write(serialize(ents) + a[0].encode())
        return
    if op == "truncate":
        open(dst, "wb").write(raw[:len(raw) - int(a[0])])
        return
    if op == "comment":
        kw["comment"] = a[0].encode()
    elif op == "second-cd":
        kw["second_cd"] = True
    elif op == "count":
        kw["count"] = int(a[0])
    else:
        e = by[a[0]]
        if op == "lname":
            e["lname"] = a[1].encode()
        elif op == "lsize":
            e["lcs"] += int(a[1])
            e["lus"] += int(a[1])
        elif op == "descriptor":
            d = int(a[1])
            e["flags"] |= 8
            e["lflags"] |= 8
            e["lcrc"] = e["lcs"] = e["lus"] = 0
            e["dd"] = struct.pack("<IIII", 0x08074B50, e["crc"], e["cs"] + d, e["us"] + d)
        elif op == "zip64":
            e["cs"] = e["us"] = e["lcs"] = e["lus"] = int(a[1])
            e["z64"] = e["lz64"] = True
            e["ver"] = 45
        elif op == "force64":
            e["z64"] = e["lz64"] = True
            e["ver"] = 45
        elif op == "usize":
            e["us"] = e["lus"] = int(a[1])
            e["z64"] = e["lz64"] = e["us"] >= MAX32
        elif op == "overlap":
            e["alias"] = a[1].encode()
        elif op == "gap":
            e["gap"] = a[1].encode()
        elif op == "deflate":
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            e["data"] = c.compress(e["data"]) + c.flush()
            e["method"] = e["lmethod"] = 8
            e["cs"] = e["lcs"] = len(e["data"])
        elif op == "move":
            ents.remove(e)
            ents.insert(int(a[1]), e)
        elif op == "flags":
            e["flags"] |= int(a[1])
            e["lflags"] |= int(a[1])
        elif op == "method":
            e["method"] = e["lmethod"] = int(a[1])
        elif op == "rawflip":
            d = bytearray(e["data"])
            d[len(d) // 2] ^= 1
            e["data"] = bytes(d)
        elif op == "extra":
            x = struct.pack("<HH", int(a[1], 16), 6) + b"forged"
            if a[2] in ("local", "both"):
                e["lx"] = x
            if a[2] in ("central", "both"):
                e["cx"] = x
        elif op == "upath":
            data = open(a[2], "rb").read()
            e["data"], e["method"], e["lmethod"] = data, 0, 0
            e["crc"] = e["lcrc"] = zlib.crc32(data)
            e["cs"] = e["us"] = e["lcs"] = e["lus"] = len(data)
            ncrc = zlib.crc32(e["lname"]) ^ 0xFFFFFFFF  # wrong on purpose
            new = a[1].encode()
            e["lx"] = struct.pack("<HHBI", 0x7075, 5 + len(new), 1, ncrc) + new
        elif op == "rename":
            e["name"] = e["lname"] = a[1].encode()
            if len(a) > 2:
                e["flags"] = e["lflags"] = int(a[2])
        elif op == "mode":
            e["made"] = 3 << 8 | (e["made"] & 0xFF)
            e["ea"] = int(a[1], 8) << 16
        elif op == "fcomment":
            e["fc"] = a[1].encode()
        elif op == "crc":
            e["crc"] ^= 0x5A5A5A5A
            e["lcrc"] = e["crc"]
        else:
            sys.exit("ziphack.py: unknown operation " + op)
    open(dst, "wb").write(serialize(ents, **kw))


main()
