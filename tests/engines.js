// The two forms of the engine that every engine test runs through: the wasm module and its
// wasm2js twin, each seeded from node:crypto.
import { randomFillSync } from 'node:crypto'
import { createEngine, wasmExports } from '../js/engine.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'

export const random = (n) => randomFillSync(new Uint8Array(n))

export const ENGINES = [
  ['wasm', () => createEngine(wasmExports(bytes), random)],
  ['wasm2js', () => createEngine(twin(), random)]
]
