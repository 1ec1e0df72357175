#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the lit suite (FileCheck, verifier diagnostics and the
# tests that execute compiled code against a reference), then the same suite again on a second build of the project
# with AddressSanitizer and UndefinedBehaviorSanitizer (BUILD_DIR-sanitize; docs/robustness.md), where any report
# fails the test it occurs in. SOFTMOE_TEST_SANITIZE=0 skips the second stage.
#   scripts/test.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
"$root/scripts/setup.sh" "$build"
cmake --build "$build" --target check-softmoe
if [[ ${SOFTMOE_TEST_SANITIZE:-1} != 0 ]]; then
  "$root/scripts/setup.sh" "$build-sanitize" -DSOFTMOE_SANITIZE=ON
  cmake --build "$build-sanitize" --target check-softmoe
fi
