// The two forms of the engine that every engine test runs through: the wasm module and its
// wasm2js twin, each seeded from node:crypto.
import { randomFillSync } from 'node:crypto'
import { createEngine, wasmExports } from '../js/engine.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'
import { exportsOf } from './fixed.js'

export { fixedBatch } from './fixed.js'

export const random = (n) => randomFillSync(new Uint8Array(n))

const load = (exports) => {
  const engine = createEngine(exports, random)
  exportsOf.set(engine, exports)
  return engine
}

export const ENGINES = [
  ['wasm', () => load(wasmExports(bytes))],
  ['wasm2js', () => load(twin())]
]
