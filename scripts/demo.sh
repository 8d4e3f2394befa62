#!/usr/bin/env bash
# The main job: set up, then `hamsam demo` (fits two systems and explains the numbers; under a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/hamsam demo
