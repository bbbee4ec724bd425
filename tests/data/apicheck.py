#!/usr/bin/env python3
"""apicheck.py scelle.h libscelle.3 — every SCELLE_API function of the header is named in the
page with .Fn or .Fo, and every scelle_* function the page names that way is in the header.
Prints one line per difference and exits 1 if there is any."""
import re
import sys

header = open(sys.argv[1], encoding="utf-8").read()
page = open(sys.argv[2], encoding="utf-8").read()
api = set(re.findall(r"^SCELLE_API\b[^;(]*?\**\b(scelle_\w+)\s*\(", header, re.M))
documented = set(re.findall(r"^\.F[no] (scelle_\w+)", page, re.M))
# The SYNOPSIS gives each prototype once (.Fn with its arguments, or .Fo).
synopsis = page.split(".Sh SYNOPSIS", 1)[-1].split(".Sh DESCRIPTION", 1)[0]
protos = re.findall(r"^\.(?:Fn (scelle_\w+) |Fo (scelle_\w+)$)", synopsis, re.M)
seen = [a or b for a, b in protos]
dups = sorted({f for f in seen if seen.count(f) > 1})
for f in dups:
    print(f"{f} has {seen.count(f)} prototypes in the SYNOPSIS of {sys.argv[2]}")
for f in sorted(api - set(seen)):
    print(f"{f} has no prototype in the SYNOPSIS of {sys.argv[2]}")
if not api:
    sys.exit("no SCELLE_API function found in " + sys.argv[1])
for f in sorted(api - documented):
    print(f"{f} is in {sys.argv[1]} but not in {sys.argv[2]}")
for f in sorted(documented - api):
    print(f"{f} is in {sys.argv[2]} but not in {sys.argv[1]}")
sys.exit(1 if api != documented or dups or api - set(seen) else 0)
