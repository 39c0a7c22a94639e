// What the mini-program tests need from the JavaScript runtime they run in, beyond the platform
// fakes: a fresh copy of the SDK, and a file of this repository as bytes. This is Node's version;
// when the same tests run in JavaScriptCore's shell (SPEC §5), tests/jsc/bundle.js puts
// tests/jsc/host.js in its place.
import { readFileSync } from 'node:fs'

let copies = 0
// A new instance of js/miniprogram.js, with its own engine, entropy and WXWebAssembly state, as a
// second copy of the package would have; its imports (log.js's sink included) stay the test's.
// The query string makes Node evaluate the module again.
export const freshSdk = async () => (await import(`../../js/miniprogram.js?copy=${++copies}`)).default

// path: from the repository's root, e.g. 'wasm/tracewire.wasm'.
export const repoFile = (path) => new Uint8Array(readFileSync(new URL(`../../${path}`, import.meta.url)))
