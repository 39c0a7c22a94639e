// The installed package in Debian's Chromium (SPEC §1, issue #4): the npm entry bundled by an
// application's esbuild, the CDN file after window.__rum, and the README's asynchronous snippet.
// Every claim is checked on what the local test server received.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import esbuild from 'esbuild'
import { launch } from './chromium.js'
import { startServers } from './server.js'
import { packAndInstall, ROOT } from '../pack.js'
import { TARGET } from '../../scripts/bundle.mjs'

let pkg, srv, browser
// A regression must fail, never hang the suite.
const LIMIT = { timeout: 30_000 }
const TRACE = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'sw8', 'baggage']
const TP = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-01$/
const TWICE = '[tracewire] the CDN script ran twice on this page: this copy does nothing'

// The README's asynchronous snippet, as a user copies it, loading the file from the test server.
function readmeSnippet(version) {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1])
  const snippet = blocks.find((b) => b.includes('window.__bl') || b.includes('w.__bl'))
  assert.ok(snippet, 'the README has the asynchronous snippet')
  const url = `https://unpkg.com/tracewire@${version}/dist/tracewire.js`
  for (const b of blocks.filter((b) => b.includes('unpkg.com'))) assert.ok(b.includes(url), `the README loads ${url}`)
  return snippet.replace(url, '/cdn/tracewire.js')
}
// Test code run in the snippet's own <script>, so it surely runs before the file arrives.
const withSnippet = (snippet, code) => snippet.replace(/<\/script>\s*$/, `${code}\n</script>`)

const XHR = `<script>window.xhr = (url) => new Promise((resolve) => {
  const x = new XMLHttpRequest(); x.open('GET', url); x.onloadend = () => resolve(x.status); x.send()
})</script>`

before(async () => {
  pkg = await packAndInstall()
  // An application's own bundle of the npm entry, resolved from the consumer's node_modules.
  const app = await esbuild.build({
    stdin: { contents: "import TraceWire from 'tracewire'\nwindow.TraceWire = TraceWire", resolveDir: pkg.consumer, loader: 'js' },
    bundle: true, format: 'iife', target: TARGET, write: false, logLevel: 'silent', metafile: true,
  })
  const inputs = Object.keys(app.metafile.inputs)
  assert.ok(inputs.some((f) => f.endsWith('node_modules/tracewire/dist/index.js')), `bundled from the package's ESM build: ${inputs}`)
  const snippet = readmeSnippet(pkg.manifest.version)

  srv = await startServers()
  srv.script('/app.js', app.outputFiles[0].text)
  srv.script('/cdn/tracewire.js', readFileSync(join(pkg.dir, 'dist/tracewire.js')))
  srv.page('/npm/page.html', `<!doctype html>${XHR}<script src="/app.js"></script><script>
    TraceWire.init({ pid: 'npm', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
    window.__done = Promise.all([fetch('api?t=npm-fetch').then((r) => r.status), xhr('api?t=npm-xhr')])
  </script>`)
  const rum = (tracing) => `<script>window.__rum = { pid: 'cdn', tracing: ${tracing} }</script>`
  const sync = `<!doctype html>${XHR}${rum("{ propagatorTypes: ['tracecontext', 'jaeger'] }")}<script src="/cdn/tracewire.js"></script>`
  const first = (tag) => `<script>window.__done = Promise.all([fetch('api?t=${tag}-fetch').then((r) => r.status), xhr('api?t=${tag}-xhr')])</script>`
  srv.page('/cdn/sync.html', sync + first('sync'))
  srv.page('/cdn/twice.html', sync + '<script src="/cdn/tracewire.js"></script>' + first('twice'))
  // A CSP without 'wasm-unsafe-eval': the file's wasm2js twin does the work.
  srv.page('/cdn/csp.html', sync + first('csp') + `<script>
    try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); window.__wasm = 'compiled' } catch (e) { window.__wasm = e.name }
  </script>`, { 'content-security-policy': "script-src 'self' 'unsafe-inline'" })
  srv.page('/cdn/async.html', `<!doctype html><head>${XHR}${withSnippet(snippet, "window.__early = fetch('/async?t=early').then((r) => r.status)")}</head>`)
  srv.page('/cdn/queued.html', `<!doctype html><head>${XHR}${withSnippet(snippet, `
    __bl.stop()
    __bl.init({ pid: 'queued', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
    window.__queued = __bl.q.length`)}</head>`)
  browser = await launch()
}, { timeout: 180_000 })

after(async () => {
  await browser?.close()
  await srv?.close()
  pkg?.close()
})

// A fresh tab with tracewire's console warnings kept.
async function open(path) {
  const page = await browser.newPage()
  page.warnings = []
  page.on('console', (m) => { if (m.text().startsWith('[tracewire]')) page.warnings.push(m.text()) })
  await page.goto(srv.a + path)
  return page
}

// Our headers as the server received them at one path; a repeated header fails here.
function ours(path) {
  const r = srv.requests.filter((x) => x.path == path)
  assert.equal(r.length, 1, `exactly one request reached the server at ${path}`)
  const out = {}
  for (const k of TRACE) {
    if (!(k in r[0].headers)) continue
    assert.equal(typeof r[0].headers[k], 'string', `${k} arrived once, as one value`)
    out[k] = r[0].headers[k]
  }
  return out
}
function traced(path, pid, names) {
  const h = ours(path)
  assert.deepEqual(Object.keys(h), names, path)
  assert.match(h.traceparent, TP)
  assert.match(h.tracestate, new RegExp(`^rum=2&web&${pid}&[0-9a-f]{32}$`))
  return h
}

test('npm: an app bundle of `import TraceWire from \'tracewire\'` traces fetch and XHR from the first request', LIMIT, async () => {
  const page = await open('/npm/page.html')
  assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
  for (const p of ['/npm/api?t=npm-fetch', '/npm/api?t=npm-xhr']) {
    const h = traced(p, 'npm', ['traceparent', 'tracestate', 'b3'])
    assert.equal(h.b3, `${h.traceparent.slice(3, 35)}-${h.traceparent.slice(36, 52)}-1`)
  }
  assert.deepEqual(page.warnings, [])
  await page.close()
})

test('CDN, synchronous: the file reads window.__rum and traces the very next requests; TraceWire.stop() ends it', LIMIT, async () => {
  const page = await open('/cdn/sync.html')
  assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
  for (const p of ['/cdn/api?t=sync-fetch', '/cdn/api?t=sync-xhr']) {
    const h = traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
    assert.equal(h['uber-trace-id'], `${h.traceparent.slice(3, 35)}:${h.traceparent.slice(36, 52)}:0:1`)
  }
  const r = await page.evaluate(async () => {
    const api = Object.keys(TraceWire).sort()
    const native = String(window.fetch).includes('[native code]')
    const cors = TraceWire.corsHeaders({ propagatorTypes: 'b3' })
    const t = TraceWire.createTracer({ pid: 'p', baseURI: location.href, tracing: true }).headers('/x')
    TraceWire.stop()
    await fetch('/cdn/api?t=sync-stopped')
    await xhr('/cdn/api?t=sync-stopped-xhr')
    return { api, native, cors, tp: t.headers.traceparent }
  })
  assert.deepEqual(r.api, ['corsHeaders', 'createTracer', 'init', 'stop'])
  assert.equal(r.native, true, 'the patched fetch still looks native')
  assert.deepEqual(r.cors, ['b3'])
  assert.match(r.tp, TP)
  assert.deepEqual(ours('/cdn/api?t=sync-stopped'), {})
  assert.deepEqual(ours('/cdn/api?t=sync-stopped-xhr'), {})
  assert.deepEqual(page.warnings, [])
  await page.close()
})

test('CDN, synchronous, on a page whose CSP refuses WebAssembly: the inlined twin traces the same way', LIMIT, async () => {
  const page = await open('/cdn/csp.html')
  assert.equal(await page.evaluate(() => window.__wasm), 'CompileError', 'the control: WebAssembly really is refused')
  assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
  for (const p of ['/cdn/api?t=csp-fetch', '/cdn/api?t=csp-xhr']) traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
  await page.close()
})

test('CDN loaded twice: one warning, and every request still carries one value per header', LIMIT, async () => {
  const page = await open('/cdn/twice.html')
  assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
  for (const p of ['/cdn/api?t=twice-fetch', '/cdn/api?t=twice-xhr']) traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
  assert.deepEqual(page.warnings, [TWICE])
  await page.close()
})

test("CDN, asynchronous: the README's snippet loads the file, which starts tracing with window.__bl.config", LIMIT, async () => {
  const page = await open('/cdn/async.html')
  await page.waitForFunction(() => window.TraceWire, null, { timeout: 10_000 })
  const r = await page.evaluate(async () => [await window.__early, await fetch('/async?t=after').then((x) => x.status), await xhr('/async?t=after-xhr')])
  assert.deepEqual(r, [200, 200, 200])
  assert.deepEqual(ours('/async?t=early'), {}, 'a request sent before the file ran is not traced')
  for (const p of ['/async?t=after', '/async?t=after-xhr']) traced(p, 'shop-web', ['traceparent', 'tracestate'])
  assert.deepEqual(page.warnings, [])
  await page.close()
})

test('CDN, asynchronous: calls made on __bl before the file arrived are queued and replayed in order; later ones run at once', LIMIT, async () => {
  const page = await open('/cdn/queued.html')
  await page.waitForFunction(() => window.TraceWire, null, { timeout: 10_000 })
  const queued = await page.evaluate(() => window.__queued)
  assert.equal(queued, 2, 'both calls waited in __bl.q')
  await page.evaluate(async () => {
    await fetch('/queued?t=fetch')
    await xhr('/queued?t=xhr')
    __bl.stop()
    await fetch('/queued?t=stopped')
  })
  // The config's init ran first, the queued stop() ended it, then the queued init took over.
  for (const p of ['/queued?t=fetch', '/queued?t=xhr']) traced(p, 'queued', ['traceparent', 'tracestate', 'b3'])
  assert.deepEqual(ours('/queued?t=stopped'), {}, '__bl.stop() after the file arrived ran at once')
  assert.deepEqual(page.warnings, [])
  await page.close()
})
