#!/usr/bin/env python3
"""english_left.py POT PO FILE... -- the English left in outputs that should be translated.

POT is the template of every message scelle writes (src/cli/po/msgids.sh); PO the catalog
of the language the FILEs are in (stdout, stderr, HTML reports).  Each msgid is cut at its
printf conversions and line ends into the literal pieces a reader would see; a piece is
English left over when it appears, as whole words, in an output, unless the language's
catalog uses the same piece itself (a word both languages share, such as "verdict", or a
code kept as written, such as "TOTAL-PASSED").  What is not a sentence of scelle is taken out
of the outputs first: check identifiers ("custody.signer"), option names ("--trust"), ETSI
codes, hex digests and the names in certificates ("O = Demo Time Authority").  HTML files are read as text (tags dropped, entities decoded, the
commands to copy reduced to their comments).

Prints one line per piece found ("FILE: 'piece' (from msgid ...)") and exits 1 when there is
one, 0 when there is none.  Driven by the msgids alone: a message added later is covered
as soon as it is marked for translation.
"""
import html
import re
import sys

CONVERSION = re.compile(r"%(?:\d+\$)?[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfgGcspn%]")


def unquote(block):
    out = []
    for line in block.strip().split("\n"):
        line = line.strip()
        s = line[line.index('"') + 1:line.rindex('"')]
        out.append(re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s))
    return "".join(out)


def entries(path):
    """(msgid, [msgstr...]) of a .po or .pot file"""
    text = open(path, encoding="utf-8").read() + "\n"
    pat = re.compile(r'^msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)', re.M)
    for m in pat.finditer(text):
        ids = [unquote(m.group(1))] + ([unquote(m.group(2))] if m.group(2) else [])
        strs = [unquote(s) for s in re.findall(r'msgstr(?:\[\d\])? ((?:".*"\n)+)', m.group(3))]
        for i in ids:
            if i:
                yield i, strs


def pieces(msgid):
    for p in re.split(r"\n", CONVERSION.sub("\n", msgid)):
        p = p.strip(" \t:;,.()[]'\"-")
        # a piece a reader would read as English: a word of four letters or more
        if re.search(r"[A-Za-z]{4,}", p):
            yield p


def as_text(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    if path.endswith((".html", ".htm")):
        text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", text, flags=re.S)
        # commands to copy are commands ("unzip ... -d sealed"); only their comments are text
        text = re.sub(r"<pre>.*?</pre>", lambda m: "\n".join(
            l for l in m.group(0).split("\n") if l.lstrip().startswith("#")), text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = re.sub(r"\b[a-z0-9]+(?:\.[a-z0-9_]+)+\b", " ", text)   # check ids, file names
    text = re.sub(r"--[a-z][a-z0-9-]*", " ", text)                    # option names
    text = re.sub(r"\b(?:C|ST|L|O|OU|CN|emailAddress) ?= ?[^,\n'\"«»]*", " ", text)  # names in certificates
    text = re.sub(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", " ", text)    # ETSI codes
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)                    # digests
    return text


def bounded(piece):
    """the piece as whole words, whatever blanks it is laid out with"""
    words = [re.escape(w) for w in piece.split()]
    return r"(?<![A-Za-z])" + r"\s+".join(words) + r"(?![A-Za-z])"


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    pot, po, files = argv[0], argv[1], argv[2:]
    translated = "\n".join(s for _, strs in entries(po) for s in strs)
    wanted = {}
    for msgid, _ in entries(pot):
        for p in pieces(msgid):
            if not re.search(bounded(p), translated):
                wanted.setdefault(p, msgid)
    found = 0
    for f in files:
        text = as_text(f)
        for p, msgid in sorted(wanted.items()):
            if re.search(bounded(p), text):
                print("%s: '%s' (from msgid %r)" % (f, p, msgid))
                found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
