#!/usr/bin/env bash
# Sets hamsam up from a fresh clone: system libraries (scripts/install-deps.sh), a virtual environment in .venv,
# and `pip install .` (C++ library, CLI `hamsam`, Python module) built in build/release.
#   scripts/setup.sh           the package and the CLI
#   scripts/setup.sh --tests   also the GoogleTest suite (in build/release) and the Python test extras
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0
[ "${1:-}" = "--tests" ] && tests=1
bash scripts/install-deps.sh
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
args=(-C build-dir=build/release)
extras=""
if [ $tests = 1 ]; then
  args+=(-C cmake.define.HAMSAM_BUILD_TESTS=ON)
  extras="[test]"
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}" ".${extras}"
