#!/usr/bin/env bash
# Runs the C++ microbenchmarks (bench_lstsq, bench_fit) and then benchmark suites of `python -m hamsam.bench`,
# writing their output to bench/results/ (docs/bench.md).
#   bash bench/run_all.sh [--quick] [SUITE ...]      (default suite: vs-authors)
# Each suite writes bench/results/SUITE/ (with --quick: bench/results/quick/). Needs `bash scripts/setup.sh`
# first (the Python package in .venv). Builds the C++ benchmarks in build/bench.
# BLAS threads are pinned (THREADS, default 2). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for these runs
# so that hamsam's OpenBLAS and numpy's run their native kernels (threadpoolctl reports which).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
if [ "${1:-}" = "--quick" ]; then
  quick="--quick"
  shift
fi
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(vs-authors)
THREADS="${THREADS:-2}"
export OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
cmake -S . -B build/bench -G Ninja -DHAMSAM_BUILD_BENCH=ON -DHAMSAM_BUILD_CLI=OFF -DHAMSAM_NATIVE=ON >/dev/null
cmake --build build/bench -j2 >/dev/null
mkdir -p bench/results
.venv/bin/python -m pip install --quiet --disable-pip-version-check ".[bench]" \
  -C build-dir=build/release
known=$(.venv/bin/python -m hamsam.bench --list | cut -d' ' -f1)  # checked before the long C++ runs
for suite in "${suites[@]}"; do
  grep -qx -- "$suite" <<<"$known" || { echo "run_all.sh: unknown suite '$suite'; use one of:" $known >&2; exit 2; }
done
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
for suite in "${suites[@]}"; do
  out="bench/results/$suite"
  [ -z "$quick" ] || out="bench/results/quick"
  .venv/bin/python -m hamsam.bench "$suite" --threads "$THREADS" $quick --out "$out"
done
