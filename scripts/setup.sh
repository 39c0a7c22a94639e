#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing tracewire: the C and
# wasm toolchain and Chromium from Debian, and the npm devDependencies.  Idempotent and quiet
# when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v emcc >/dev/null || missing+=(emscripten)
command -v wasm-opt >/dev/null || missing+=(binaryen)
command -v wasm-objdump >/dev/null || missing+=(wabt)
command -v gcc >/dev/null || missing+=(gcc)
command -v clang >/dev/null || missing+=(clang)
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || missing+=(libclang-rt-14-dev) # libFuzzer
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from Debian"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm devDependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
