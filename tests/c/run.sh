#!/usr/bin/env bash
# Native tests of the C engine: regenerates the golden vectors header from the shared vector
# file, compile-checks the wasm glue, builds the runner with ASan + UBSan into build/c and runs
# it.  Exits with the runner's status.  Extra arguments go to the runner (-v lists the groups).
#
#   bash tests/c/run.sh            TRACEWIRE_SHARED=/path/to/shared bash tests/c/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
TOP=$(git rev-parse --show-toplevel 2>/dev/null || echo "$ROOT")
SHARED=${TRACEWIRE_SHARED:-$TOP/../shared}
OUT=build/c
mkdir -p "$OUT"

node tests/c/gen-vectors.mjs "$SHARED/vectors/headers.json" "$OUT/vectors.h"

CFLAGS="-std=c99 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all"
ENGINE="src/ids.c src/sample.c src/url.c src/fmt.c src/write.c"
# wasm.c is only the Emscripten glue; natively it must still compile cleanly (its
# __EMSCRIPTEN__ guard is the only platform switch).
gcc $CFLAGS -c src/wasm.c -o "$OUT/wasm.o"
gcc $CFLAGS -Isrc -I"$OUT" -Itests/c tests/c/test_engine.c $ENGINE -o "$OUT/test_engine" -lm

# ASan's leak checker needs ptrace, which some sandboxes and CI containers refuse.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$OUT/test_engine" "$@"
