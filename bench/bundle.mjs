// The benchmark as one script that runs in any engine: Node, a browser page, the jsc shell.
// It holds two copies of the built package (dist/index.js, what npm ships): the first makes its
// engine from the WebAssembly module, the second is made while WebAssembly is hidden, so its
// engine is the wasm2js twin (SPEC §5: what a page whose CSP refuses WebAssembly, or a mini
// program without it, runs). Running the script defines globalThis.tracewireBench(ms) -> rows.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

const iife = async (contents, globalName) => (await build({
  stdin: { contents, resolveDir: ROOT, loader: 'js' },
  absWorkingDir: ROOT, bundle: true, format: 'iife', globalName, platform: 'browser',
  target: 'es2017', minify: true, write: false, logLevel: 'warning',
})).outputFiles[0].text

export async function benchScript() {
  const copy = await iife("export { createTracer } from './dist/index.js'", 'tracewireCopy')
  const cases = await iife(`
    import { runBench } from './bench/cases.js'
    const [wasm, twin] = globalThis.tracewireCopies
    // The twin copy builds its engine on its first createTracer: hide WebAssembly for that call.
    let twinTracer = (o) => {
      const W = globalThis.WebAssembly
      globalThis.WebAssembly = undefined
      if (globalThis.WebAssembly !== undefined) throw new Error('bench: cannot hide WebAssembly here')
      try { return twin(o) } finally { globalThis.WebAssembly = W; twinTracer = twin }
    }
    globalThis.tracewireBench = (ms) => runBench({ wasm, twin: (o) => twinTracer(o), ms })
  `)
  // Each copy is its own IIFE: its own module state, its own engine.
  const one = `${copy};(globalThis.tracewireCopies = globalThis.tracewireCopies || []).push(tracewireCopy.createTracer);`
  return one + one + cases
}
