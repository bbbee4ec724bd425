#!/usr/bin/env python3
"""mancheck.py SCELLE MANPAGE [COMMAND] — compares the options of `scelle COMMAND --help`
with the options that scelle.1 lists (on .It lines) in its ".Ss scelle COMMAND" section, or,
without COMMAND, the top-level --help and the commands against the page.  Prints one line per
difference and exits 1 if there is any."""
import re
import subprocess
import sys

scelle, page = sys.argv[1], sys.argv[2]
cmd = sys.argv[3] if len(sys.argv) > 3 else None
man = open(page, encoding="utf-8").read().split("\n")


def helptext(*args):
    p = subprocess.run([scelle, *args, "--help"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"'scelle {' '.join(args)} --help' exited {p.returncode}")
    return p.stdout


def help_options(text):
    """--long tokens anywhere in the text; -x tokens where an option list names them."""
    longs = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*)", text)) - {"help"}
    shorts = set(re.findall(r"^\s+-([A-Za-z0-9]),\s+--", text, re.M))
    return {"--" + o for o in longs} | {"-" + o for o in shorts}


def section(name):
    """The lines of '.Ss name', or of the DESCRIPTION up to the first .Ss when name is None."""
    out, inside = [], False
    for line in man:
        if name is None:
            if line.startswith(".Sh DESCRIPTION"):
                inside = True
                continue
            if inside and line.startswith((".Ss", ".Sh")):
                break
        else:
            if line.strip() == ".Ss " + name:
                inside = True
                continue
            if inside and line.startswith((".Ss", ".Sh")):
                break
        if inside:
            out.append(line)
    return out if inside else None


def man_options(lines):
    opts = set()
    for line in lines:
        if not line.startswith(".It "):
            continue
        for tok in re.findall(r"\bFl\s+(-?[A-Za-z0-9][\w-]*)", line):
            opts.add("-" + tok)
    return opts - {"--help"}


diffs = []
if cmd is None:
    top = helptext()
    cmds = re.findall(r"^  ([a-z][a-z0-9-]*)\s", top.split("commands:", 1)[1], re.M)
    for c in cmds:
        if section("scelle " + c) is None:
            diffs.append(f"command '{c}' has no '.Ss scelle {c}' section")
        if not any(re.match(rf"\.Cm {re.escape(c)}\b", l) for l in man[: man.index(".Sh DESCRIPTION")]):
            diffs.append(f"command '{c}' is not in the SYNOPSIS")
    for l in man:
        m = re.match(r"\.Ss scelle (\S+)$", l)
        if m and m.group(1) not in cmds:
            diffs.append(f"section '.Ss scelle {m.group(1)}' names no command of 'scelle --help'")
    h, m = help_options(top) - {"-h"}, man_options(section(None)) - {"-h"}
else:
    lines = section("scelle " + cmd)
    if lines is None:
        print(f"{cmd}: no '.Ss scelle {cmd}' section in {page}")
        sys.exit(1)
    h, m = help_options(helptext(cmd)), man_options(lines)
where = f"scelle {cmd} --help" if cmd else "scelle --help"
for o in sorted(h - m):
    diffs.append(f"{o} is in '{where}' but not in {page}")
for o in sorted(m - h):
    diffs.append(f"{o} is in {page} but not in '{where}'")
for d in diffs:
    print(f"{cmd or 'scelle'}: {d}")
sys.exit(1 if diffs else 0)
