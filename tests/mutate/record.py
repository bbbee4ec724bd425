#!/usr/bin/env python3
"""record.py — stands in for `scelle` while mutate.py records the verification calls of the suite.

mutate.py runs the test scripts once, unmutated, with B pointing at a directory whose `scelle`
is this script.  For every call that only reads an archive (verify, show, extract, custody
show/add) it copies the files and folders named on the command line, and the ledger beside
each file named (FILE.custody.xml, which verify reads unless --ledger names another), into the
corpus (SCELLE_RECORD/NNNNNN/) with the arguments, the locale variables and stdin (when an
argument is `-`), then runs the real binary (SCELLE_REAL) as if nothing happened.  Other commands (seal,
stamp, tsa) are passed through: they make the fixtures, they are not replayed.
"""
import json, os, shutil, sys, time

REAL = os.environ["SCELLE_REAL"]
CORPUS = os.environ["SCELLE_RECORD"]
RECORDED = ("verify", "show", "extract", "custody")
LEDGER_SUFFIX = ".custody.xml"   # src/lib/evidence/ledger.h
ENV_KEYS = ("LC_ALL", "LANG", "LANGUAGE", "LC_MESSAGES", "LC_CTYPE", "TZ", "NO_COLOR", "TERM",
            "COLUMNS", "SCELLE_LOCALEDIR", "SSL_CERT_DIR", "CLOCKSHIFT_SECONDS")
# Variables that name a file the call needs (a trust store, a clock-shifting library): the file
# is copied into the call's directory and the variable names the copy (@ABS@/env/NAME).
ENV_FILES = ("SSL_CERT_FILE", "LD_PRELOAD")


def record(argv, stdin_closed):
    os.makedirs(CORPUS, exist_ok=True)
    d = os.path.join(CORPUS, "%020d-%d" % (time.time_ns(), os.getpid()))   # sorts in call order
    root = os.path.join(d, "root")
    os.makedirs(root)
    args, k = [], 0
    for n, a in enumerate(argv):
        opt, val = "", a
        if a.startswith("--") and "=" in a:
            opt, val = a.split("=", 1)
            opt += "="
        elif a.startswith("-") or n == 0 or (n == 1 and argv[0] == "custody"):
            args.append(a)
            continue
        if not val or not os.path.lexists(val):
            args.append(a)
            continue
        if os.path.isabs(val) or ".." in val.split(os.sep):
            k += 1
            dst = os.path.join(d, "abs%d" % k, os.path.basename(val.rstrip("/")) or "x")
            arg = opt + "@ABS@/abs%d/%s" % (k, os.path.basename(dst))
        else:
            dst = os.path.join(root, val)
            arg = a
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.isdir(val) and not os.path.islink(val):
            shutil.copytree(val, dst, symlinks=True, dirs_exist_ok=True)
        elif not os.path.exists(dst):
            shutil.copy2(val, dst, follow_symlinks=False)
        # An archive's ledger is read from beside it (ARCHIVE.custody.xml) unless --ledger
        # names one: without it the replay would verify no custody at all.
        side = val + LEDGER_SUFFIX
        if os.path.isfile(side) and not os.path.isdir(val) and not os.path.exists(dst + LEDGER_SUFFIX):
            shutil.copy2(side, dst + LEDGER_SUFFIX, follow_symlinks=False)
        args.append(arg)
    stdin = None
    if "-" in argv[1:]:
        stdin = sys.stdin.buffer.read()
        open(os.path.join(d, "stdin"), "wb").write(stdin)
    env = {k: os.environ[k] for k in ENV_KEYS if k in os.environ}
    for k in ENV_FILES:
        if os.environ.get(k) and os.path.isfile(os.environ[k]):
            dst = os.path.join(d, "env", k, os.path.basename(os.environ[k]))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.environ[k], dst)
            env[k] = "@ABS@/env/%s/%s" % (k, os.path.basename(dst))
    json.dump({"argv": args, "env": env, "stdin": stdin is not None, "stdin_closed": stdin_closed,
               "script": os.environ.get("SCELLE_RECORD_SCRIPT", "")},
              open(os.path.join(d, "call.json"), "w"))
    return stdin


def main():
    argv = sys.argv[1:]
    stdin = None
    try:   # a test may run scelle with stdin closed (t65: the first file opened gets fd 0)
        os.fstat(0)
        stdin_closed = False
    except OSError:
        stdin_closed = True
    if argv and argv[0] in RECORDED and "--help" not in argv:
        try:
            stdin = record(argv, stdin_closed)
        except OSError:
            pass
    if stdin is None:
        os.execv(REAL, [REAL] + argv)
    import subprocess
    sys.exit(subprocess.run([REAL] + argv, input=stdin).returncode)


if __name__ == "__main__":
    main()
