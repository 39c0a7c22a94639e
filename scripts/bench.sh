#!/usr/bin/env bash
# npm run bench: per-request cost against OpenTelemetry, measured in the same run and engine, in
# Node, Chromium, Firefox, WebKit and JavaScriptCore's shell with and without JIT (bench/run.mjs).
# `npm run bench -- node jsc` runs a subset; BENCH_MS sets the time per cell.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bench/run.mjs "$@"
