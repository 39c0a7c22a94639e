// The installed package in Chromium, Firefox and WebKit (SPEC §1, browsers.js): the npm entry
// bundled by an application's esbuild, the CDN file after window.__rum, and the README's
// asynchronous snippet. The tarball is packed and installed once; each engine gets its own
// servers. Every claim is checked on what the local test server received.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import esbuild from 'esbuild'
import { ENGINES, launch } from './browsers.js'
import { startServers } from './server.js'
import { packAndInstall, ROOT } from '../pack.js'
import { TARGET } from '../../scripts/bundle.mjs'

let pkg, app, cdn, snippet
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
  const built = await esbuild.build({
    stdin: { contents: "import TraceWire from 'tracewire'\nwindow.TraceWire = TraceWire", resolveDir: pkg.consumer, loader: 'js' },
    bundle: true, format: 'iife', target: TARGET, write: false, logLevel: 'silent', metafile: true,
  })
  const inputs = Object.keys(built.metafile.inputs)
  assert.ok(inputs.some((f) => f.endsWith('node_modules/tracewire/dist/index.js')), `bundled from the package's ESM build: ${inputs}`)
  app = built.outputFiles[0].text
  cdn = readFileSync(join(pkg.dir, 'dist/tracewire.js'))
  snippet = readmeSnippet(pkg.manifest.version)
}, { timeout: 180_000 })

after(() => pkg?.close())

// The test pages, on one engine's servers.
function pages(srv) {
  srv.script('/app.js', app)
  srv.script('/cdn/tracewire.js', cdn)
  srv.page('/npm/page.html', `<!doctype html>${XHR}<script src="/app.js"></script><script>
    TraceWire.init({ pid: 'npm', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
    window.__done = Promise.all([fetch('api?t=npm-fetch').then((r) => r.status), xhr('api?t=npm-xhr')])
  </script>`)
  const rum = (tracing) => `<script>window.__rum = { pid: 'cdn', tracing: ${tracing} }</script>`
  const sync = `${XHR}${rum("{ propagatorTypes: ['tracecontext', 'jaeger'] }")}<script src="/cdn/tracewire.js"></script>`
  const first = (tag) => `<script>window.__done = Promise.all([fetch('api?t=${tag}-fetch').then((r) => r.status), xhr('api?t=${tag}-xhr')])</script>`
  srv.page('/cdn/sync.html', '<!doctype html>' + sync + first('sync'))
  srv.page('/cdn/twice.html', '<!doctype html>' + sync + '<script src="/cdn/tracewire.js"></script>' + first('twice'))
  // A CSP without 'wasm-unsafe-eval' (SPEC §5): where the engine refuses WebAssembly under it,
  // the file's inlined wasm2js twin does the work.
  srv.page('/cdn/csp.html', `<!doctype html><script>
    try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); window.__wasm = 'compiled' } catch (e) { window.__wasm = e.name }
    try { eval('0'); window.__eval = 'allowed' } catch (e) { window.__eval = e.name }
  </script>` + sync + first('csp'), { 'content-security-policy': "script-src 'self' 'unsafe-inline'" })
  // WebAssembly gone before the file runs, as in a runtime that lacks it: the twin in every engine.
  srv.page('/cdn/nowasm.html', '<!doctype html><script>delete window.WebAssembly</script>' + sync
    + first('nowasm') + '<script>window.__wasm = typeof WebAssembly</script>')
  srv.page('/cdn/async.html', `<!doctype html><head>${XHR}${withSnippet(snippet, "window.__early = fetch('/async?t=early').then((r) => r.status)")}</head>`)
  srv.page('/cdn/queued.html', `<!doctype html><head>${XHR}${withSnippet(snippet, `
    __bl.stop()
    __bl.init({ pid: 'queued', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
    window.__queued = __bl.q.length`)}</head>`)
}

// tracewire's console warnings on a page.
const warnings = async (page) => (await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => m.text)

// What the CSP page's engine does to WebAssembly (SPEC §5): Chromium and Firefox refuse it under
// a CSP without 'wasm-unsafe-eval'; WebKitGTK applies no CSP to WebAssembly (eval is refused on
// the same page), so there the CSP page keeps the wasm engine and the twin is proven by the
// page without WebAssembly.
const CSP_WASM = { chromium: 'CompileError', firefox: 'CompileError', webkit: 'compiled' }

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, srv] = await Promise.all([launch(engine), startServers()])
    pages(srv)
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await srv?.close()
  })

  async function open(path) {
    const page = await browser.newPage()
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

  it('npm: an app bundle of `import TraceWire from \'tracewire\'` traces fetch and XHR from the first request', LIMIT, async () => {
    const page = await open('/npm/page.html')
    assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
    for (const p of ['/npm/api?t=npm-fetch', '/npm/api?t=npm-xhr']) {
      const h = traced(p, 'npm', ['traceparent', 'tracestate', 'b3'])
      assert.equal(h.b3, `${h.traceparent.slice(3, 35)}-${h.traceparent.slice(36, 52)}-1`)
    }
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it('CDN, synchronous: the file reads window.__rum and traces the very next requests; TraceWire.stop() ends it', LIMIT, async () => {
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
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it(engine == 'webkit'
    ? 'CDN, synchronous, on a page whose CSP would refuse WebAssembly elsewhere: it compiles here, and the file traces the same way'
    : 'CDN, synchronous, on a page whose CSP refuses WebAssembly: the inlined twin traces the same way', LIMIT, async () => {
    const page = await open('/cdn/csp.html')
    assert.equal(await page.evaluate(() => window.__wasm), CSP_WASM[engine], "the control: what this engine's CSP does to WebAssembly")
    assert.equal(await page.evaluate(() => window.__eval), 'EvalError', 'the CSP itself is in force: eval is refused')
    assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
    for (const p of ['/cdn/api?t=csp-fetch', '/cdn/api?t=csp-xhr']) traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it('CDN, synchronous, on a page without WebAssembly: the inlined twin traces from the first request', LIMIT, async () => {
    const page = await open('/cdn/nowasm.html')
    assert.equal(await page.evaluate(() => window.__wasm), 'undefined', 'the control: the page has no WebAssembly')
    assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
    for (const p of ['/cdn/api?t=nowasm-fetch', '/cdn/api?t=nowasm-xhr']) {
      const h = traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
      assert.equal(h['uber-trace-id'], `${h.traceparent.slice(3, 35)}:${h.traceparent.slice(36, 52)}:0:1`)
    }
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it('CDN loaded twice: one warning, and every request still carries one value per header', LIMIT, async () => {
    const page = await open('/cdn/twice.html')
    assert.deepEqual(await page.evaluate(() => window.__done), [200, 200])
    for (const p of ['/cdn/api?t=twice-fetch', '/cdn/api?t=twice-xhr']) traced(p, 'cdn', ['traceparent', 'tracestate', 'uber-trace-id'])
    assert.deepEqual(await warnings(page), [TWICE])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it("CDN, asynchronous: the README's snippet loads the file, which starts tracing with window.__bl.config", LIMIT, async () => {
    const page = await open('/cdn/async.html')
    await page.waitFor(() => !!window.TraceWire)
    const r = await page.evaluate(async () => [await window.__early, await fetch('/async?t=after').then((x) => x.status), await xhr('/async?t=after-xhr')])
    assert.deepEqual(r, [200, 200, 200])
    assert.deepEqual(ours('/async?t=early'), {}, 'a request sent before the file ran is not traced')
    for (const p of ['/async?t=after', '/async?t=after-xhr']) traced(p, 'shop-web', ['traceparent', 'tracestate'])
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })

  it('CDN, asynchronous: calls made on __bl before the file arrived are queued and replayed in order; later ones run at once', LIMIT, async () => {
    const page = await open('/cdn/queued.html')
    await page.waitFor(() => !!window.TraceWire)
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
    assert.deepEqual(await warnings(page), [])
    assert.deepEqual(await page.errors(), [])
    await page.close()
  })
})
