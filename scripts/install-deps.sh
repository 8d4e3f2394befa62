#!/usr/bin/env bash
# Installs the system libraries hamsam builds against (Debian/Ubuntu): Eigen 3.4, OpenBLAS (BLAS + LAPACK),
# GoogleTest, CLI11 and nlohmann-json. Skips the work when they are already there.
set -euo pipefail
pkgs=(libeigen3-dev libopenblas-dev libgtest-dev libcli11-dev nlohmann-json3-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "hamsam: missing system packages: ${missing[*]} (no apt-get here: install Eigen 3.4, OpenBLAS," \
       "GoogleTest, CLI11 and nlohmann-json with your package manager)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "hamsam: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
