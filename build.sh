#!/usr/bin/env bash
# The one build entry point: the C engine -> wasm/tracewire.wasm (Emscripten + binaryen),
# its wasm2js twin -> wasm/tracewire.wasm2js.js, and the inlined bytes -> wasm/bytes.js.
# Prints every artifact's size, gzip and brotli sizes, and sha256.  Deterministic: CI rebuilds
# and fails when wasm/ changes.
set -euo pipefail
cd "$(dirname "$0")"
command -v emcc >/dev/null || bash scripts/setup.sh
mkdir -p build wasm

SRC="src/ids.c src/sample.c src/url.c src/fmt.c src/write.c src/wasm.c"
EXPORTS="tw_buf tw_batch tw_req tw_ctx"
WASM_LIMIT=4096 # older Chromium and WebViews refuse bigger synchronous compiles (SPEC §5)

emcc -Oz -flto -std=c99 -Wall -Wextra -Werror $SRC -o build/raw.wasm \
  --no-entry -sSTANDALONE_WASM=1 -sINITIAL_MEMORY=131072 -sTOTAL_STACK=4096 \
  -sALLOW_MEMORY_GROWTH=0 -sERROR_ON_UNDEFINED_SYMBOLS=1

# Keep only the engine's exports: Emscripten adds stack helpers and _initialize that the
# host never calls (the engine has no constructors).
{
  printf '[{"name":"memory","export":"memory","root":true}'
  for e in $EXPORTS; do printf ',{"name":"%s","export":"%s","root":true}' "$e" "$e"; done
  printf ']'
} > build/roots.json
wasm-metadce build/raw.wasm -f build/roots.json -o build/dce.wasm > /dev/null
# Stripped before optimising: with the strip passes last, wasm-opt 108 leaves 24 bytes of
# code that -Oz --converge removes otherwise.
wasm-opt --strip-debug --strip-producers -Oz --converge build/dce.wasm -o wasm/tracewire.wasm

node scripts/wasm-artifacts.mjs wasm/tracewire.wasm "$WASM_LIMIT" $EXPORTS

# Size report of the distribution (scripts/bundle.mjs): printed on every build, gzip and brotli.
# The budgets (SPEC §5: CDN file 12,000 B, createTracer-only bundle 9,500 B gzipped) are
# enforced by tests/dist.test.js, never by refusing to build.
node scripts/bundle.mjs
