// The published package (SPEC §1, issue #4), as a user installs it: packed by npm, installed
// from the tarball into a scratch project, then imported, required, type-checked and weighed.
// The browser side of the same package is tests/browser/dist.test.js.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import esbuild from 'esbuild'
import { packAndInstall, ROOT } from './pack.js'
import { PATCHING, TARGET } from '../scripts/bundle.mjs'

// A regression must fail, never hang the suite.
const LIMIT = { timeout: 60_000 }
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

test('npm pack builds dist/ through prepack, prints every file size, and ships only the allow-listed files', LIMIT, () => {
  assert.deepEqual(pkg.files, ['README.md', 'bin/tracewire.js', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts',
    'dist/index.js', 'dist/tracewire.js', 'package.json'])
  for (const f of ['dist/index.js', 'dist/index.cjs', 'dist/tracewire.js', 'createTracer only']) {
    assert.match(pkg.build, new RegExp(`^${f}.* \\d+ B +gzip +\\d+ B$`, 'm'), `the build prints the size of ${f}`)
  }
  assert.equal(readFileSync(join(pkg.dir, 'dist/index.d.ts'), 'utf8'), readFileSync(join(ROOT, 'js/index.d.ts'), 'utf8'))
})

test('package.json tells the truth: exports with types first, every entry shipped, side effects only in the CDN file', LIMIT, () => {
  const m = pkg.manifest
  assert.deepEqual(Object.keys(m.exports), ['.'], 'the mini-program entry is not there yet')
  for (const [cond, ext] of [['import', 'ts'], ['require', 'cts']]) {
    const e = m.exports['.'][cond]
    assert.deepEqual(Object.keys(e), ['types', 'default'], `${cond}: types first`)
    assert.equal(e.types, `./dist/index.d.${ext}`)
  }
  const shipped = [m.main, m.module, m.types, m.unpkg, m.exports['.'].import.default, m.exports['.'].require.default, ...Object.values(m.bin)]
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
  assert.doesNotMatch(text, /\bimport\s*\(|\brequire\s*\(|\bexport\b|sourceMappingURL/, 'nothing else to fetch')
  assert.ok(text.includes('AGFzbQ'), 'the wasm module (\\0asm, base64) is inlined')
  assert.ok(text.includes('tw_batch'), 'the wasm2js twin is inlined')
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
