#!/usr/bin/env python3
"""mutate.py — mutation testing of the verifier (`make mutate`).

Each mutant changes one operator or one statement in one of the verification sources (a
negated condition, a swapped comparison, && for ||, a failing return turned into success, a
`continue`/`return` added or removed) — in the verifier's code: the functions of these files
that only `seal` and `stamp` run (SEAL_ONLY) are left out unless --seal-side.  MUTATE_MAX (--max-per-file, 50) mutants are taken per
file, evenly spread over it, and run round robin over the files.

Judging a mutant by running the test scripts takes minutes (their time goes into making
fixtures: PKIs, seals, forgeries in Python); so the scripts run once, unmutated, and every
call they make that reads an archive (verify, show, extract, custody) is recorded with the
files it was given (tests/mutate/record.py stands in for `scelle`; the corpus is kept in
build/mutate/ until the tests change).  A mutant is then:
  - built in a scratch copy of the tree, build/mutate/tree (never the working tree): only the
    mutated object is recompiled and the program relinked; the file and its unmutated object
    are put back after each mutant;
  - *killed* when a recorded call of its file's scripts (SCRIPTS) exits with another code
    than the unmutated program (the scripts check every exit code: expect_exit,
    test_must_fail), or when its unit test fails; *timed out* (counted as killed) when a call
    runs 20 times longer than unmutated;
  - a mutant on a line that no recorded call runs (gcov, over one replay of the corpus by a
    build with counters) is not replayed: the replay could find no call that differs;
  - when no exit code changed but some calls printed or wrote otherwise (stdout, stderr, the
    files a call writes: a report, an extract folder; the times in them masked), the (--rerun, 5) scripts
    that made those calls run in full, until the first `not ok`: they judge the messages
    (test_grep); with --scripts, every script of its file runs too (slow);
  - otherwise it *survived*, unless tests/mutate/equivalent.md lists it.
A run can stop early (--budget MIN, or SIGTERM) and still print its table, labelled
PARTIAL; --resume LOG carries on from a stopped run's log (its survivors run again, so a
test added since can kill them); --summarize LOG prints the table of a log.  A log made on
an older tree is named LOG@COMMIT: its line numbers are carried to today's lines (difflib; a
mutant whose line changed since is left out), and --resume-tree COMMIT takes the plan of the
first run's tree, so that edits of the sources do not change which mutants are sampled.

equivalent.md names a mutant by file, mutation and the text of the mutated line (blanks
collapsed), so an entry survives edits elsewhere in the file; the line number is a hint:
  - `src/lib/LAYER/FILE.c:LINE` `MUTATION` `MUTATED LINE` — why no verdict can change.
Prints each mutant's fate, then mutants / killed / timed out / equivalent / survived per file
and in all, each survivor with its file:line, mutation and mutated line, and the score
(killed / (killed + survived)); exits 1 when the score is under --min.

  tests/mutate/mutate.py [--max-per-file N] [--min 90] [--budget MIN] [--resume LOG[@COMMIT]]
                         [--resume-tree COMMIT] [--scripts] [--match RE] [--list]
                         [--summarize LOG[@COMMIT]] [FILE...]
"""
import argparse, concurrent.futures, difflib, hashlib, itertools, json, os, re, shutil, signal, subprocess, sys, tempfile, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FILES = ["verify", "verify_sig", "zip_check", "custody_verify", "timestamp", "trust", "revocation"]
# The tests that judge each file's checks, the quickest killers first; the unit tests run
# first for every file.  A mutant that none of these notices is a survivor.
def lib_path(f):
    """src/lib/LAYER/f.c: the source of library file f, in whichever layer it is."""
    for d in sorted(os.listdir(os.path.join(TOP, "src/lib"))):
        if os.path.exists(os.path.join(TOP, "src/lib", d, f + ".c")):
            return "src/lib/%s/%s.c" % (d, f)
    raise SystemExit("mutate: no src/lib/*/%s.c" % f)


SCRIPTS = {
    "verify": ["t60-tamper.sh", "t11-verify.sh", "t63-zip-names.sh", "t12-operational.sh"],
    "zip_check": ["t60-tamper.sh", "t63-zip-names.sh", "t11-verify.sh"],
    "verify_sig": ["t60-tamper.sh", "t73-signer-policy.sh", "t71-revocation.sh", "t11-verify.sh"],
    "custody_verify": ["t51-custody-forgery.sh", "t50-custody.sh", "t73-signer-policy.sh"],
    "timestamp": ["t73-signer-policy.sh", "t31-seal-timestamp.sh", "t30-tsa.sh", "t32-stamp.sh",
                  "t71-revocation.sh", "t50-custody.sh"],
    "trust": ["t72-trust.sh", "t11-verify.sh", "t73-signer-policy.sh", "t71-revocation.sh",
              "t12-operational.sh"],
    "revocation": ["t71-revocation.sh", "t72-trust.sh", "t11-verify.sh"],
}
ALL_SCRIPTS = sorted({s for v in SCRIPTS.values() for s in v})
# Recorded for the replay of every file's mutants, not run by --scripts: the forgeries, and
# the tests written to kill survivors of earlier runs.
RECORD_EXTRA = ["t64-forger.sh", "t65-mutants.sh", "t68-mutants-crypto.sh"]
# Code of these files that only `seal` and `stamp` run (fetching revocation data, the TSA
# client): not the verifier.  Their mutants are left out unless --seal-side is given (then
# only --scripts can judge them: the recorded calls never run this code).
SEAL_ONLY = {
    # issuer_of, self_issued: revocation_prepare's (verify takes each issuer from the chain it
    # built).  Not revocation_fetch_ocsp/_crl: `verify --online` fetches too.
    "revocation": ["connect_to", "http_fetch", "push_ocsp", "push_crl", "issuer_of", "self_issued",
                   "revocation_extra_free", "revocation_add_data", "revocation_prepare"],
    "timestamp": ["sha256", "pki_status_name", "describe_status", "make_request", "http_error",
                  "tsa_access_set", "tsa_access_clear", "tsa_connect", "no_pass", "tls_context",
                  "tls_layer", "tls_hook", "post_request", "check_reply", "tsa_request"],
}
# Written to kill the survivors of earlier runs: the first to run again (and quick).
KILLERS = ["t65-mutants.sh", "t68-mutants-crypto.sh"]
# The unit tests that exercise a file, run when the replay leaves its mutant alive.
UNITS = {"timestamp": ["test_timestamp"], "revocation": ["test_revinfo"],
         "custody_verify": ["test_custody"],
         # verify --online with a CRL served on loopback: the replay has no server
         "verify_sig": ["test_verify_online"]}

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


def seal_side_lines(lines, names):
    """The line numbers (0-based) of the bodies of the functions named."""
    out, inside = set(), False
    for i, line in enumerate(lines):
        m = re.match(r"^[a-zA-Z].*?\b(\w+)\(", line)
        if m and not line.rstrip().endswith(";"):
            inside = m.group(1) in names
        if inside:
            out.add(i)
        if line.startswith("}"):
            inside = False
    return out


def mutants(path, seal_side=False, text=None):
    if text is None:
        text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    skip = set() if seal_side else seal_side_lines(lines, SEAL_ONLY.get(os.path.basename(path)[:-2], ()))
    out = []
    for i, line in code_lines(text):
        if i in skip:
            continue
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


LINE_MAPS = {}


def line_map(rel, commit):
    """{line index in rel at commit: its index today} for the lines difflib finds unchanged."""
    if (rel, commit) not in LINE_MAPS:
        old = subprocess.run(["git", "show", "%s:%s" % (commit, rel)], cwd=TOP, capture_output=True,
                             text=True, check=True).stdout.split("\n")
        new = open(os.path.join(TOP, rel), encoding="utf-8").read().split("\n")
        where = {}
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                where.update(zip(range(i1, i2), range(j1, j2)))
        LINE_MAPS[rel, commit] = (where, "\n".join(old))
    return LINE_MAPS[rel, commit]


def carried_plan(rel, commit, seal_side, n):
    """The sampled mutants of rel as it was at commit, at their lines today (a mutant whose
    line changed since is dropped)."""
    where, old = line_map(rel, commit)
    return [(where[i], name, text) for i, name, text in sample(mutants(rel, seal_side, old)[1], n)
            if i in where]


def sample(items, n):
    if n <= 0 or len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(k * step)] for k in range(n)]


def run(cmd, cwd, env, limit):
    """Runs a TAP script; returns 'pass', 'fail' (first not ok or a non-zero exit) or 'timeout'."""
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


# ---- the corpus: every read-only call the test scripts make, recorded once ------------------
def digest(paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(p.encode() + b"\0" + open(p, "rb").read())
    return h.hexdigest()


def record(work, corpus, s, log):
    """Runs script s once, unmutated, with record.py standing in for `scelle`; its calls go
    into the directory corpus."""
    tmp = corpus + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    recb = os.path.join(tmp, "B")
    os.makedirs(recb)
    build = os.path.join(work, "build")
    for e in os.listdir(build):
        if e != "scelle":
            os.symlink(os.path.join(build, e), os.path.join(recb, e))
    os.symlink(os.path.join(work, "tests/mutate/record.py"), os.path.join(recb, "scelle"))
    t0 = time.time()
    env = dict(os.environ, B=recb, SCELLE_REAL=os.path.join(build, "scelle"),
               SCELLE_RECORD=os.path.join(tmp, "calls"))
    v = run(["sh", "tests/cli/" + s], work, env, 1800)
    n = len(os.listdir(os.path.join(tmp, "calls"))) if os.path.isdir(os.path.join(tmp, "calls")) else 0
    log("recorded %-24s %-5s %3d calls, %.0f s" % (s, v, n, time.time() - t0))
    if v != "pass":
        log("mutate: %s fails on the unmutated tree" % s)
        return False
    shutil.rmtree(recb)
    os.makedirs(os.path.join(tmp, "calls"), exist_ok=True)
    os.rename(tmp, corpus)
    return True


WHEN = re.compile(rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(\.\d+)?( ?UTC|Z|[+-]\d\d:?\d\d)?")


class Call:
    def __init__(self, d, script):
        self.dir, self.script = d, script
        c = json.load(open(os.path.join(d, "call.json")))
        self.raw_env = c["env"]
        self.env = {k: v.replace("@ABS@", d) for k, v in c["env"].items()}
        self.stdin_closed = c.get("stdin_closed", False)
        self.stdin = open(os.path.join(d, "stdin"), "rb").read() if c["stdin"] else None
        self.argv = [a.replace("@ABS@", d) for a in c["argv"]]
        self.root = os.path.join(d, "root")
        self.keep = set(os.listdir(self.root))
        self.writes = self.argv[:2] == ["custody", "add"]
        self.limit = 30.0
        self.exit_only = False
        self.files = None   # the digest of what the call writes, when two runs wrote alike
        self.base = None

    def replay(self, scelle):
        """(exit code or 'timeout', stdout, stderr) of the call with this binary."""
        cwd = self.root
        if self.writes:   # custody add changes the archive: work on a copy
            cwd = tempfile.mkdtemp(prefix="scelle-replay.")
            shutil.rmtree(cwd)
            shutil.copytree(self.root, cwd, symlinks=True)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
        env.update(self.env)
        try:
            p = subprocess.run([scelle] + self.argv, cwd=cwd, env=env, input=self.stdin,
                               stdin=None if self.stdin is not None else subprocess.DEVNULL,
                               preexec_fn=(lambda: os.close(0)) if self.stdin_closed else None,
                               capture_output=True, timeout=self.limit)
            r = (p.returncode, p.stdout, p.stderr)
        except subprocess.TimeoutExpired:
            r = ("timeout", b"", b"")
        if self.writes:
            shutil.rmtree(cwd, ignore_errors=True)
        else:   # what the call wrote (an extract folder, a report) is judged too, then goes
            h = hashlib.sha256()
            for e in sorted(set(os.listdir(self.root)) - self.keep):
                p = os.path.join(self.root, e)
                for f in sorted([p] if not os.path.isdir(p) else
                                (os.path.join(dp, f) for dp, _, fs in os.walk(p) for f in fs)):
                    if os.path.isfile(f) and not os.path.islink(f):
                        # the report states when it was made: that time is not a verdict
                        h.update(f[len(self.root):].encode() + b"\0" +
                                 WHEN.sub(b"TIME", open(f, "rb").read()))
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
            r = r + (h.hexdigest(),)
        return r


def load_corpus(corpus, scripts, scelle, log, pool):
    """The recorded calls, without duplicates, each with its verdict on the unmutated binary
    (replayed twice: a call whose exit code differs between two runs is dropped, one whose
    output differs is judged on its exit code only)."""
    calls, seen = [], set()
    for s in scripts:
        sd = os.path.join(corpus[s], "calls")
        for n in sorted(os.listdir(sd)):
            if not os.path.exists(os.path.join(sd, n, "call.json")):
                continue   # record.py could not copy its files (a fifo, a file it may not read)
            c = Call(os.path.join(sd, n), s)
            if any("://" in x for x in c.argv):
                continue   # its server (a TSA, an OCSP responder) is gone, or another's now
            files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(c.dir) for f in fs
                           if not os.path.islink(os.path.join(dp, f)) and f != "base.json")
            h = hashlib.sha256(json.dumps([c.raw_env, [a.replace(c.dir, "") for a in c.argv]]).encode())
            for f in files:
                h.update(f[len(c.dir):].encode() + open(f, "rb").read())
            if h.hexdigest() in seen:
                continue
            seen.add(h.hexdigest())
            calls.append(c)

    binary = digest([scelle])

    def base(c):
        cache = os.path.join(c.dir, "base.json")   # kept while the unmutated program is the same
        if os.path.exists(cache):
            j = json.load(open(cache))
            if j["binary"] == binary and "written" in j:
                c.limit, c.exit_only, c.files = j["limit"], j["exit_only"], j["written"]
                c.base = (j["exit"], bytes.fromhex(j["out"]), bytes.fromhex(j["err"])) if j["ok"] else None
                return
        t0 = time.time()
        a = c.replay(scelle)
        c.limit = max(20.0, 20 * (time.time() - t0))
        b = c.replay(scelle)
        if a[0] == b[0] and a[0] != "timeout":
            c.exit_only = a[:3] != b[:3]
            c.base = a[:3]
            # what it wrote, judged when two runs wrote alike
            c.files = a[3] if len(a) > 3 and a[3:] == b[3:] else None
        json.dump({"binary": binary, "limit": c.limit, "exit_only": c.exit_only, "ok": c.base is not None,
                   "exit": a[0], "out": a[1].hex(), "err": a[2].hex(), "written": c.files},
                  open(cache, "w"))
    list(pool.map(base, calls))
    calls = [c for c in calls if c.base is not None]
    log("corpus: %d calls (%d judged on exit code only; %d write files, judged too)" % (len(calls),
        sum(c.exit_only for c in calls), sum(c.files is not None for c in calls)))
    return calls


def reached_lines(work, calls, pool, log):
    """{file: the line numbers that some recorded call runs}, from one replay of the corpus by
    a build with gcov's counters (build-cov in the scratch tree).  A line gcov counts nothing
    on (a condition's second line) takes the state of the statement it continues."""
    t0 = time.time()
    make = ["make", "--no-print-directory", "-s", "B=build-cov", "CFLAGS=-O0 -g0 --coverage",
            "LDFLAGS=--coverage"]
    if subprocess.call(make + ["build-cov/scelle"], cwd=work, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) != 0:
        log("mutate: the coverage build failed; every mutant is replayed")
        return None
    for dp, _, fs in os.walk(os.path.join(work, "build-cov")):
        for f in fs:
            if f.endswith(".gcda"):
                os.unlink(os.path.join(dp, f))
    cov = os.path.join(work, "build-cov", "scelle")
    list(pool.map(lambda c: c.replay(cov), calls))
    out = {}
    for f in FILES:
        rel = lib_path(f)
        g = subprocess.run(["gcov", "-t", "-o", os.path.join("build-cov", os.path.dirname(rel)), rel],
                           cwd=work, capture_output=True, text=True).stdout
        lines, state, sources = set(), False, 0
        for row in g.split("\n"):
            m = re.match(r"^\s*([^:]+):\s*(\d+):", row)
            if m and m.group(2) == "0" and ":Source:" in row:
                sources += 1
                if sources > 1:
                    break   # the headers' inline functions follow the file's own lines
            if not m or m.group(2) == "0":
                continue
            c = m.group(1).strip().rstrip("*")
            if c != "-":
                state = c not in ("#####", "=====")
            if state:
                lines.add(int(m.group(2)))
        out[rel] = lines
    log("coverage: the corpus runs %s lines; %.0f s" % (
        ", ".join("%s %d" % (os.path.basename(r), len(v)) for r, v in out.items()), time.time() - t0))
    return out


def key_of(rel, name, new, line):
    """What equivalent.md matches on: the file, the mutation and the mutated line's text, so an
    entry survives edits elsewhere in the file (the line number is only a hint).  A line too
    short to tell one place from another (`return 0;`, `;` for a removed `break`) matches on
    its line number as well: an entry must never cover the same mutation elsewhere."""
    text = " ".join(new.split())
    return (rel, name, text, line) if len(text) < 16 else (rel, name, text)


def load_equivalent(path):
    eq = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"^- `(src/lib/(?:\w+/)?\w+\.c):(\d+)` `([^`]+)` `(.*)` — ", line)
            if m:
                eq[key_of(m.group(1), m.group(3), m.group(4), int(m.group(2)))] = line.strip()
    return eq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", default=FILES)
    ap.add_argument("--max-per-file", type=int, default=int(os.environ.get("MUTATE_MAX", "50")))
    ap.add_argument("--min", type=float, default=90.0)
    ap.add_argument("--limit", type=int, default=600, help="seconds per test script (--scripts)")
    ap.add_argument("--scripts", action="store_true",
                    help="judge the mutants the replay left alive by the test scripts too")
    ap.add_argument("--match", help="run only the mutants whose 'file:line: mutation' matches")
    ap.add_argument("--rerecord", action="store_true", help="record the corpus anew")
    ap.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    ap.add_argument("--seal-side", action="store_true", help="mutate the SEAL_ONLY functions too")
    ap.add_argument("--summarize", metavar="LOG", action="append",
                    help="print the summary of a run from its log (several: the last verdict of a mutant counts)")
    ap.add_argument("--resume", metavar="LOG", action="append",
                    help="skip (and count) the mutants judged in LOG (several: the last verdict counts)")
    ap.add_argument("--resume-tree", metavar="COMMIT",
                    help="the logs of --resume judged COMMIT's sources: its plan is carried to "
                         "today's lines (a mutant whose line changed since is dropped)")
    ap.add_argument("--keep-survivors", action="store_true",
                    help="with --resume: count LOG's survivors as survivors, do not run them again")
    ap.add_argument("--rerun", type=int, default=5,
                    help="scripts to run when only the output differs (0: none)")
    ap.add_argument("--budget", type=float, default=0, help="minutes; then stop and summarise")
    ap.add_argument("--jobs", type=int, default=3, help="replayed calls at a time")
    a = ap.parse_args()
    t_start = time.time()

    def log(msg):
        print(msg, flush=True)

    equivalent = load_equivalent(os.path.join(TOP, "tests/mutate/equivalent.md"))
    per_file = []
    for f in a.files:
        rel = lib_path(f)
        if a.resume_tree:   # the plan of the first log's tree, carried to today's lines
            ms = carried_plan(rel, a.resume_tree, a.seal_side, a.max_per_file)
        else:
            ms = sample(mutants(os.path.join(TOP, rel), a.seal_side)[1], a.max_per_file)
        per_file.append([(rel, i, name, new) for i, name, new in ms
                         if not a.match or re.search(a.match, "%s:%d: %s" % (rel, i + 1, name))])
    # Round robin over the files: a run cut short has judged every file alike.
    plan = [m for ms in itertools.zip_longest(*per_file) for m in ms if m]
    if a.summarize:
        return summarize(a.summarize, plan, equivalent, a.min, log, a.resume_tree)
    if a.list:
        for rel, i, name, new in plan:
            print("%s:%d: %s\t%s" % (rel, i + 1, name, new.strip()))
        print("%d mutants" % len(plan))
        return 0

    # The scratch tree keeps its build between runs (copy2 keeps the times, so make rebuilds
    # only what changed); each mutant recompiles one object and relinks.
    state = os.path.join(TOP, "build", "mutate")
    work = os.path.join(state, "tree")
    os.makedirs(work, exist_ok=True)
    for d in ("src", "include", "tests", "formats", "examples"):
        shutil.rmtree(os.path.join(work, d), ignore_errors=True)
        shutil.copytree(os.path.join(TOP, d), os.path.join(work, d), symlinks=True)
    shutil.copy2(os.path.join(TOP, "Makefile"), work)
    for f in FILES:   # a run cut short may have left a mutant's object behind
        for o in ("", ".orig"):
            if os.path.exists(os.path.join(work, "build/%s.o%s" % (lib_path(f)[:-2], o))):
                os.unlink(os.path.join(work, "build/%s.o%s" % (lib_path(f)[:-2], o)))
    units = {f: ["build/tests/unit/%s" % u for u in us] for f, us in UNITS.items()}
    make = ["make", "--no-print-directory", "-s", "CFLAGS=-O0 -g0"]
    base_targets = ["all", "build/tests/unit/tsa_tool"] + sorted({u for us in units.values() for u in us})
    if subprocess.call(make + base_targets, cwd=work, stdout=subprocess.DEVNULL) != 0:
        log("mutate: the unmutated tree does not build")
        return 2
    scelle = os.path.join(work, "build", "scelle")

    pool = concurrent.futures.ThreadPoolExecutor(a.jobs)
    needed = {os.path.basename(rel)[:-2] for rel, _, _, _ in plan}
    scripts = sorted({s for f in needed for s in SCRIPTS.get(f, [])} | set(RECORD_EXTRA))
    # Each script's calls are recorded once per version of the script and of what it uses.
    common = digest([os.path.join(TOP, "tests", p) for p in ["cli/lib.sh", "pki.sh", "mutate/record.py"]] +
                    sorted(os.path.join(TOP, "tests/data", p) for p in os.listdir(os.path.join(TOP, "tests/data"))
                           if os.path.isfile(os.path.join(TOP, "tests/data", p))))
    corpus = {}
    for s in scripts:
        key = hashlib.sha256((common + digest([os.path.join(TOP, "tests/cli", s)])).encode()).hexdigest()
        corpus[s] = os.path.join(state, "corpus", "%s-%s" % (s[:-3], key[:12]))
        if a.rerecord or not os.path.isdir(corpus[s]):
            if not record(work, corpus[s], s, log):
                return 2
    calls = load_corpus(corpus, scripts, scelle, log, pool)
    reached = None if a.scripts else reached_lines(work, calls, pool, log)
    log("%d mutants; setup took %.0f s" % (len(plan), time.time() - t_start))

    stats, survivors, order = {}, [], {}
    text = {"%s:%d: %s" % (rel, i + 1, name): (rel, name, new, i + 1) for rel, i, name, new in plan}
    done = set()
    if a.resume:   # the mutants a stopped run judged are counted from its log, not run again
        for label, (res, rel, line) in judged(a.resume, a.resume_tree).items():
            if label not in text:
                continue   # not in today's plan (its line changed since)
            # A survivor runs again (a new test may kill it), and so does a mutant judged
            # equivalent that equivalent.md no longer lists.
            stale = res == "equivalent" and key_of(*text[label]) not in equivalent
            if (res != "survived" and not stale) or a.keep_survivors:
                done.add(label)
                log(line)
                tally(stats, survivors, equivalent, text, res, rel, label)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    partial, interrupted = "", [False]
    for n, (rel, i, name, new) in enumerate(plan, 1):
        t0 = time.time()
        if a.budget and t0 - t_start > a.budget * 60:
            partial = "the time budget (--budget %d min) ran out" % a.budget
            break
        base = os.path.basename(rel)[:-2]
        path = os.path.join(work, rel)
        if "%s:%d: %s" % (rel, i + 1, name) in done:
            continue
        obj = os.path.join(work, "build", rel[:-2] + ".o")
        if not os.path.exists(obj + ".orig"):   # the unmutated object, put back after each mutant
            shutil.copy2(obj, obj + ".orig")
        orig = open(path, encoding="utf-8").read()
        lines = orig.split("\n")
        lines[i] = new
        open(path, "w", encoding="utf-8").write("\n".join(lines))
        st = stats.setdefault(rel, {"mutants": 0, "killed": 0, "timeout": 0, "equivalent": 0,
                                    "survived": 0, "nobuild": 0})
        label = "%s:%d: %s" % (rel, i + 1, name)
        counted = False
        try:
            if interrupted[0]:
                break
            if subprocess.call(make + ["build/scelle"], cwd=work, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) != 0:
                st["nobuild"] += 1
                log("[%d/%d] %-10s %s" % (n, len(plan), "nobuild", label))
                continue
            st["mutants"] += 1
            counted = True
            verdict, why, differs = "pass", "", {}
            if base in units:   # first: a link and a second beat replaying a hundred calls
                subprocess.call(make + units[base], cwd=work, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
                for u in units[base]:
                    verdict = run([u], work, dict(os.environ, B="build"), 300)
                    if verdict != "pass":
                        why = os.path.basename(u)
                        break
            # A line no recorded call runs: the replay cannot tell its mutant apart (it would
            # find no call that differs), so it is not run.
            unreached = reached is not None and i + 1 not in reached.get(rel, ())
            # The replay: the calls of this file's scripts, the last killer first.
            # The calls of the KILLERS first: they were written against survivors.
            mine = order.setdefault(base, sorted((c for c in calls
                                                  if c.script in SCRIPTS.get(base, []) + RECORD_EXTRA),
                                                 key=lambda c: c.script not in KILLERS))
            k = len(mine) if unreached else 0
            while k < len(mine) and verdict == "pass":
                # A few calls at a time once the likely killers have had their turn: each call
                # is mostly process start-up, so the waits overlap; the CPU used is the same.
                chunk = mine[k:k + (1 if k < 4 else a.jobs * 2)]
                for j, (c, r) in enumerate(zip(chunk, pool.map(lambda c: c.replay(scelle), chunk))):
                    if r[0] != c.base[0]:
                        verdict = "timeout" if r[0] == "timeout" else "fail"
                        why = "%s: scelle %s: exit %s, not %s" % (c.script, c.argv[0], r[0], c.base[0])
                        mine.insert(0, mine.pop(k + j))
                        break
                    if (not c.exit_only and r[:3] != c.base) or (c.files and r[3:] != (c.files,)):
                        differs[c.script] = differs.get(c.script, 0) + 1
                k += len(chunk)
            # Same exit codes, other output: the scripts whose calls printed otherwise run (the
            # KILLERS, then the most differences first) and judge by what they assert of it.
            again = sorted(differs, key=lambda s: (s not in KILLERS, -differs[s]))[:a.rerun]
            if verdict == "pass" and a.scripts:
                again += [s for s in SCRIPTS.get(base, ALL_SCRIPTS) if s not in again]
            if verdict == "pass":
                for s in again:
                    verdict = run(["sh", "tests/cli/" + s], work, dict(os.environ, B="build"), a.limit)
                    if verdict == "timeout":   # a busy machine, not a verdict: hangs are the replay's
                        verdict = "pass"
                    if verdict != "pass":
                        why = s
                        break
            k = key_of(rel, name, new, i + 1)
            if verdict == "fail":
                st["killed"] += 1
                res = "killed"
            elif verdict == "timeout":
                st["timeout"] += 1
                res = "timeout"
            elif k in equivalent:
                st["equivalent"] += 1
                res = "equivalent"
            else:
                st["survived"] += 1
                res = "survived"
                why = ("output differs (%s), exit codes alike" % ", ".join(sorted(differs))
                       if differs else "no recorded call runs its line" if unreached else "no call differs")
                survivors.append("`%s:%d` `%s` `%s` (%s)" % (rel, i + 1, name, k[2], why))
            log("[%d/%d] %-10s %s  %.0f s  %s" % (n, len(plan), res, label, time.time() - t0,
                why if res != "survived" else "%s: `%s`" % (why, k[2])))
        except KeyboardInterrupt:
            interrupted[0] = True
            partial = "interrupted"
            st["mutants"] -= counted
            break
        finally:
            open(path, "w", encoding="utf-8").write(orig)
            shutil.copy(obj + ".orig", obj)   # newer than the source: make will not rebuild it

    return summary(stats, survivors, partial, len(plan), t_start, a.min, log)


def summary(stats, survivors, partial, planned, t_start, minimum, log):
    log("\n%-27s %7s %7s %8s %10s %8s %7s %7s" % ("file", "mutants", "killed", "timeout",
        "equivalent", "survived", "nobuild", "score"))
    tot = dict.fromkeys(["mutants", "killed", "timeout", "equivalent", "survived", "nobuild"], 0)
    for rel, st in stats.items():
        for x in tot:
            tot[x] += st[x]
    for rel, st in list(stats.items()) + [("all", tot)]:
        k = st["killed"] + st["timeout"]
        judged = k + st["survived"]
        log("%-27s %7d %7d %8d %10d %8d %7d %6.1f%%" % (rel, st["mutants"], st["killed"], st["timeout"],
            st["equivalent"], st["survived"], st["nobuild"], 100.0 * k / judged if judged else 100.0))
    k = tot["killed"] + tot["timeout"]
    score = 100.0 * k / (k + tot["survived"]) if k + tot["survived"] else 100.0
    if partial:
        log("PARTIAL RUN (%s): %d of the %d planned mutants were judged" % (
            partial, sum(st["mutants"] + st["nobuild"] for st in stats.values()), planned))
    log("all: %d mutants, %d killed (%d timed out), %d equivalent, %d survived: %.1f%% of the "
        "non-equivalent killed; %.0f min" % (tot["mutants"], k, tot["timeout"], tot["equivalent"],
        tot["survived"], score, (time.time() - t_start) / 60))
    for s in survivors:
        log("survived: " + s)
    return 0 if score >= minimum else 1


def tally(stats, survivors, equivalent, text, res, rel, label):
    """Counts one mutant judged in an earlier log ('survived' is judged anew: equivalent.md
    may list it by now)."""
    st = stats.setdefault(rel, {"mutants": 0, "killed": 0, "timeout": 0, "equivalent": 0,
                                "survived": 0, "nobuild": 0})
    st["mutants"] += res != "nobuild"
    if res in ("survived", "equivalent"):
        k = key_of(*text[label]) if label in text else None
        res = "equivalent" if k in equivalent else "survived"
        if res == "survived":
            survivors.append("`%s` `%s` `%s`" % (label.split(": ")[0], label.split(": ", 1)[1],
                                                   k[2] if k else "?"))
    st[res] += 1


def judged(logfiles, tree=None):
    """{label: (verdict, file, log line)} of the mutants judged in the logs, in their order; a
    mutant judged in several (a survivor run again after a test was added) counts with its last
    verdict.  LOG@COMMIT: the log's line numbers are those of COMMIT's sources (tree, when
    given, is the default), carried to today's lines; a mutant whose line changed is left out."""
    out = {}
    for logfile in logfiles:
        logfile, _, commit = logfile.partition("@")
        commit = commit or tree
        for line in open(logfile, encoding="utf-8"):
            m = re.match(r"^\[\d+/\d+\] (\w+) +(src/lib/(?:\w+/)?\w+\.c):(\d+): (.+?)(  \d+ s.*)?$", line.rstrip())
            if m:
                n = int(m.group(3))
                if commit:
                    n = line_map(m.group(2), commit)[0].get(n - 1, -2) + 1
                    if n < 0:
                        continue
                    line = line.replace("%s:%s:" % (m.group(2), m.group(3)), "%s:%d:" % (m.group(2), n), 1)
                label = "%s:%s: %s" % (m.group(2), n, m.group(4))
                out.pop(label, None)
                out[label] = (m.group(1), m.group(2), line.rstrip())
    return out


def summarize(logfiles, plan, equivalent, minimum, log, tree=None):
    """The summary of a run from its logs (a run stopped before it could print one, or one run
    in parts: --match, --resume)."""
    text = {"%s:%d: %s" % (rel, i + 1, name): (rel, name, new, i + 1) for rel, i, name, new in plan}
    stats, survivors = {}, []
    for label, (res, rel, line) in judged(logfiles, tree).items():
        if label not in text:
            continue   # not in today's plan (its line changed since)
        tally(stats, survivors, equivalent, text, res, rel, label)
    return summary(stats, survivors, "summarised from %s" % ", ".join(logfiles), len(plan), time.time(),
                   minimum, log)


if __name__ == "__main__":
    sys.exit(main())
