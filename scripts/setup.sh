#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing tracewire: the C and
# wasm toolchain, the three browser engines the tests run (Chromium, Firefox ESR, WebKitGTK's
# MiniBrowser with its WebDriver, and Xvfb for it to draw on), JavaScriptCore's jsc shell, all
# from Debian, and the npm devDependencies.  Idempotent and quiet when everything is there.
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
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
# WebKitWebDriver; its dependency libwebkit2gtk-4.1-0 brings MiniBrowser, the browser it drives.
[ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
[ -x /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser ] || missing+=(libwebkit2gtk-4.1-0)
# tests/browser/browsers.js starts its own Xvfb for WebKit (no xvfb-run, so no xauth).
[ -x /usr/bin/Xvfb ] || missing+=(xvfb)
command -v jsc >/dev/null || missing+=(libjavascriptcoregtk-4.0-bin)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} from Debian"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/puppeteer-core ] || [ ! -d node_modules/webdriverio ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm devDependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
