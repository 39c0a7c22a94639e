// JavaScriptCore's version of tests/fakes/host.js: what the mini-program tests need from the
// runtime, in the jsc shell. tests/jsc/bundle.js turns js/miniprogram.js into a factory
// ('tracewire-copy:'), each call of which evaluates the module's body again with its imports
// shared, as Node does for a module imported under a new query string.
import copy from 'tracewire-copy:../../js/miniprogram.js'

export const freshSdk = async () => copy().default

// REPO_ROOT is written in by tests/jsc/bundle.js; readFile(path, 'binary') is the shell's,
// answering a Uint8Array.
export const repoFile = (path) => readFile(`${REPO_ROOT}/${path}`, 'binary')
