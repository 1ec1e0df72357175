#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the lit suite (FileCheck, verifier diagnostics and the
# tests that execute compiled code against a reference).
#   scripts/test.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/scripts/setup.sh" "$build"
cmake --build "$build" --target check-softmoe
