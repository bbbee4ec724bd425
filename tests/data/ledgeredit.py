#!/usr/bin/env python3
"""ledgeredit.py — forges custody ledgers for the tests, as a person with a text editor would.
Records are counted from 1 in file order.

  ledgeredit.py LEDGER OUT edit N OLD NEW     replace OLD by NEW inside record N (once)
  ledgeredit.py LEDGER OUT delete N           remove record N
  ledgeredit.py LEDGER OUT swap N M           exchange records N and M
  ledgeredit.py LEDGER OUT graft N OTHER M    put record M of ledger OTHER in place of record N
  ledgeredit.py LEDGER OUT setsig N BASE64    replace the signature of record N
  ledgeredit.py LEDGER OUT dup N              repeat record N right after it
  ledgeredit.py LEDGER OUT cut N              keep records 1 to N only (a ledger cut short)
  ledgeredit.py LEDGER OUT head N             print the ledger head after record N (stock
                                              xmllint --exc-c14n and sha256, as custody.md
                                              says); OUT is not written
"""
import hashlib
import subprocess
import re
import sys

RECORD = re.compile(r"<record>.*?</record>", re.S)


def records(text):
    return RECORD.findall(text)


def rebuild(text, recs):
    parts = RECORD.split(text)
    out = parts[0]
    for r, tail in zip(recs, parts[1:]):
        out += r + tail
    # a deleted record leaves its separator: drop empty lines it made
    return re.sub(r"\n\s*\n", "\n", out)


def main():
    src, dst, op, *args = sys.argv[1:]
    text = open(src, encoding="utf-8").read()
    recs = records(text)
    n = int(args[0]) - 1
    if op == "edit":
        if args[1] not in recs[n]:
            sys.exit(f"'{args[1]}' is not in record {n + 1}")
        recs[n] = recs[n].replace(args[1], args[2], 1)
    elif op == "delete":
        recs[n] = ""
    elif op == "swap":
        m = int(args[1]) - 1
        recs[n], recs[m] = recs[m], recs[n]
    elif op == "graft":
        other = records(open(args[1], encoding="utf-8").read())
        recs[n] = other[int(args[2]) - 1]
    elif op == "dup":
        recs[n] = recs[n] + "\n  " + recs[n]
    elif op == "cut":
        recs[n + 1:] = [""] * (len(recs) - n - 1)
    elif op == "head":
        # the record as custody.md rebuilds it: xmllint extracts it, the namespace it
        # inherits is declared on it, xmllint --exc-c14n canonicalises it
        rec = subprocess.run(["xmllint", "--xpath", f"(//*[local-name()='record'])[{n + 1}]", src],
                             check=True, capture_output=True, text=True).stdout
        rec = rec.replace("<record>", '<record xmlns="urn:scelle:custody:1">', 1)
        c14n = subprocess.run(["xmllint", "--exc-c14n", "-"], input=rec.encode(), check=True,
                              capture_output=True).stdout
        print(hashlib.sha256(c14n).hexdigest())
        return
    elif op == "setsig":
        recs[n] = re.sub(r"(<signature[^>]*>)[^<]*(</signature>)", lambda m: m.group(1) + args[1] + m.group(2), recs[n])
    else:
        sys.exit("unknown operation " + op)
    open(dst, "w", encoding="utf-8").write(rebuild(text, recs))


main()
