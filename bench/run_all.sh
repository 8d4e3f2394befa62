#!/usr/bin/env bash
# Runs the dense-method benchmarks and writes their output to bench/results/.
#   bash bench/run_all.sh [--quick]
# Needs `bash scripts/setup.sh` first (the Python package in .venv). Builds the C++ benchmarks in build/bench.
# BLAS threads are pinned (THREADS, default 2). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for these runs
# so that hamsam's OpenBLAS and numpy's run their native kernels (threadpoolctl reports which).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"
THREADS="${THREADS:-2}"
export OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
cmake -S . -B build/bench -G Ninja -DHAMSAM_BUILD_BENCH=ON -DHAMSAM_BUILD_CLI=OFF -DHAMSAM_NATIVE=ON >/dev/null
cmake --build build/bench -j2 >/dev/null
mkdir -p bench/results
.venv/bin/python -m pip install --quiet --disable-pip-version-check ".[bench]" \
  -C build-dir=build/release
{
  echo "command: \`bash bench/run_all.sh $quick\` ($(date -u +%Y-%m-%d), $(nproc) cores, THREADS=$THREADS)"
  echo
  build/bench/bench/bench_lstsq --threads "$THREADS" $quick
} | tee bench/results/lstsq_run_all.md
{
  echo "command: \`bash bench/run_all.sh $quick\` ($(date -u +%Y-%m-%d), $(nproc) cores, THREADS=$THREADS)"
  echo
  build/bench/bench/bench_fit --threads "$THREADS" $quick --json bench/results/fit.json
  echo
  echo "## Backends side by side (A-SWIM and ELM, width 1000)"
  echo
  build/bench/bench/bench_fit --threads "$THREADS" --no-sweep --only "pendulum [-2pi,2pi]x[-1,1]" \
    --solvers svd,cod,qr,gram --samplers elm,a-swim | sed -n '/^| case/,$p'
  build/bench/bench/bench_fit --threads "$THREADS" --no-sweep --only "lotka-volterra shifted" \
    --solvers svd,cod,qr,gram --samplers a-swim | sed -n '/^|---/,$p' | tail -n +2
} | tee bench/results/fit.md
.venv/bin/python bench/bench_vs_authors.py --threads "$THREADS" $quick --out bench/results/vs_authors.md
