#!/usr/bin/env python3
"""zipedit.py IN OUT OP [ARGS] — makes a forged copy of an archive for the tamper tests.

Entries keep their order and compression; "mimetype" stays first and STORED, so that a
forgery fails for the reason it was made for and not for a broken container.
  flip NAME [OFFSET]     xor one byte of NAME's content (default: the middle)
  remove NAME            drop an entry
  add NAME FILE          append an entry with FILE's bytes
  rename OLD NEW         rename an entry
  replace NAME FILE      replace NAME's content with FILE's bytes
  dup NAME               append a second entry with the same name and content
"""
import sys, zipfile

src, dst, op, *args = sys.argv[1:]
zin = zipfile.ZipFile(src)
entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
out = []
for info, data in entries:
    name = info.filename
    if op == "flip" and name == args[0]:
        off = int(args[1]) if len(args) > 1 else len(data) // 2
        data = data[:off] + bytes([data[off] ^ 1]) + data[off + 1:]
    elif op == "remove" and name == args[0]:
        continue
    elif op == "rename" and name == args[0]:
        name = args[1]
    elif op == "replace" and name == args[0]:
        data = open(args[1], "rb").read()
    out.append((name, info.compress_type, info.date_time, data))
if op == "add":
    out.append((args[0], zipfile.ZIP_DEFLATED, (2026, 1, 1, 0, 0, 0), open(args[1], "rb").read()))
if op == "dup":
    out += [o for o in out if o[0] == args[0]]
with zipfile.ZipFile(dst, "w") as z:
    for name, method, dt, data in out:
        zi = zipfile.ZipInfo(name, dt)
        zi.compress_type = method
        if op == "dup":
            import warnings
            warnings.simplefilter("ignore")
        z.writestr(zi, data)
