#!/usr/bin/env bash
# npm run bench: per-request cost against OpenTelemetry's propagators, in Node and in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node bench/node.mjs
node bench/chromium.mjs
