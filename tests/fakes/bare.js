// A mini-program runtime has none of these (SPEC §5, issue #5): this module deletes them from
// the test process before anything of tracewire loads, so a test importing it first proves the
// mini-program SDK never reaches for them. `saved` keeps what the fakes themselves need
// (WXWebAssembly is built on the real WebAssembly).
export const GONE = ['WebAssembly', 'TextEncoder', 'TextDecoder', 'btoa', 'atob', 'fetch', 'crypto']
export const saved = {}
for (const k of GONE) {
  // Read first: Node's lazy getters define the property again when first read.
  saved[k] = globalThis[k]
  delete globalThis[k]
  if (k in globalThis) throw new Error(`could not delete globalThis.${k}`)
}
