#!/usr/bin/env bash
# npm test: every test.  Native C tests with sanitizers, then node:test for the engine (wasm
# and wasm2js), the SDK, and the end-to-end tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash build.sh
bash tests/c/run.sh
node --test --test-concurrency=2 tests/
