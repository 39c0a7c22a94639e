// The published package (SPEC §1, issue #4), as a user installs it: packed by npm, installed
// from the tarball into a scratch project, then imported, required, type-checked and weighed.
// The browser side of the same package is tests/browser/dist.test.js.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import esbuild from 'esbuild'
import { packAndInstall, ROOT } from './pack.js'
import { gzipSync } from 'node:zlib'
import { BUDGET, PATCHING, TARGET } from '../scripts/bundle.mjs'
import packedWasm from '../wasm/bytes.js'

// The start of the packed wasm module ("\0asm", version, first sections), as it stands in a
// JS string literal: the mark of an inlined engine module.
const WASM = packedWasm.slice(0, 16)
assert.ok(!/['"\\]/.test(WASM), 'the mark needs no escaping in a literal')

// A regression must fail, never hang the suite.
const LIMIT = { timeout: 60_000 }
const gz = (data) => gzipSync(data, { level: 9 }).length
const TP = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-01$/

let pkg
before(async () => { pkg = await packAndInstall() }, { timeout: 180_000 })
after(() => pkg?.close())

// Runs an ES module (or, with cjs, a CommonJS script) in the consumer project; its stdout as JSON.
async function node(source, cjs) {
  const r = await pkg.run(process.execPath, [...(cjs ? [] : ['--input-type=module']), '-e', source])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stderr, '', 'no warning printed')
  return JSON.parse(r.stdout)
}

// The same checks through import and require: patches nothing, full API, real headers.
const CHECK = (load) => `
const before = { fetch: globalThis.fetch, keys: Reflect.ownKeys(globalThis).length }
${load}
const after = { fetch: globalThis.fetch, keys: Reflect.ownKeys(globalThis).length }
const t = TraceWire.createTracer({ pid: 'shop', baseURI: 'https://shop.example/app/', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
console.log(JSON.stringify({
  untouched: before.fetch === after.fetch && before.keys === after.keys && !(Symbol.for('tracewire.web') in globalThis),
  api: Object.keys(TraceWire).sort(),
  named: [named.init === TraceWire.init, named.createTracer === TraceWire.createTracer, named.corsHeaders === TraceWire.corsHeaders],
  same: t.headers('api/items'),
  other: t.headers('https://other.example/'),
  cors: TraceWire.corsHeaders({ propagatorTypes: 'b3multi', baggage: true }),
}))`

function checkApi(r) {
  assert.equal(r.untouched, true, 'loading the package patches nothing and adds no global')
  assert.deepEqual(r.api, ['corsHeaders', 'createTracer', 'init'])
  assert.deepEqual(r.named, [true, true, true], 'named exports are the default export\'s functions')
  assert.deepEqual(Object.keys(r.same.headers), ['traceparent', 'tracestate', 'b3'])
  assert.match(r.same.headers.traceparent, TP)
  assert.equal(r.same.headers.b3, `${r.same.traceId}-${r.same.spanId}-1`)
  assert.match(r.same.headers.tracestate, /^rum=2&web&shop&[0-9a-f]{32}$/)
  assert.equal(r.other, null)
  assert.deepEqual(r.cors, ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'baggage'])
}

test('npm pack builds dist/ through prepack, prints every file size gzipped and brotli-compressed, and ships only the allow-listed files', LIMIT, () => {
  // The ES builds share their common code through one chunk, named by its hash.
  const chunks = pkg.files.filter((f) => f.startsWith('dist/chunks/'))
  assert.equal(chunks.length, 1)
  assert.match(chunks[0], /^dist\/chunks\/chunk-[A-Z0-9]+\.js$/)
  assert.deepEqual(pkg.files.filter((f) => !chunks.includes(f)), ['README.md', 'bin/tracewire.js', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts',
    'dist/index.js', 'dist/miniprogram-plugin/index.js', 'dist/miniprogram-plugin/package.json', 'dist/miniprogram-plugin/plugin.json', 'dist/miniprogram-plugin/tracewire.js',
    'dist/miniprogram.cjs', 'dist/miniprogram.d.cts', 'dist/miniprogram.d.ts', 'dist/miniprogram.js',
    'dist/miniprogram/index.js', 'dist/miniprogram/miniprogram.js', 'dist/miniprogram/package.json', 'dist/miniprogram/tracewire.wasm', 'dist/tracewire.js', 'package.json'])
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/miniprogram.js', 'dist/miniprogram.cjs', 'dist/miniprogram/index.js', 'dist/tracewire.js', 'createTracer only']) {
    assert.match(pkg.build, new RegExp(`^${f}.* \\d+ B +gzip +\\d+ B +brotli +\\d+ B$`, 'm'), `the build prints the sizes of ${f}`)
  }
  assert.equal(readFileSync(join(pkg.dir, 'dist/index.d.ts'), 'utf8'), readFileSync(join(ROOT, 'js/index.d.ts'), 'utf8'))
  assert.equal(readFileSync(join(pkg.dir, 'dist/miniprogram.d.ts'), 'utf8'), readFileSync(join(ROOT, 'js/miniprogram.d.ts'), 'utf8'))
})

test('package.json tells the truth: exports with types first, every entry shipped, side effects only in the CDN file', LIMIT, () => {
  const m = pkg.manifest
  assert.deepEqual(Object.keys(m.exports), ['.', './miniprogram'])
  const shipped = [m.main, m.module, m.types, m.unpkg, ...Object.values(m.bin)]
  for (const [entry, name] of [['.', 'index'], ['./miniprogram', 'miniprogram']]) {
    for (const [cond, ext] of [['import', 'ts'], ['require', 'cts']]) {
      const e = m.exports[entry][cond]
      assert.deepEqual(Object.keys(e), ['types', 'default'], `${entry} ${cond}: types first`)
      assert.equal(e.types, `./dist/${name}.d.${ext}`)
      shipped.push(e.types, e.default)
    }
  }
  // The mini-program tool chains' npm build copies this folder (SPEC §1).
  assert.equal(m.miniprogram, 'dist/miniprogram')
  shipped.push(`${m.miniprogram}/index.js`, `${m.miniprogram}/tracewire.wasm`)
  for (const f of shipped) assert.ok(existsSync(join(pkg.dir, f)), `${f} is in the package`)
  assert.equal(m.unpkg, './dist/tracewire.js')
  assert.deepEqual(m.sideEffects, ['./dist/tracewire.js'])
  assert.equal(m.engines.node, '>=18')
  assert.equal(m.dependencies, undefined, 'no runtime dependency')
})

test('import in Node: default and named exports, nothing patched on import, headers from the ESM build', LIMIT, async () => {
  checkApi(await node(CHECK("const { default: TraceWire, ...named } = await import('tracewire')")))
})

test('require in Node: the same API and headers from the CommonJS build', LIMIT, async () => {
  const r = await node(CHECK("const named = require('tracewire'); const TraceWire = named.default") +
    "\nif (!require.resolve('tracewire').endsWith('index.cjs')) throw new Error('not the CommonJS build')", true)
  checkApi(r)
})

test('the installed tracewire command prints the CORS header list', LIMIT, async () => {
  const r = await pkg.run(join(pkg.consumer, 'node_modules/.bin/tracewire'), ['cors', '{"propagatorTypes":["tracecontext","jaeger"],"tracestate":false}'])
  assert.deepEqual(r, { code: 0, stdout: 'traceparent, uber-trace-id\n', stderr: '' })
})

test('the TypeScript types cover the public API for import and require consumers, and refuse wrong options', LIMIT, async () => {
  writeFileSync(join(pkg.consumer, 'esm.mts'), `
import TraceWire, { init, createTracer, corsHeaders } from 'tracewire'
import type { Tracing, TracingConfig, PropagatorType, MatchOption, AllowedUrl, InitOptions, TracerOptions, Tracer, TraceContext, Handle } from 'tracewire'
const p: PropagatorType[] = ['tracecontext', 'b3', 'b3multi', 'jaeger', 'sw8']
const m: MatchOption[] = ['https://api.example.com', /graphql/, (url: string) => url.length > 0]
const a: AllowedUrl = { match: 'https://legacy.example.com', propagatorTypes: 'b3' }
const tracing: TracingConfig = { enable: true, sample: 20, tracestate: false, baggage: true, propagatorTypes: p, allowedUrls: [...m, a] }
const on: Tracing = true
const io: InitOptions = { pid: 'shop', tracing, version: '1.2.3', endpoint: 'https://collector.example.com' }
const handle: Handle = TraceWire.init(io)
handle.stop()
init({ pid: 'shop', tracing: on }).stop()
const to: TracerOptions = { pid: 'shop', tracing: on, baseURI: 'https://shop.example/', appType: 'miniapp', sessionId: 's', page: '/p' }
const tracer: Tracer = createTracer(to)
const t: TraceContext | null = tracer.headers(new URL('https://shop.example/x'), { method: 'POST' })
if (t) { const id: string = t.traceId + t.spanId + t.headers.traceparent; const s: boolean = t.sampled; void id; void s }
const names: string[] = corsHeaders(tracing).concat(TraceWire.corsHeaders(false), corsHeaders())
void names
// @ts-expect-error an unknown propagator
createTracer({ pid: 'shop', tracing: { propagatorTypes: 'zipkin' } })
// @ts-expect-error sample is a number
init({ pid: 'shop', tracing: { sample: '20' } })
// @ts-expect-error headers may answer null
const sure: TraceContext = tracer.headers('/x')
void sure
`)
  writeFileSync(join(pkg.consumer, 'cjs.cts'), `
import TraceWire = require('tracewire')
const t = TraceWire.createTracer({ pid: 'shop', tracing: { allowedUrls: [/api/] } }).headers('https://a.example/api')
const h: Record<string, string> | undefined = t?.headers
void h
TraceWire.default.init({ pid: 'shop', tracing: true }).stop()
const list: string[] = TraceWire.corsHeaders(true)
void list
// @ts-expect-error appType is 'web' or 'miniapp'
TraceWire.createTracer({ pid: 'shop', appType: 'node' })
`)
  writeFileSync(join(pkg.consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, types: [] },
    files: ['esm.mts', 'cjs.cts'],
  }))
  const r = await pkg.run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'])
  assert.equal(r.code, 0, r.stdout + r.stderr)
})

// ---- what the CDN file and a tree-shaken bundle contain ----

test('the CDN file is one self-contained script with the engine and its JS twin inlined', LIMIT, () => {
  const cdn = readFileSync(join(pkg.dir, 'dist/tracewire.js'))
  const text = cdn.toString()
  assert.match(text, /^\/\*! tracewire \d+\.\d+\.\d+ \| MIT \*\/\n\(\(\)=>\{/, 'a banner, then one IIFE')
  // Module syntax, not prose: a warning may well say "span export failed".
  assert.doesNotMatch(text, /\bimport\s*[({"'*]|\bimport\s+\w|\brequire\s*\(|\bexport\s*(\{|\*|(default|const|let|var|function|class)\b)|sourceMappingURL/, 'nothing else to fetch')
  assert.ok(text.includes(WASM), 'the wasm module is inlined')
  assert.ok(text.includes('tw_batch'), 'the wasm2js twin is inlined')
})

// SPEC §5's budgets (scripts/bundle.mjs BUDGET), on the files as installed: packing never
// refuses, these tests are where a change that passes a budget fails.
//
// The CDN file is over its 12,000 B budget: 13,318 B when CDN_CEILING was last lowered. It was 12,379 B with
// the exporter's keepalive and timeout and the warnings that name their value, and SPEC §8's
// CORS guard (+0.66 KB) and §6's rule for other tracers on the page (+0.38 KB) came on top; the
// engine (packed wasm and twin) is 5.22 KB of it. The budget waits for a decision (README,
// "Size"). Until then the file may not grow: CDN_CEILING is its size then, plus about 1 %.
// Lower it with every change that makes the file smaller; never raise it to let a change pass.
const CDN_CEILING = 13_451
test('the CDN file does not grow while it is over its 12,000 B budget gzipped', LIMIT, (t) => {
  const cdn = gz(readFileSync(join(pkg.dir, 'dist/tracewire.js')))
  assert.equal(BUDGET.cdn, 12_000)
  t.diagnostic(`dist/tracewire.js: ${cdn} B gzipped, ${cdn - BUDGET.cdn} B over the ${BUDGET.cdn} B budget`)
  assert.ok(cdn <= CDN_CEILING, `dist/tracewire.js is ${cdn} B gzipped: it grew past ${CDN_CEILING} B while over the ${BUDGET.cdn} B budget`)
})

test('an app bundle that imports only createTracer stays within its 9,500 B budget gzipped', LIMIT, async () => {
  const tracer = gz(await tracerOnly())
  assert.equal(BUDGET.tracerOnly, 9_500)
  assert.ok(tracer <= BUDGET.tracerOnly, `a createTracer-only bundle is ${tracer} B gzipped, over the ${BUDGET.tracerOnly} B budget`)
})

// What an application bundler makes of the installed package when only createTracer is used.
async function tracerOnly() {
  const r = await esbuild.build({
    stdin: { contents: "import { createTracer } from 'tracewire'\nwindow.tracer = createTracer({ pid: 'app', tracing: true })", resolveDir: pkg.consumer, loader: 'js' },
    bundle: true, minify: true, format: 'esm', target: TARGET, write: false, logLevel: 'silent',
  })
  return r.outputFiles[0].contents
}

test('an app bundle that uses only createTracer tree-shakes away all fetch and XHR patching code', LIMIT, async () => {
  const code = Buffer.from(await tracerOnly()).toString()
  assert.ok(code.includes('tw_batch'), 'the control: the engine is there')
  assert.deepEqual(PATCHING.filter((s) => code.includes(s)), [], 'no patching code')
  assert.ok(!/\bfetch\b/.test(code), 'fetch is never mentioned')
})

// ---- the mini-program entry (SPEC §1, §7; issue #5) ----

// Every way a mini program gets the SDK, run in a Node process without WebAssembly,
// TextEncoder, TextDecoder, btoa, atob, fetch or crypto (tests/fakes/bare.js deletes them
// before anything loads), on the fake wx of tests/fakes/platforms.js.
test('tracewire/miniprogram by import and require, the npm-build folder and the WeChat plugin all trace wx.request without WebAssembly, TextEncoder, btoa, fetch or crypto', LIMIT, async () => {
  const fakes = join(ROOT, 'tests/fakes/platforms.js')
  const r = await node(`
import { fakePlatform, fakeWXWebAssembly, install } from ${JSON.stringify(fakes)}
import { createRequire } from 'node:module'
const require = createRequire(process.cwd() + '/')
const W = fakeWXWebAssembly({})
install({ getCurrentPages: () => [{ route: 'pages/a/a' }], WXWebAssembly: W })
const tracing = { allowedUrls: ['https://api.example.com'] }
const bare = ['WebAssembly', 'TextEncoder', 'TextDecoder', 'btoa', 'atob', 'fetch', 'crypto'].filter((k) => k in globalThis)
// One request through a copy of the SDK on a fresh platform object; what the server saw.
async function via(TraceWire, viaHandle) {
  const wx = fakePlatform('wx'), orig = wx.request
  const h = TraceWire.init({ pid: 'mini', tracing, platform: wx, wasm: false })
  ;(viaHandle ? h : wx).request({ url: 'https://api.example.com/x' })
  h.stop()
  return { headers: wx.sent[0].headers, restored: wx.request === orig }
}
const pkg = process.cwd() + '/node_modules/tracewire/dist/' // what the tool chains' npm build copies
const esm = await import('tracewire/miniprogram')
const cjs = require('tracewire/miniprogram')
const folder = require(pkg + 'miniprogram/index.js')
console.log(JSON.stringify({
  bare,
  resolved: [import.meta.resolve('tracewire/miniprogram').endsWith('/dist/miniprogram.js'), require.resolve('tracewire/miniprogram').endsWith('/dist/miniprogram.cjs')],
  api: [Object.keys(esm).sort(), Object.keys(cjs).sort(), cjs.default.init === cjs.init, require(pkg + 'miniprogram/miniprogram.js') === folder],
  esm: await via(esm.default),
  cjs: await via(cjs.default),
  folder: await via(folder.default),
  plugin: await via(require(pkg + 'miniprogram-plugin/index.js'), true),
  pluginJson: JSON.parse(require('node:fs').readFileSync(require.resolve(pkg + 'miniprogram-plugin/plugin.json'), 'utf8')),
  wasmLoads: W.calls,
}))`)
  assert.deepEqual(r.bare, [], 'none of them in the process')
  assert.deepEqual(r.resolved, [true, true])
  assert.deepEqual(r.api, [['default', 'init'], ['default', 'init'], true, true])
  for (const k of ['esm', 'cjs', 'folder', 'plugin']) {
    assert.deepEqual(Object.keys(r[k].headers), ['traceparent', 'tracestate'], k)
    assert.match(r[k].headers.traceparent, TP, k)
    assert.match(r[k].headers.tracestate, /^rum=2&miniapp&mini&[0-9a-f]{32}$/, k)
    assert.equal(r[k].restored, true, `${k}: stop() restores wx.request`)
  }
  assert.equal(r.pluginJson.main, 'index.js')
  assert.deepEqual(r.wasmLoads, [], 'wasm: false, and the plugin never guesses a path')
})

test('the npm-build folder is CommonJS with the .wasm beside it, and no mini-program file carries the inlined wasm or web patching code', LIMIT, async () => {
  const dir = join(pkg.dir, 'dist/miniprogram')
  assert.deepEqual(readFileSync(join(dir, 'tracewire.wasm')), readFileSync(join(ROOT, 'wasm/tracewire.wasm')))
  const bundled = await esbuild.build({
    stdin: { contents: "import TraceWire from 'tracewire/miniprogram'\nTraceWire.init({ pid: 'app' })", resolveDir: pkg.consumer, loader: 'js' },
    bundle: true, minify: true, format: 'esm', target: TARGET, write: false, logLevel: 'silent',
  })
  const files = {
    'dist/miniprogram/index.js': readFileSync(join(dir, 'index.js'), 'utf8'),
    'dist/miniprogram-plugin/tracewire.js': readFileSync(join(pkg.dir, 'dist/miniprogram-plugin/tracewire.js'), 'utf8'),
    'dist/miniprogram.cjs': readFileSync(join(pkg.dir, 'dist/miniprogram.cjs'), 'utf8'),
    'an app bundle of tracewire/miniprogram': bundled.outputFiles[0].text,
  }
  assert.match(files['dist/miniprogram/index.js'], /^module\.exports = __toCommonJS\(/m, 'CommonJS')
  assert.doesNotMatch(files['dist/miniprogram/index.js'], /^(import|export)\b/m)
  for (const [name, code] of Object.entries(files)) {
    assert.ok(code.includes('tw_batch'), `${name}: the control, the JS twin is there`)
    assert.ok(!code.includes(WASM), `${name}: no inlined wasm`)
    assert.deepEqual(PATCHING.filter((s) => code.includes(s)), [], `${name}: no fetch or XHR patching`)
  }
})

test('the TypeScript types of tracewire/miniprogram cover init, its options and its handle, for import and require', LIMIT, async () => {
  writeFileSync(join(pkg.consumer, 'mp.mts'), `
import TraceWire, { init } from 'tracewire/miniprogram'
import type { MiniProgramInitOptions, MiniProgramHandle, MiniProgramPlatform, TracingConfig } from 'tracewire/miniprogram'
declare const wx: MiniProgramPlatform
const tracing: TracingConfig = { allowedUrls: ['https://api.example.com'], propagatorTypes: 'b3' }
const o: MiniProgramInitOptions = { pid: 'mini', tracing, platform: wx, wasm: false, version: '1.0.0', endpoint: 'https://c.example.com' }
const h: MiniProgramHandle = TraceWire.init(o)
h.request({ url: 'https://api.example.com/x', success() {} })
init({ pid: 'mini', platform: 'my', wasm: '/pkg/tracewire.wasm' }).stop()
// @ts-expect-error wasm is a path or false
init({ pid: 'mini', wasm: true })
// @ts-expect-error not a platform name
init({ pid: 'mini', platform: 'uni' })
`)
  writeFileSync(join(pkg.consumer, 'mp.cts'), `
import TraceWire = require('tracewire/miniprogram')
TraceWire.init({ pid: 'mini', tracing: true }).stop()
TraceWire.default.init({ pid: 'mini' }).request({ url: 'https://api.example.com/x' })
`)
  writeFileSync(join(pkg.consumer, 'tsconfig.mp.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], strict: true, noEmit: true, types: [] },
    files: ['mp.mts', 'mp.cts'],
  }))
  const r = await pkg.run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.mp.json'])
  assert.equal(r.code, 0, r.stdout + r.stderr)
})
