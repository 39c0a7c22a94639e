// npm run bench: one table, engine x case, tracewire (wasm engine and wasm2js twin) against
// OpenTelemetry measured in the same engine and the same run (bench/cases.js).
//
//   node bench/run.mjs [engine ...]    engines: node chromium firefox webkit jsc jsc-nojit
//   BENCH_MS=1000                      measuring time per cell (the warm-up adds a fifth)
//
// The ratio columns are OpenTelemetry ns / tracewire ns (higher is faster); "sw8 ÷ tp" is the
// cost of a sw8 request over a traceparent + tracestate one, on the same engine.
import vm from 'node:vm'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchScript } from './bundle.mjs'
import { build as buildDist } from '../scripts/bundle.mjs'

const MS = +(process.env.BENCH_MS || 1000)
const ALL = ['node', 'chromium', 'firefox', 'webkit', 'jsc', 'jsc-nojit']

function runJsc(script, args) {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-bench-'))
  const file = join(dir, 'bench.js')
  // The jsc shell has print but no console (tracewire's logger reads console when it warns).
  writeFileSync(file, `var console = { warn: function () {}, log: print };\n${script}\nprint(JSON.stringify(tracewireBench(${MS})))\n`)
  return new Promise((resolve, reject) => {
    execFile('jsc', [...args, file], { timeout: 600_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true })
      if (err) return reject(new Error(`jsc ${args.join(' ')} failed: ${err.message}\n${stderr}`))
      resolve(JSON.parse(stdout.trim().split('\n').pop()))
    })
  })
}

async function runBrowser(engine, script) {
  const { launch } = await import('../tests/browser/browsers.js')
  const browser = await launch(engine)
  try {
    const page = await browser.newPage()
    const rows = await page.evaluate(([src, ms]) => { (0, eval)(src); return globalThis.tracewireBench(ms) }, [script, MS])
    return { version: browser.version, rows }
  } finally {
    await browser.close()
  }
}

const RUNNERS = {
  node: async (script) => {
    vm.runInThisContext(script)
    return { version: process.version, rows: globalThis.tracewireBench(MS) }
  },
  chromium: (s) => runBrowser('chromium', s),
  firefox: (s) => runBrowser('firefox', s),
  webkit: (s) => runBrowser('webkit', s),
  jsc: async (s) => ({ version: 'JavaScriptCore (JIT)', rows: await runJsc(s, []) }),
  'jsc-nojit': async (s) => ({ version: 'JavaScriptCore --useJIT=false', rows: await runJsc(s, ['--useJIT=false']) }),
}

const engines = process.argv.slice(2).length ? process.argv.slice(2) : ALL
for (const e of engines) if (!RUNNERS[e]) throw new Error(`bench: unknown engine ${e} (one of ${ALL.join(', ')})`)

await buildDist() // dist/ as npm would ship it, from the current sources
const script = await benchScript()
const table = []
for (const e of engines) {
  process.stderr.write(`bench: ${e}…\n`)
  const { version, rows } = await RUNNERS[e](script)
  const tp = rows[0]
  for (const r of rows) {
    table.push({
      engine: `${e} ${version}`.trim(),
      case: r.case,
      'wasm ns': r.wasm_ns,
      'twin ns': r.twin_ns,
      'OTel ns': r.otel_ns,
      'wasm ×': +(r.otel_ns / r.wasm_ns).toFixed(1),
      'twin ×': +(r.otel_ns / r.twin_ns).toFixed(1),
      'sw8 ÷ tp': r.case == 'sw8' ? `${(r.wasm_ns / tp.wasm_ns).toFixed(1)} / ${(r.twin_ns / tp.twin_ns).toFixed(1)}` : '',
    })
  }
}
console.log(`ns per request through createTracer(...).headers(url), ${MS} ms per cell; × = OpenTelemetry ns / tracewire ns`)
console.table(table)
