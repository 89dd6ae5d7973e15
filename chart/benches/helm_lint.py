#!/usr/bin/env python3
"""Times the real Helm library's `lint` (which renders every template of a chart) over many
charts from ONE Python process, so the library is loaded once, as `chart/examples/bench.rs`
needs for a fair comparison.

    python3 helm_lint.py [--repeat N] [--shared DIR] CHART...

Prints one JSON object on stdout: {"charts": {CHART: [seconds per run, ...]}, "errors":
{CHART: message}, "load_seconds": S}. The helm-oracle tools are found in
$SHARED_DIR/tools/helm-oracle (default: <repo>/../shared).
"""
import argparse
import json
import os
import sys
import time


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_shared = os.environ.get("SHARED_DIR") or os.path.join(here, "..", "..", "..", "shared")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1, help="lint runs per chart")
    ap.add_argument("--shared", default=default_shared, help="the shared folder (tools/helm-oracle)")
    ap.add_argument("charts", nargs="+")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")

    tools = os.path.join(os.path.abspath(a.shared), "tools", "helm-oracle")
    if not os.path.isfile(os.path.join(tools, "helmlib.py")):
        sys.exit(f"helm_lint.py: no helmlib.py in {tools} (set SHARED_DIR)")
    sys.path.insert(0, tools)
    import helmlib  # noqa: E402  (found only once the path is known)

    t0 = time.perf_counter()
    helm = helmlib.Helm(None, "default")
    load_seconds = time.perf_counter() - t0

    times, errors = {}, {}
    for chart in a.charts:
        path = os.path.abspath(chart).encode()
        runs = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            try:
                helm.call("lint", helm.lib.helm_sdkpy_lint, path)
            except RuntimeError as e:
                # A failed lint still rendered (or tried to); its time counts, its error is
                # reported once.
                errors[chart] = str(e)
            runs.append(time.perf_counter() - start)
        times[chart] = runs
    json.dump({"charts": times, "errors": errors, "load_seconds": load_seconds}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
