#!/usr/bin/env python3
"""check-calls: the node's parts call downward only, and no two of its files
call each other in a loop.

Reads the symbols each object of node/ defines and uses (nm), so it sees
real calls and data references, not includes. A part (a folder of node/)
may use another only if its .may_include names that part's headers; a
call into a part it may not include is a layer violation. Within the
whole of node/, a cycle of files that use each other fails too: inside a
part, one direction as between parts. Usage: check-calls.py BUILDDIR
"""
import glob
import os
import subprocess
import sys
from fnmatch import fnmatch


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defs, uses = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRCV":
            defs.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            uses.add(f[1])
    return defs, uses


def may_include(part):
    pats = []
    with open(os.path.join("node", part, ".may_include")) as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("!"):
                pats.append(line)
    return pats


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    objs = sorted(glob.glob(os.path.join(build, "node", "*", "*.o")))
    if not objs:
        print("check-calls: no objects under %s/node: build first" % build)
        return 1
    owner, uses = {}, {}
    for o in objs:
        src = os.path.relpath(o, build)[:-2] + ".c"
        d, u = symbols(o)
        for s in d:
            owner[s] = src
        uses[src] = u
    graph, bad = {}, []
    for src, us in uses.items():
        part = src.split("/")[1]
        pats = may_include(part)
        for s in sorted(us):
            dst = owner.get(s)
            if not dst or dst == src:
                continue
            graph.setdefault(src, set()).add(dst)
            header = dst[:-2] + ".h"
            dpart = dst.split("/")[1]
            if dpart != part and not any(fnmatch(header, p) for p in pats):
                bad.append("%s uses %s of %s: node/%s/.may_include does not allow node/%s/" % (src, s, dst, part, dpart))
    for c in cycles(graph):
        bad.append("files that call each other in a loop: " + " ".join(c))
    for b in bad:
        print("check-calls: " + b)
    if bad:
        return 1
    print("check-calls: %d files of node/, no upward call, no loop" % len(uses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
