#!/usr/bin/env python3
"""bench.py — `make bench`: scelle seal and verify against what an investigator does by hand.

Generates a deterministic corpus under build/bench (pseudo-random bytes from AES-CTR with a
fixed key, so every run seals the same bytes), then runs, round after round, every command
once (the order rotating), with /usr/bin/time:

  B1  sha256sum over every file, then bsdtar --format zip --options zip:compression=store
  B2  openssl dgst -sha256 over every file (the hash-only floor)
  B3  the bsdtar zip alone
  B3s the bsdtar zip, then `sync` on it: seal's archive is on disk when it ends (it is
      fsynced before the rename, DESIGN.md §6.2), bsdtar's is still in the page cache
  seal    scelle seal (SHA-256, no TSA)       verify  scelle verify of that archive
and on the 2 GB corpus also
  B4  sha256sum, sha512sum and md5sum one after another
  seal3   scelle seal --digest sha512 --digest md5

It prints the median wall and CPU (user + system) time, the ratios to the baselines, the peak RSS and the fraction
of the machine's SHA-256 speed (bytes / time / `openssl speed -evp sha256`).  Benchmarks are
not tests: nothing here fails on a slow result.

The sets: corpus (2 GB mixed), small (100,000 files of 1-8 KB: thumbnails and messages),
junk (100,000 files of 1-8 KB of random bytes named .jpg: app caches, encrypted blobs,
broken thumbnails, content no format rule recognises), big (one 5 GiB file).

Environment: BENCH_ROUNDS (3), BENCH_SETS (corpus,small,junk,big), B (build), BENCH_DIR,
BENCH_SCALE (1: a fraction such as 0.05 shrinks every set's file count and sizes, for a
round of seconds on a busy machine; its corpora are generated beside the full ones),
BENCH_OLD (another scelle binary, e.g. the one before a change: its seal and verify run as
seal0 and verify0 in the same rounds, for an A/B ratio of the same minute).
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(TOP, os.environ.get("B", "build"))
DIR = os.environ.get("BENCH_DIR", os.path.join(BUILD, "bench"))
SCELLE = os.path.join(BUILD, "scelle")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SETS = os.environ.get("BENCH_SETS", "corpus,small,junk,big").split(",")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
OLD = os.environ.get("BENCH_OLD")
TIME = "/usr/bin/time"
MB = 1 << 20

# Headers that make libmagic see the media type a seizure would have.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


class Stream:
    """Deterministic incompressible bytes: AES-128-CTR of zeros under a fixed key."""

    def __init__(self, seed):
        self.p = subprocess.Popen(
            ["openssl", "enc", "-aes-128-ctr", "-K", "%032x" % seed, "-iv", "0" * 32,
             "-in", "/dev/zero"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def read(self, n):
        return self.p.stdout.read(n)

    def copy(self, f, n):
        while n > 0:
            b = self.read(min(n, 4 * MB))
            f.write(b)
            n -= len(b)

    def close(self):
        self.p.kill()
        self.p.wait()


WORDS = ("le la un une de du et à rendez-vous demain gare prix photo annonce appel "
         "client chambre hôtel euros nuit vite ok merci adresse voiture train message "
         "quand combien toujours ici là-bas bientôt argent papiers nouvelle fille").split()


def words(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def make_corpus(d):
    """About 2 GB: 2,000 media files of 20 KB-1 MB, 200 HTML pages, a 200,000-line chat,
    two 400 MB videos."""
    r = random.Random(2026)
    s = Stream(1)
    os.makedirs(os.path.join(d, "media"))
    for i in range(scaled(2000)):
        with open(os.path.join(d, "media", "IMG_%04d.jpg" % i), "wb") as f:
            f.write(JPEG)
            s.copy(f, r.randint(20_000, 1_000_000) - len(JPEG))
    os.makedirs(os.path.join(d, "video"))
    for i in range(2):
        with open(os.path.join(d, "video", "VID_%d.mp4" % i), "wb") as f:
            f.write(MP4)
            s.copy(f, scaled(400 * MB) - len(MP4))
    s.close()
    os.makedirs(os.path.join(d, "ads"))
    for i in range(scaled(200)):
        with open(os.path.join(d, "ads", "ad-%04d.html" % i), "w") as f:
            f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Annonce %d"
                    "</title></head>\n<body>\n" % i)
            for k in range(r.randint(100, 600)):
                f.write("<div class=\"post\" id=\"p%d\"><p>%s</p><img src=\"img/%d.jpg\">"
                        "</div>\n" % (k, words(r, r.randint(5, 30)), r.randint(0, 9999)))
            f.write("</body></html>\n")
    os.makedirs(os.path.join(d, "chat"))
    with open(os.path.join(d, "chat", "_chat.txt"), "w") as f:
        t = 1_763_000_000
        for k in range(scaled(200_000)):
            t += r.randint(1, 600)
            tm = time.gmtime(t)
            f.write("[%02d/%02d/%04d %02d:%02d:%02d] %s: %s\n" % (
                tm.tm_mday, tm.tm_mon, tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec,
                r.choice(["Alice", "Bob", "+33 6 12 34 56 78", "Inconnu"]),
                words(r, r.randint(2, 20))))


def make_small(d):
    """100,000 files of 1-8 KB in 100 folders: thumbnails (JPEG) and chat messages (JSON),
    as a phone dump has them."""
    r = random.Random(6)
    s = Stream(2)
    for k in range(100):
        sub = os.path.join(d, "f%03d" % k)
        os.makedirs(sub)
        for i in range(scaled(1000)):
            n = r.randint(1024, 8192)
            if i % 10 == 9:
                with open(os.path.join(sub, "msg_%04d.json" % i), "w") as f:
                    body = words(r, 8)
                    f.write('{"id":%d,"from":"+3361234%04d","text":"%s","pad":"%s"}\n' % (
                        k * 1000 + i, i, body, "x" * max(0, n - 80 - len(body.encode()))))
            else:
                with open(os.path.join(sub, "thumb_%04d.jpg" % i), "wb") as f:
                    f.write(JPEG)
                    s.copy(f, n - len(JPEG))
    s.close()


def make_junk(d):
    """100,000 files of 1-8 KB of random bytes named .jpg in 100 folders: what libmagic
    does not recognise (issue 22)."""
    r = random.Random(22)
    s = Stream(4)
    for k in range(100):
        sub = os.path.join(d, "c%03d" % k)
        os.makedirs(sub)
        for i in range(scaled(1000)):
            with open(os.path.join(sub, "cache_%04d.jpg" % i), "wb") as f:
                s.copy(f, r.randint(1024, 8192))
    s.close()


def make_big(d):
    """One 5 GiB video."""
    os.makedirs(d)
    s = Stream(3)
    with open(os.path.join(d, "seized.mp4"), "wb") as f:
        f.write(MP4)
        s.copy(f, scaled(5 << 30) - len(MP4))
    s.close()


def scaled(n):
    return max(1, int(n * SCALE))


MAKERS = {"corpus": make_corpus, "small": make_small, "junk": make_junk, "big": make_big}
NEEDS = {"corpus": 2.0, "small": 0.6, "junk": 0.5, "big": 5.4}	# GB of input


def tree_size(d):
    n = b = 0
    for root, _, files in os.walk(d):
        for f in files:
            n += 1
            b += os.path.getsize(os.path.join(root, f))
    return n, b


def ensure(name):
    d = os.path.join(DIR, name if SCALE == 1 else "%s@%g" % (name, SCALE))
    if os.path.exists(os.path.join(d, ".done")):
        return d
    shutil.rmtree(d, ignore_errors=True)
    free = shutil.disk_usage(DIR).free / 1e9
    need = NEEDS[name] * SCALE * 3 + 1	# the input, a bsdtar archive and a scelle archive
    if free < need:
        sys.exit("bench: %.1f GB free under %s, %s needs about %.1f GB" % (free, DIR, name, need))
    print("bench: generating %s ..." % d, flush=True)
    os.makedirs(d)
    MAKERS[name](os.path.join(d, "in"))
    open(os.path.join(d, ".done"), "w").close()
    return d


def sha256_limit():
    out = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", str(MB), "-seconds", "3"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("sha256") and line.rstrip().endswith("k"):
            return float(line.split()[-1][:-1]) * 1000.0	# bytes per second
    return None


def flush():
    """Flush dirty pages so that one command's writeback is not charged to the next."""
    subprocess.run(["sync"])


def timed(cmd, cwd):
    """Runs cmd (a shell string) under /usr/bin/time; returns (wall seconds, peak RSS KiB,
    CPU seconds (user + system), rc)."""
    out = os.path.join(DIR, ".time")
    rc = subprocess.run([TIME, "-f", "%e %M %U %S", "-o", out, "sh", "-c", cmd], cwd=cwd,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    with open(out) as f:
        last = f.read().strip().splitlines()[-1].split()
    return float(last[0]), int(last[1]), float(last[2]) + float(last[3]), rc


def commands(name, pki):
    key = "--key %s/officer.key --cert %s/officer.pem" % (pki, pki)
    files = "find in -type f -print0 | LC_ALL=C sort -z | xargs -0"
    c = [
        ("B1", "%s sha256sum > ../sums.txt && bsdtar --format zip --options zip:compression=store "
               "-cf ../b.zip in" % files),
        ("B2", "%s openssl dgst -sha256 > /dev/null" % files),
        ("B3", "bsdtar --format zip --options zip:compression=store -cf ../b.zip in"),
        ("B3s", "bsdtar --format zip --options zip:compression=store -cf ../b.zip in && "
                "sync ../b.zip"),
        ("seal", "%s seal -q -f %s -o ../s.asice in" % (SCELLE, key)),
        ("verify", "%s verify -q --no-timestamp-ok --trust %s/ca.pem --crl %s/ca.crl ../s.asice" % (SCELLE, pki, pki)),
    ]
    if OLD:
        c += [("seal0", "%s seal -q -f %s -o ../s0.asice in" % (OLD, key)),
              ("verify0", "%s verify -q --no-timestamp-ok --trust %s/ca.pem --crl %s/ca.crl ../s0.asice" % (OLD, pki, pki))]
    if name == "corpus":
        c += [("B4", "%s sha256sum > /dev/null && %s sha512sum > /dev/null && %s md5sum > /dev/null"
                     % (files, files, files)),
              ("seal3", "%s seal -q -f %s --digest sha512 --digest md5 -o ../s3.asice in"
                        % (SCELLE, key))]
    return c


# What each command writes (beside its set's folder), removed before it runs.
OUTPUTS = {"B1": ("sums.txt", "b.zip"), "B3": ("b.zip",), "B3s": ("b.zip",), "seal": ("s.asice", "s.asice.custody.xml"),
           "seal0": ("s0.asice", "s0.asice.custody.xml"),
           "seal3": ("s3.asice", "s3.asice.custody.xml")}


def warm(d):
    subprocess.run("find in -type f -print0 | xargs -0 cat > /dev/null", shell=True, cwd=d)


def run_set(name, pki, limit):
    d = ensure(name)
    n, size = tree_size(os.path.join(d, "in"))
    cmds = commands(name, pki)
    res = {k: [] for k, _ in cmds}
    print("bench: %s: %d files, %.2f GB, %d rounds" % (name, n, size / 1e9, ROUNDS), flush=True)
    for rnd in range(ROUNDS):
        warm(d)
        order = cmds[rnd % len(cmds):] + cmds[:rnd % len(cmds)]
        # verify needs the archive of this round's seal: keep seal before verify
        for sl, vl in (("seal", "verify"), ("seal0", "verify0")):
            if not any(c[0] == vl for c in cmds):
                continue
            order = [c for c in order if c[0] != vl]
            order.insert(order.index(next(c for c in order if c[0] == sl)) + 1,
                         next(c for c in cmds if c[0] == vl))
        for label, cmd in order:
            # Every command writes a new file: replacing the last round's output would
            # charge it the freeing of a 2 GB file that the others do not pay.
            for f in OUTPUTS.get(label, ()):
                if os.path.exists(os.path.join(DIR, f)):
                    os.unlink(os.path.join(DIR, f))
            flush()
            t, rss, cpu, rc = timed(cmd, d)
            if rc not in (0,):
                print("bench: %s exited %d: %s" % (label, rc, cmd), flush=True)
            res[label].append((t, rss, cpu))
            print("  round %d  %-6s %7.2f s wall %7.2f s CPU %7.1f MiB" % (
                rnd + 1, label, t, cpu, rss / 1024), flush=True)
        for f in ("b.zip", "s3.asice"):
            if os.path.exists(os.path.join(d, f)):
                os.unlink(os.path.join(d, f))
    med = {k: statistics.median(t for t, _, _ in v) for k, v in res.items()}
    cpu = {k: statistics.median(c for _, _, c in v) for k, v in res.items()}
    rss = {k: max(r for _, r, _ in v) for k, v in res.items()}
    print("\n%s: %d files, %.2f GB (page cache warm; sync before each command)" % (name, n, size / 1e9))
    print("  %-7s %8s %6s %6s %6s %8s %6s %6s %6s %9s %8s" % (
        "", "wall s", "/B1", "/B2", "/B3", "CPU s", "/B1", "/B2", "/B3", "peak MiB", "SHA-256"))
    for k, _ in cmds:
        # the share of the machine's SHA-256 speed at which the input went through
        frac = size / med[k] / limit if limit and k not in ("B3", "B3s") else None
        print("  %-7s %8.2f %6.2f %6.2f %6.2f %8.2f %6.2f %6.2f %6.2f %9.1f %8s" % (
            k, med[k], med[k] / med["B1"], med[k] / med["B2"], med[k] / med["B3"],
            cpu[k], cpu[k] / cpu["B1"], cpu[k] / cpu["B2"], cpu[k] / cpu["B3"], rss[k] / 1024,
            "%.0f%%" % (100 * frac) if frac else "-"))
    print("  seal against B3s (both archives on disk at the end): %.2f" % (med["seal"] / med["B3s"]))
    if OLD:
        print("  A/B against %s: seal %.2f x seal0 (B3s %.2f -> %.2f), verify %.2f x verify0 "
              "(B2 %.2f -> %.2f)" % (OLD, med["seal"] / med["seal0"], med["seal0"] / med["B3s"],
                                     med["seal"] / med["B3s"], med["verify"] / med["verify0"],
                                     med["verify0"] / med["B2"], med["verify"] / med["B2"]))
    if "B4" in med:
        print("  seal --digest sha512 --digest md5: %.2f s (CPU %.2f s); sha256sum, sha512sum, "
              "md5sum one after another: %.2f s (CPU %.2f s); ratio %.2f" % (
                  med["seal3"], cpu["seal3"], med["B4"], cpu["B4"], med["seal3"] / med["B4"]))
    for f in ("s.asice", "s0.asice", "sums.txt"):
        if os.path.exists(os.path.join(d, f)):
            os.unlink(os.path.join(d, f))
    return med, rss


def main():
    if not os.path.exists(TIME):
        sys.exit("bench: %s is missing (apt-get install time)" % TIME)
    for tool in ("bsdtar", "openssl", "sha256sum"):
        if not shutil.which(tool):
            sys.exit("bench: %s is missing" % tool)
    os.makedirs(DIR, exist_ok=True)
    pki = os.path.join(DIR, "pki")
    subprocess.run(["sh", os.path.join(TOP, "tests", "pki.sh"), pki], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    limit = sha256_limit()
    print("bench: %d cores; openssl speed -evp sha256 (1 MiB blocks): %.0f MB/s" % (
        os.cpu_count(), limit / 1e6 if limit else 0), flush=True)
    for name in SETS:
        run_set(name, pki, limit)


if __name__ == "__main__":
    main()
