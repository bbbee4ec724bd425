#!/usr/bin/env python3
"""layers.py — the dependency graph of src/lib and the layer rule it must keep.

Reads every src/lib source and header (any depth), and draws an edge A -> B when
  - A has `#include "B"` (B a header of src/lib), or
  - A names a function that B defines without `static` (a call or a function pointer);
a header and the .c file of the same stem count as one module (verify.h + verify.c = verify).

Prints the graph, module by module, then every cycle of modules, then every edge that goes
up a layer (LAYER below: a module may use its own layer and the layers below it, never one
above).  With --check it exits 1 when there is a cycle or an upward edge, and prints TAP.

    python3 tests/layers.py            the graph, the cycles, the upward edges
    python3 tests/layers.py --check    TAP; exit 1 on a cycle or an upward edge
    python3 tests/layers.py --dot      the module graph for graphviz
    --lib DIR                          another tree than src/lib (t05 checks the check)
"""
import os
import re
import sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
LIB = os.path.join(TOP, 'src', 'lib')

# The layers, lowest first.  Every module of src/lib must be in exactly one.
LAYERS = [
    ('base', '''banned internal util result display version hash_thread'''),
    ('container', '''container zip_writer zip_check out_file'''),
    ('crypto', '''crypto signer keys pkcs11 sign timestamp tsa_responder revocation cms_revinfo
                  signer_policy'''),
    ('evidence', '''evidence media_type names intake chat_export item_info evidence_xml ledger'''),
    ('ops', '''seal volume_seal xades verifier trust hints verify_ctx verify verify_sig verify_etsi
               xades_verify stamp extract custody custody_verify volume_verify'''),
]
LAYER_OF = {}
for rank, (name, mods) in enumerate(LAYERS):
    for m in mods.split():
        LAYER_OF[m] = (rank, name)


def strip(src):
    """The text without comments, string and character literals (kept as empty quotes)."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append('\n' * src.count('\n', i, j))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            i = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


# an identifier, not a struct member (s.name, p->name): a field named as a function is no call
IDENT = re.compile(r'(?<!\.)(?<!->)\b[A-Za-z_]\w*')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def definitions(code):
    """Names of the functions this file defines without `static`."""
    names, depth, start = set(), 0, 0
    code = re.sub(r'^[ \t]*#(.*\\\n)*.*$', '', code, flags=re.M)   # no preprocessor line
    for m in re.finditer(r'[{};]', code):
        ch = m.group()
        if ch == '{':
            if depth == 0:
                head = code[start:m.start()]
                head = re.sub(r'^\s*#.*$', '', head, flags=re.M)
                f = re.search(r'([A-Za-z_]\w*)\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$', head)
                if f and not re.search(r'\bstatic\b', head) and '=' not in head:
                    names.add(f.group(1))
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                start = m.end()
        elif depth == 0:
            start = m.end()
    return names


def module(path):
    return os.path.splitext(os.path.basename(path))[0]


def load():
    files = []
    for d, _, fs in os.walk(LIB):
        for f in fs:
            if f.endswith(('.c', '.h')):
                files.append(os.path.join(d, f))
    files.sort()
    text = {}
    for p in files:
        with open(p, encoding='utf-8', errors='replace') as fh:
            text[p] = fh.read()
    headers = {os.path.basename(p): module(p) for p in files if p.endswith('.h')}
    defs = {}                       # function -> module
    for p in files:
        if p.endswith('.c'):
            for name in definitions(strip(text[p])):
                defs[name] = module(p)
    edges = {}                      # (a, b) -> [why...]
    for p in files:
        a = module(p)
        for inc in INCLUDE.findall(text[p]):
            b = headers.get(os.path.basename(inc))
            if b and b != a:
                edges.setdefault((a, b), []).append('#include "%s"' % inc)
        if p.endswith('.c'):
            seen = set()
            for ident in IDENT.findall(strip(text[p])):
                b = defs.get(ident)
                if b and b != a and ident not in seen:
                    seen.add(ident)
                    edges.setdefault((a, b), []).append(ident + '()')
    mods = sorted({module(p) for p in files})
    return mods, edges


def cycles(mods, edges):
    """The strongly connected components of more than one module (Tarjan)."""
    succ = {m: sorted(b for (a, b) in edges if a == m) for m in mods}
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for m in mods:
        if m not in index:
            visit(m)
    return out


def main(argv):
    global LIB
    if '--lib' in argv:
        LIB = argv[argv.index('--lib') + 1]
    mods, edges = load()
    unmapped = [m for m in mods if m not in LAYER_OF]
    up = [(a, b, w) for (a, b), w in sorted(edges.items())
          if a in LAYER_OF and b in LAYER_OF and LAYER_OF[b][0] > LAYER_OF[a][0]]
    cyc = cycles(mods, edges)
    if '--dot' in argv:
        print('digraph libscelle {')
        for (a, b) in sorted(edges):
            print('  "%s" -> "%s";' % (a, b))
        print('}')
        return 0
    if '--check' in argv:
        print('1..3')
        n = 0
        for label, bad, lines in (
                ('every module of src/lib is in a layer', unmapped,
                 ['not in a layer: ' + m for m in unmapped]),
                ('no cycle between modules of src/lib', cyc,
                 ['cycle: ' + ' '.join(c) for c in cyc]),
                ('no include or call goes up a layer', up,
                 ['%s (%s) -> %s (%s): %s' % (a, LAYER_OF[a][1], b, LAYER_OF[b][1],
                                              ', '.join(w[:6])) for a, b, w in up])):
            n += 1
            for line in lines:
                print('# ' + line)
            print('%s %d - %s' % ('not ok' if bad else 'ok', n, label))
        return 1 if unmapped or cyc or up else 0
    for name, ms in LAYERS:
        present = [m for m in ms.split() if m in mods]
        if present:
            print('[%s] %s' % (name, ' '.join(present)))
    if unmapped:
        print('[no layer] ' + ' '.join(unmapped))
    print()
    for m in mods:
        out = sorted(b for (a, b) in edges if a == m)
        print('%-16s -> %s' % (m, ' '.join(out) if out else '-'))
    print()
    for c in cyc:
        print('cycle (%d modules): %s' % (len(c), ' '.join(c)))
    if not cyc:
        print('no cycle')
    for a, b, w in up:
        print('up a layer: %s (%s) -> %s (%s): %s' % (a, LAYER_OF[a][1], b, LAYER_OF[b][1],
                                                      ', '.join(w[:6])))
    if not up:
        print('no edge goes up a layer')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
