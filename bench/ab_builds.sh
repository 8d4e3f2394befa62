#!/usr/bin/env bash
# A/B of two builds of one C++ benchmark (bench_fit or bench_graph), run alternately in one session so that
# the machine's load falls on both alike:
#   bash bench/ab_builds.sh BENCH BUILD_A BUILD_B ROUNDS [bench args...]
# BENCH: bench_fit or bench_graph; BUILD_x: a folder holding that executable (e.g. build/dev/bench). Prints a
# Markdown table: per case, the error of A and B (with their relative difference where they differ) and the min / median time of each,
# with B/A of the minima (the least load-sensitive figure) and of the medians.
set -euo pipefail
bench="$1"; a="$2"; b="$3"; rounds="$4"; shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$rounds"); do
  "$a/$bench" "$@" --json "$tmp/a$r.json" >/dev/null
  "$b/$bench" "$@" --json "$tmp/b$r.json" >/dev/null
done
python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
ERR = ("test_error", "test_mse", "pdot_relative_l2")
def rows(doc):
    """(key, error, seconds) for every timed row of a bench_fit (list) or bench_graph (sections) JSON."""
    if isinstance(doc, list):
        for row in doc:
            s = row["summary"]
            t = s["seconds"]["total"] if isinstance(s.get("seconds"), dict) else s["seconds_total"]
            yield f"{row['case']} / {row['width']} / {row['sampler']}", row["test_error"], t
        return
    for section, items in doc.items():
        if not isinstance(items, list):
            continue
        for row in items:
            if "fit_seconds" not in row:
                continue
            err = next((row[k] for k in ERR if k in row), float("nan"))
            ident = " / ".join(str(v) for k, v in row.items() if isinstance(v, str) or k in ("particles", "pair_width"))
            yield f"{section}: {ident}", err, row["fit_seconds"]
def load(tag):
    out = {}
    for r in range(1, rounds + 1):
        for key, err, t in rows(json.load(open(f"{tmp}/{tag}{r}.json"))):
            out.setdefault(key, {"err": [], "t": []})
            out[key]["err"].append(err)
            out[key]["t"].append(t)
    return out
A, B = load("a"), load("b")
print("| case | error A | error B | A min / median s | B min / median s | B/A min | B/A median |")
print("|---|---|---|---|---|---|---|")
for key in A:
    ea, eb, ta, tb = A[key]["err"], B[key]["err"], A[key]["t"], B[key]["t"]
    d = max(abs(x - y) / max(abs(x), 1e-300) for x, y in zip(ea, eb))
    same = "" if ea == eb else f" (rel. diff {d:.1e})"
    print(f"| {key} | {ea[0]:.3e} | {eb[0]:.3e}{same} | {min(ta):.3f} / {statistics.median(ta):.3f} | "
          f"{min(tb):.3f} / {statistics.median(tb):.3f} | {min(tb) / min(ta):.2f} | "
          f"{statistics.median(tb) / statistics.median(ta):.2f} |")
PY
