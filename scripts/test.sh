#!/usr/bin/env bash
# npm test: every test.  Native C tests with sanitizers, libFuzzer on the engine's entry
# points (FUZZ_SECONDS each, 20 by default, 60 in CI), then node:test for the engine (wasm and
# wasm2js), the SDK, and the browser tests in Debian's Chromium, Firefox ESR and WebKitGTK
# (tests/browser/browsers.js starts an Xvfb display of its own for WebKit; TRACEWIRE_BROWSERS=
# firefox, say, narrows the browser tests to one engine for a local run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash build.sh
bash tests/c/run.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tests/fuzz/run.sh
node --test --test-concurrency=2 tests/
