// Engines with fixed ids, for the tests (no Node APIs: the mini-program tests that use it run
// in JavaScriptCore's shell too). exportsOf: the module exports of each engine of
// tests/engines.js ENGINES.
export const exportsOf = new WeakMap()

// One record of the given ids (40 bytes: trace, span, segment) instead of random ones, which
// the golden vectors need, from an engine of ENGINES or one that runs the given module
// exports. The engine ships without a way to fix ids: here they go into the module's input
// region as src/tw_w.h's id words (4 bytes each, big-endian) and FIXED_IDS (src/wasm.c) has
// tw_batch format them. Such a record comes as text: where the runtime has
// Uint8Array.prototype.toHex, it is hidden for the call, as a raw batch (js/engine.js) is
// the generator's ids, not these.
const FIXED_IDS = 0x100
export function fixedBatch(engine, ids, percent, parts, exports = exportsOf.get(engine)) {
  // first a batch of the same parts, so that the engine's own use of the input region (the
  // sw8 table it makes on its first sw8 batch) is over before the ids are put there
  engine._batch(1, percent, parts)
  const u8 = new Uint8Array(exports.memory.buffer), at = exports.tw_buf(0)
  for (let i = 0; i < 40; i++) u8[at + (i ^ 3)] = ids[i]
  const P = Uint8Array.prototype, toHex = Object.getOwnPropertyDescriptor(P, 'toHex')
  if (toHex) delete P.toHex
  try {
    return engine._batch(1, percent, parts | FIXED_IDS)
  } finally {
    if (toHex) Object.defineProperty(P, 'toHex', toHex)
  }
}
