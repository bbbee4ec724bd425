#!/usr/bin/env python3
"""mutate.py — mutation testing of the verifier (`make mutate`).

Each mutant changes one operator or one statement in one of the verification sources (a
negated condition, a swapped comparison, && for ||, a failing return turned into success, a
`continue`/`return` added or removed).  The mutant is built in a scratch copy of the tree
(never in the working tree), then the verification tests run until the first `not ok`: a
mutant that makes a test fail is *killed*; one that passes every test *survived*; one that
runs past the time limit *timed out* (counted as killed: the verdict changed).

Survivors listed in tests/mutate/equivalent.md ("file:line: mutation — why") are counted as
equivalent, not as survivors.  Prints killed / survived / timed out per file, each survivor
with its file, line and mutation, and the score; exits 1 when the score is under --min.

  tests/mutate/mutate.py [--max-per-file N] [--min 90] [--list] [FILE...]
"""
import argparse, os, re, shutil, signal, subprocess, sys, tempfile, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FILES = ["verify", "verify_sig", "zip_check", "custody_verify", "timestamp", "trust", "revocation"]
# The tests that judge each file's checks, the quickest killers first; the unit tests run
# first for every file.  A mutant that none of these notices is a survivor.
SCRIPTS = {
    "verify": ["t60-tamper.sh", "t11-verify.sh", "t63-zip-names.sh", "t12-operational.sh"],
    "zip_check": ["t60-tamper.sh", "t63-zip-names.sh", "t11-verify.sh"],
    "verify_sig": ["t60-tamper.sh", "t73-signer-policy.sh", "t71-revocation.sh", "t11-verify.sh"],
    "custody_verify": ["t51-custody-forgery.sh", "t50-custody.sh", "t73-signer-policy.sh"],
    "timestamp": ["t73-signer-policy.sh", "t31-seal-timestamp.sh", "t30-tsa.sh", "t32-stamp.sh"],
    "trust": ["t72-trust.sh", "t11-verify.sh", "t73-signer-policy.sh"],
    "revocation": ["t71-revocation.sh", "t72-trust.sh"],
}
ALL_SCRIPTS = sorted({s for v in SCRIPTS.values() for s in v})
UNITS = ["test_timestamp", "test_revinfo", "test_custody", "test_names"]

# (name, pattern, replacement): applied to one occurrence at a time.
OPS = [
    ("== -> !=", r"==", "!="),
    ("!= -> ==", r"!=", "=="),
    ("<= -> <", r"<=", "<"),
    (">= -> >", r">=", ">"),
    ("< -> <=", r"(?<![<-])<(?![<=])", "<="),
    ("> -> >=", r"(?<![->])>(?![>=])", ">="),
    ("&& -> ||", r"&&", "||"),
    ("|| -> &&", r"\|\|", "&&"),
    ("if (c) -> if (!(c))", r"\bif \((.*)\)(\s*[{]?\s*)$", r"if (!(\1))\2"),
    ("return -1 -> return 0", r"\breturn -1;", "return 0;"),
    ("return 0 -> return -1", r"\breturn 0;", "return -1;"),
    ("return false-ish 1 -> 0", r"\breturn 1;", "return 0;"),
    ("continue removed", r"^(\s*)continue;", r"\1;"),
    ("break removed", r"^(\s*)break;", r"\1;"),
    ("goto removed", r"^(\s*)goto (\w+);", r"\1;"),
    ("FAILED -> PASSED", r"\bSCELLE_FAILED\b", "SCELLE_PASSED"),
    ("INDETERMINATE -> PASSED", r"\bSCELLE_INDETERMINATE\b", "SCELLE_PASSED"),
]


def code_lines(text):
    """Yields (index, line) for lines that are code: not comments, preprocessor or strings-only."""
    in_comment = False
    for i, line in enumerate(text.split("\n")):
        s = line.strip()
        if in_comment:
            if "*/" in s:
                in_comment = False
            continue
        if s.startswith("/*"):
            in_comment = "*/" not in s
            continue
        if not s or s.startswith("#") or s.startswith("//") or s.startswith("*"):
            continue
        yield i, line


def strip_strings(line):
    """The line with string and char literals blanked, so operators inside them are skipped."""
    return re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'', lambda m: " " * len(m.group(0)), line)


def mutants(path):
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    out = []
    for i, line in code_lines(text):
        bare = strip_strings(line)
        code = bare.split("/*")[0]
        for name, pat, rep in OPS:
            for m in re.finditer(pat, code):
                if "#include" in line or "->" in code[max(0, m.start() - 1):m.end() + 1] and name.startswith(("<", ">")):
                    continue
                new = line[:m.start()] + m.expand(rep) + line[m.end():]
                if new != line:
                    out.append((i, name, new))
    return lines, out


def sample(items, n):
    if n <= 0 or len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def run(cmd, cwd, env, limit):
    """Runs cmd; returns 'pass', 'fail' (first not ok or a non-zero exit) or 'timeout'."""
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         start_new_session=True, text=True, errors="replace")
    deadline = time.time() + limit
    verdict = "pass"
    try:
        for line in p.stdout:
            if line.startswith("not ok"):
                verdict = "fail"
                break
            if time.time() > deadline:
                verdict = "timeout"
                break
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    if verdict == "pass" and p.returncode != 0:
        verdict = "fail"
    return verdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", default=FILES)
    ap.add_argument("--max-per-file", type=int, default=int(os.environ.get("MUTATE_MAX", "60")))
    ap.add_argument("--min", type=float, default=90.0)
    ap.add_argument("--limit", type=int, default=300, help="seconds per mutant")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    a = ap.parse_args()

    equivalent = set()
    eq = os.path.join(TOP, "tests/mutate/equivalent.md")
    if os.path.exists(eq):
        for line in open(eq, encoding="utf-8"):
            m = re.match(r"^- `?(src/lib/\w+\.c:\d+: [^`—]+?)`?\s+—", line)
            if m:
                equivalent.add(m.group(1).strip())

    plan = []
    for f in a.files:
        rel = "src/lib/%s.c" % f
        lines, ms = mutants(os.path.join(TOP, rel))
        for i, name, new in sample(ms, a.max_per_file):
            plan.append((rel, i, name, new))
    if a.list:
        for rel, i, name, new in plan:
            print("%s:%d: %s\t%s" % (rel, i + 1, name, new.strip()))
        print("%d mutants" % len(plan))
        return 0

    work = tempfile.mkdtemp(prefix="scelle-mutate.")
    for d in ("src", "include", "tests", "formats", "examples"):
        shutil.copytree(os.path.join(TOP, d), os.path.join(work, d), symlinks=True)
    shutil.copy(os.path.join(TOP, "Makefile"), work)
    env = dict(os.environ, B=os.path.join(work, "build"))
    units = ["build/tests/unit/%s" % u for u in UNITS]
    targets = ["all", "build/tests/unit/tsa_tool"] + units   # all: the message catalogs too
    make = ["make", "--no-print-directory", "-s"]
    if subprocess.call(make + targets, cwd=work, stdout=subprocess.DEVNULL) != 0:
        print("mutate: the unmutated tree does not build", file=sys.stderr)
        return 2
    for s in ALL_SCRIPTS:   # the suite must pass before a mutant can be judged by it
        if run(["sh", "tests/cli/" + s], work, env, 900) != "pass":
            print("mutate: %s fails on the unmutated tree" % s, file=sys.stderr)
            return 2

    stats, survivors = {}, []
    for n, (rel, i, name, new) in enumerate(plan, 1):
        path = os.path.join(work, rel)
        orig = open(path, encoding="utf-8").read()
        lines = orig.split("\n")
        lines[i] = new
        open(path, "w", encoding="utf-8").write("\n".join(lines))
        st = stats.setdefault(rel, {"killed": 0, "survived": 0, "timeout": 0, "equivalent": 0,
                                    "nobuild": 0})
        try:
            if subprocess.call(make + targets, cwd=work, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) != 0:
                st["nobuild"] += 1
                continue
            verdict = "pass"
            for u in units:
                verdict = run([u], work, env, a.limit)
                if verdict != "pass":
                    break
            base = os.path.basename(rel)[:-2]
            for s in SCRIPTS.get(base, ALL_SCRIPTS) if verdict == "pass" else []:
                verdict = run(["sh", "tests/cli/" + s], work, env, a.limit)
                if verdict != "pass":
                    break
            key = "%s:%d: %s" % (rel, i + 1, name)
            if verdict == "fail":
                st["killed"] += 1
            elif verdict == "timeout":
                st["timeout"] += 1
            elif key in equivalent:
                st["equivalent"] += 1
            else:
                st["survived"] += 1
                survivors.append("%s\t%s" % (key, new.strip()))
            print("[%d/%d] %-9s %s" % (n, len(plan), verdict, key), flush=True)
        finally:
            open(path, "w", encoding="utf-8").write(orig)
    shutil.rmtree(work, ignore_errors=True)

    print("\n%-28s %7s %8s %8s %10s %8s" % ("file", "killed", "survived", "timeout", "equivalent", "score"))
    tk = ts = 0
    for rel, st in stats.items():
        k = st["killed"] + st["timeout"]
        judged = k + st["survived"]
        tk += k
        ts += st["survived"]
        print("%-28s %7d %8d %8d %10d %7.1f%%" % (rel, st["killed"], st["survived"], st["timeout"],
              st["equivalent"], 100.0 * k / judged if judged else 100.0))
    score = 100.0 * tk / (tk + ts) if tk + ts else 100.0
    print("all: %d mutants judged, %d killed, %d survived: %.1f%% killed" % (tk + ts, tk, ts, score))
    for s in survivors:
        print("survived: " + s)
    return 0 if score >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())
