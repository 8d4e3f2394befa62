#!/usr/bin/env bash
# The rows of bench/results/high-dim/kinetic-width/README.md: one fit per fresh process through the high-dim
# suite's own fit (python -m hamsam.bench.high_dim SPEC), 20,000 training / 10,000 test states, 2 BLAS threads,
# 2 own threads. Run from the repository root with the dev build: bash bench/results/high-dim/kinetic-width/run.sh
set -euo pipefail
export PYTHONPATH=${PYTHONPATH:-build/dev/python} OPENBLAS_NUM_THREADS=2
out=bench/results/high-dim/kinetic-width/results.jsonl
: > "$out"
echo "load before: $(cat /proc/loadavg)" > "${out%.jsonl}.load"
for spec in \
  '["fpu", 24, "auto", "auto", "u-swim", 2000, "auto", 20000, 10000, 2]' \
  '["fpu", 24, "auto, kinetic", "auto", "u-swim", 2000, "auto", 20000, 10000, 2, "quadratic"]' \
  '["fpu", 24, "given, kinetic", "given", "u-swim", 2000, "auto", 20000, 10000, 2, "quadratic"]' \
  '["fpu", 24, "auto, width 10000", "auto", "u-swim", 10000, "auto", 20000, 10000, 2]' \
  '["fpu", 24, "plain u-swim, width 10000 (gram)", "dense", "u-swim", 10000, "gram", 20000, 10000, 2]'; do
  python -m hamsam.bench.high_dim "$spec" | tail -1 >> "$out"
  tail -1 "$out"
done
echo "load after: $(cat /proc/loadavg)" >> "${out%.jsonl}.load"
