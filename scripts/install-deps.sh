#!/usr/bin/env bash
# What pip cannot provide. pip brings Eigen, OpenBLAS and nlohmann-json itself (build requirements in
# pyproject.toml), so the package needs only a C++20 compiler here; the C++ test suite (--tests) also needs
# GoogleTest, which is not on PyPI: installed with apt-get when missing (Debian/Ubuntu).
#   scripts/install-deps.sh           check for a C++ compiler
#   scripts/install-deps.sh --tests   also GoogleTest (libgtest-dev)
set -euo pipefail
cxx="${CXX:-c++}"
if ! command -v "$cxx" >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
  echo "hamsam: no C++ compiler found (c++, g++ or clang++, or \$CXX): install one, e.g. apt-get install g++" >&2
  exit 1
fi
[ "${1:-}" = "--tests" ] || exit 0
pkgs=(libgtest-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "hamsam: missing ${missing[*]} (no apt-get here: install GoogleTest with your package manager, or drop" \
       "--tests: the Python tests need no system package)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "hamsam: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
