#!/usr/bin/env bash
# npm test: every test.  Native C tests with sanitizers, libFuzzer on the engine's entry
# points (FUZZ_SECONDS each, 20 by default, 60 in CI), then node:test for the engine (wasm and
# wasm2js), the SDK, and the end-to-end tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash build.sh
bash tests/c/run.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tests/fuzz/run.sh
node --test --test-concurrency=2 tests/
