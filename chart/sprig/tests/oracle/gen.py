#!/usr/bin/env python3
"""Records what real Helm (v4.3 library: Sprig v3.3, Go's text/template) prints for template
snippets, as test data for the sprig crate. Not needed by CI: the output is committed.

    python3 gen.py CASES.txt OUT.tsv

CASES.txt: one template snippet per line (blank lines and lines starting with '#' skipped).
OUT.tsv: `snippet<TAB>ok<TAB>output` or `snippet<TAB>err<TAB>message`, with \\n, \\t, \\\\
escaped in the output. Needs /work/shared/tools/helm-oracle (see its README).
"""
import os
import sys
import tempfile

sys.path.insert(0, os.environ.get("HELM_ORACLE", "/work/shared/tools/helm-oracle"))
from render import HelmOracle  # noqa: E402

SEP = "\x1e"


def chart(dir_, snippets):
    os.makedirs(os.path.join(dir_, "templates"), exist_ok=True)
    with open(os.path.join(dir_, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: oracle\nversion: 0.1.0\n")
    with open(os.path.join(dir_, "values.yaml"), "w") as f:
        f.write("num: 1000000\nfloat: 1.5\nstr: hello\nlist: [a, b]\nmap: {a: 1, b: x}\nzero: 0\nempty: ''\n")
    with open(os.path.join(dir_, "templates", "NOTES.txt"), "w") as f:
        f.write(SEP.join("{{- /**/ -}}" + s for s in snippets) + SEP)


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def main():
    src, out = sys.argv[1], sys.argv[2]
    snippets = [l.rstrip("\n") for l in open(src) if l.strip() and not l.startswith("#")]
    results = {}
    with HelmOracle() as h, tempfile.TemporaryDirectory() as tmp:
        def run(group, tag):
            d = os.path.join(tmp, tag)
            chart(d, group)
            r = h.render(d)
            if r["ok"]:
                parts = (r.get("notes") or "").split(SEP)
                if len(parts) == len(group) + 1:
                    for s, p in zip(group, parts):
                        results[s] = ("ok", p)
                    return True
            return r.get("error") or "render failed"

        pending = [snippets]
        n = 0
        while pending:
            group = pending.pop()
            n += 1
            res = run(group, f"c{n}")
            if res is True:
                continue
            if len(group) == 1:
                msg = res.splitlines()[0] if res else ""
                results[group[0]] = ("err", msg)
                continue
            mid = len(group) // 2
            pending += [group[:mid], group[mid:]]
    with open(out, "w") as f:
        for s in snippets:
            kind, text = results[s]
            f.write(f"{esc(s)}\t{kind}\t{esc(text)}\n")


if __name__ == "__main__":
    main()
