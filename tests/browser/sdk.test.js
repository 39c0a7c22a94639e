// The real SDK (js/index.js, bundled as the page would load it) in Chromium, Firefox and
// WebKit (browsers.js), every test once per engine: every claim is checked on what the servers
// actually received. patch.test.js covers the patching
// mechanics with fake hooks; this file covers init, the engine, the config and the wire.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { ROOT_CONTEXT, trace, defaultTextMapGetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { ENGINES, launch } from './browsers.js'
import { startServers, bundle } from './server.js'

let sdk
// A regression must fail, never hang the suite (node:test has no timeout by default).
const LIMIT = { timeout: 20_000 }

const TRACE = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'sw8', 'baggage']
const TP = /^00-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-0([01])$/
const HEX32 = /^[0-9a-f]{32}$/
const PAGE = '/app/page.html'

// In-page helpers, loaded before the SDK on every page (no eval: the CSP page forbids it).
const HELPERS = `window.H = {
  fetch: (url, init) => fetch(url, init).then((r) => r.status, (e) => 'reject ' + e.name),
  xhr: (method, url, headers = []) => new Promise((resolve) => {
    const x = new XMLHttpRequest()
    x.open(method, url)
    for (const [k, v] of headers) x.setRequestHeader(k, v)
    x.onloadend = () => resolve(x.status)
    x.send()
  }),
  // A minimal module (magic and version only): compiles wherever WebAssembly is allowed.
  wasm() {
    try { new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])); return 'compiled' }
    catch (e) { return e.name + ': ' + e.message }
  },
}`

// A third origin: B's host on another port, answering every preflight with "allowed". Had a
// rule for B wrongly matched it, the trace headers would get through and show up here.
function startC() {
  const requests = [], preflights = []
  const s = http.createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': req.headers['access-control-request-headers'] || '*',
    }
    const rec = { method: req.method, path: req.url, headers: req.headers }
    req.resume()
    if (req.method == 'OPTIONS') { preflights.push(rec); res.writeHead(204, cors); return res.end() }
    requests.push(rec)
    res.writeHead(200, { ...cors, 'content-type': 'text/plain', 'cache-control': 'no-store' })
    res.end('c')
  })
  s.keepAliveTimeout = 1000
  return new Promise((resolve, reject) => {
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => resolve({
      origin: `http://127.0.0.1:${s.address().port}`, requests, preflights,
      close: () => new Promise((r) => { s.closeAllConnections(); s.close(r) }),
    }))
  })
}

// Our headers as the server saw them; a repeated header would be an array and fail here.
function ours(rec) {
  const out = {}
  for (const k of TRACE) {
    if (!(k in rec.headers)) continue
    const v = rec.headers[k]
    assert.equal(typeof v, 'string', `${k} arrived once, as one value (${JSON.stringify(v)})`)
    out[k] = v
  }
  return out
}
function traceparent(v) {
  const m = TP.exec(v)
  assert.ok(m, `${v} matches the W3C traceparent grammar`)
  return { traceId: m[1], spanId: m[2], sampled: m[3] }
}
function tracestate(v, pid) {
  const m = new RegExp(`^rum=2&web&${pid}&([0-9a-f]{32})$`).exec(v)
  assert.ok(m, `${v} is rum=2&web&${pid}&{session}`)
  return m[1]
}
const b64 = (s) => Buffer.from(s, 'base64').toString('utf8')
function sw8(v) {
  const f = v.split('-')
  assert.equal(f.length, 8, `${v} has 8 fields`)
  for (const i of [1, 2, 4, 5, 6, 7]) assert.equal(Buffer.from(b64(f[i])).toString('base64'), f[i], `field ${i} is padded standard base64`)
  return { sampled: f[0], traceId: b64(f[1]), segmentId: b64(f[2]), parent: f[3], service: b64(f[4]), instance: b64(f[5]), endpoint: b64(f[6]), peer: b64(f[7]) }
}

before(async () => {
  sdk = await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire")
})

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv, c
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, srv, c] = await Promise.all([launch(engine), startServers(), startC()])
    srv.script('/h.js', HELPERS)
    srv.script('/tw.js', sdk)
    const head = '<!doctype html><script src="/h.js"></script><script src="/tw.js"></script>'
    srv.page(PAGE, head)
    // SPEC §5: the first request of the page, issued on the line after init, is already traced.
    const first = `<script>
      TraceWire.init({ pid: 'first', tracing: { propagatorTypes: ['tracecontext', 'b3'] } })
      window.__first = Promise.all([fetch('api/first?t=fetch').then((r) => r.status), H.xhr('GET', 'api/first?t=xhr')])
    </script>`
    srv.page('/app/first.html', head + first)
    // A CSP that allows same-origin and inline scripts but not WebAssembly ('wasm-unsafe-eval').
    srv.page('/app/csp.html', head + `<script>
      window.__wasm = H.wasm()
      try { eval('0'); window.__eval = 'allowed' } catch (e) { window.__eval = e.name }
      TraceWire.init({ pid: 'csp', tracing: { propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'], baggage: true,
        allowedUrls: [{ match: '${srv.b}', propagatorTypes: 'sw8' }] } })
      window.__first = fetch('api/csp?t=first').then((r) => r.status)
    </script>`, { 'content-security-policy': "script-src 'self' 'unsafe-inline'" })
    // WebAssembly gone before the SDK loads, as in a runtime that lacks it (SPEC §5).
    srv.page('/app/nowasm.html', '<!doctype html><script src="/h.js"></script><script>delete window.WebAssembly</script>'
      + `<script src="/tw.js"></script><script>
      window.__wasm = typeof WebAssembly
      TraceWire.init({ pid: 'nowasm', tracing: { propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'], baggage: true,
        allowedUrls: [{ match: '${srv.b}', propagatorTypes: 'sw8' }] } })
      window.__first = fetch('api/nowasm?t=first').then((r) => r.status)
    </script>`)
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await srv?.close()
    await c?.close()
  })

  // A fresh tab (own sessionStorage); warnings(page) reads tracewire's console warnings.
  async function open(path = PAGE) {
    const page = await browser.newPage()
    await page.goto(srv.a + path)
    return page
  }
  const warnings = async (page) => (await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => m.text)

  // What the server received for one request path (the query string included).
  function got(path, list = srv.requests) {
    const r = list.filter((x) => x.path == path)
    assert.equal(r.length, 1, `exactly one request reached the server at ${path}`)
    return r[0]
  }
  const preflights = (path, list = srv.preflights) => list.filter((x) => x.path == path)
  // ---- same origin ----

  it('tracing: true traces same-origin fetch and XHR, relative URLs included, with valid traceparent and tracestate', LIMIT, async () => {
    const page = await open()
    const pre = await page.evaluate(() => H.fetch('api/x?t=so-before-init'))
    const statuses = await page.evaluate(async (A) => {
      window.TraceWire.init({ pid: 'shop', tracing: true })
      return [
        await H.fetch('api/x?t=so-rel'), await H.fetch('/x?t=so-root'), await H.fetch('./x?t=so-dot'),
        await H.fetch('../x?t=so-up'), await H.fetch(A + '/abs?t=so-abs'), await H.fetch(new URL('u?t=so-url', location.href)),
        await H.xhr('GET', 'api/x?t=so-xhr-rel'), await H.xhr('POST', '/x?t=so-xhr-root'), await H.xhr('GET', './x?t=so-xhr-dot'),
      ]
    }, srv.a)
    assert.equal(pre, 200)
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200])
    assert.deepEqual(ours(got('/app/api/x?t=so-before-init')), {}, 'loading the SDK patches nothing; init does')
    const paths = ['/app/api/x?t=so-rel', '/x?t=so-root', '/app/x?t=so-dot', '/x?t=so-up', '/abs?t=so-abs', '/app/u?t=so-url',
      '/app/api/x?t=so-xhr-rel', '/x?t=so-xhr-root', '/app/x?t=so-xhr-dot']
    const sids = new Set(), traces = new Set()
    for (const p of paths) {
      const h = ours(got(p))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate'], p)
      const tp = traceparent(h.traceparent)
      assert.equal(tp.sampled, '1', 'sample defaults to 100')
      traces.add(tp.traceId)
      sids.add(tracestate(h.tracestate, 'shop'))
    }
    assert.equal(traces.size, paths.length, 'a new trace per request')
    assert.equal(sids.size, 1, 'one session for the page')
    assert.equal(got('/x?t=so-xhr-root').method, 'POST')
    await page.close()
  })

  it('the very first fetch and XHR, issued on the line after init, already carry headers', LIMIT, async () => {
    const page = await open('/app/first.html')
    assert.deepEqual(await page.evaluate(() => window.__first), [200, 200])
    for (const p of ['/app/api/first?t=fetch', '/app/api/first?t=xhr']) {
      const h = ours(got(p))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate', 'b3'], p)
      const tp = traceparent(h.traceparent)
      assert.equal(h.b3, `${tp.traceId}-${tp.spanId}-1`, 'b3 carries the same ids')
      tracestate(h.tracestate, 'first')
    }
    await page.close()
  })

  it('relative URLs are resolved against the current document.baseURI after history.pushState', LIMIT, async () => {
    const page = await open()
    await page.evaluate(async () => {
      TraceWire.init({ pid: 'shop', tracing: { allowedUrls: [{ match: /\/deep\/dir\/api\//, propagatorTypes: 'b3' }] } })
      await H.fetch('api/x?t=push-before')
      history.pushState(null, '', '/deep/dir/page')
      await H.fetch('api/x?t=push-after')
      await H.xhr('GET', 'api/x?t=push-after-xhr')
    })
    // Before: /app/api/x, not under the rule, so the default same-origin rule answers.
    assert.deepEqual(Object.keys(ours(got('/app/api/x?t=push-before'))), ['traceparent', 'tracestate'])
    // After: the same relative URL really goes to /deep/dir/api/x, which the b3 rule matches.
    for (const p of ['/deep/dir/api/x?t=push-after', '/deep/dir/api/x?t=push-after-xhr']) {
      assert.deepEqual(Object.keys(ours(got(p))), ['b3'], p)
    }
    await page.close()
  })

  // ---- cross origin ----

  it('cross-origin requests are not traced without a rule: no header, no preflight', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async (B) => {
      TraceWire.init({ pid: 'shop', tracing: true })
      return [await H.fetch(B + '/allow/none?t=fetch'), await H.xhr('GET', B + '/allow/none?t=xhr'), await H.fetch('/same?t=none-control')]
    }, srv.b)
    assert.deepEqual(r, [200, 200, 200])
    for (const p of ['/allow/none?t=fetch', '/allow/none?t=xhr']) {
      assert.deepEqual(ours(got(p)), {}, p)
      assert.deepEqual(preflights(p), [], `${p}: a simple GET needs no preflight`)
    }
    assert.deepEqual(Object.keys(ours(got('/same?t=none-control'))), ['traceparent', 'tracestate'], 'the page itself is traced')
    await page.close()
  })

  it("a rule for B's origin traces B after a preflight that lists the trace headers, and not B's host on another port", LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async ({ B, C }) => {
      TraceWire.init({ pid: 'shop', tracing: { allowedUrls: [B] } })
      return [await H.fetch(B + '/allow/rule?t=fetch'), await H.xhr('GET', B + '/allow/rule?t=xhr'),
        await H.fetch(C + '/allow/rule?t=other-port'), await H.xhr('GET', C + '/allow/rule?t=other-port-xhr')]
    }, { B: srv.b, C: c.origin })
    assert.deepEqual(r, [200, 200, 200, 200])
    for (const p of ['/allow/rule?t=fetch', '/allow/rule?t=xhr']) {
      const pf = preflights(p)
      assert.equal(pf.length, 1, `${p}: one preflight`)
      assert.equal(pf[0].headers['access-control-request-headers'], 'traceparent,tracestate')
      assert.equal(pf[0].headers.origin, srv.a)
      const h = ours(got(p))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate'], p)
      traceparent(h.traceparent)
      tracestate(h.tracestate, 'shop')
    }
    for (const p of ['/allow/rule?t=other-port', '/allow/rule?t=other-port-xhr']) {
      assert.deepEqual(ours(got(p, c.requests)), {}, `${p}: another port is another origin`)
      assert.deepEqual(preflights(p, c.preflights), [])
    }
    await page.close()
  })

  // ---- propagators ----

  it('each rule sends its own propagators: b3, b3multi, jaeger, sw8, and sw8 alone when listed with others', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async (B) => {
      TraceWire.init({ pid: 'shop', version: '2.4.0', tracing: { allowedUrls: [
        { match: B + '/allow/b3/', propagatorTypes: 'b3' },
        { match: B + '/allow/b3multi/', propagatorTypes: ['b3multi'] },
        { match: /\/allow\/jaeger\//, propagatorTypes: ['jaeger'] },
        { match: (u) => u.includes('/allow/sw8/'), propagatorTypes: 'sw8' },
        { match: B + '/allow/sw8p/', propagatorTypes: ['tracecontext', 'b3', 'sw8', 'jaeger'] },
      ] } })
      const out = []
      for (const p of ['b3', 'b3multi', 'jaeger', 'sw8', 'sw8p']) {
        out.push(await H.fetch(`${B}/allow/${p}/x?t=fetch`), await H.xhr('GET', `${B}/allow/${p}/x?t=xhr`))
      }
      history.pushState(null, '', '/spa/route')
      out.push(await H.fetch(`${B}/allow/sw8/x?t=pushed`))
      return out
    }, srv.b)
    assert.deepEqual(r, Array(11).fill(200))
    const port = new URL(srv.b).port
    const want = { b3: ['b3'], b3multi: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'], jaeger: ['uber-trace-id'], sw8: ['sw8'], sw8p: ['sw8'] }
    for (const [p, names] of Object.entries(want)) {
      for (const t of ['fetch', 'xhr']) {
        const path = `/allow/${p}/x?t=${t}`
        const h = ours(got(path))
        assert.deepEqual(Object.keys(h), names, path)
        assert.equal(preflights(path)[0]?.headers['access-control-request-headers'], names.slice().sort().join(','), `${path}: the preflight asks for exactly these`)
        if (p == 'b3') assert.match(h.b3, /^(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-1$/)
        if (p == 'b3multi') {
          assert.match(h['x-b3-traceid'], HEX32)
          assert.match(h['x-b3-spanid'], /^[0-9a-f]{16}$/)
          assert.equal(h['x-b3-sampled'], '1')
        }
        if (p == 'jaeger') assert.match(h['uber-trace-id'], /^(?!0{32})[0-9a-f]{32}:(?!0{16})[0-9a-f]{16}:0:1$/)
        if (p.startsWith('sw8')) {
          const s = sw8(h.sw8)
          assert.equal(s.sampled, '1')
          assert.match(s.traceId, HEX32)
          assert.match(s.segmentId, HEX32)
          assert.notEqual(s.segmentId, s.traceId)
          assert.equal(s.parent, '0')
          assert.deepEqual([s.service, s.instance, s.endpoint, s.peer], ['shop', '2.4.0', PAGE, `127.0.0.1:${port}`], path)
        }
      }
    }
    assert.equal(sw8(ours(got('/allow/sw8/x?t=pushed')).sw8).endpoint, '/spa/route', 'the endpoint follows location.pathname')
    await page.close()
  })

  it('baggage, when enabled, goes with every propagator and carries the escaped pid and the session', LIMIT, async () => {
    const page = await open()
    await page.evaluate(async (B) => {
      TraceWire.init({ pid: 'shop, web=1', tracing: { baggage: true, allowedUrls: [{ match: B, propagatorTypes: ['b3', 'sw8'] }] } })
      await H.fetch('/bag?t=same')
      await H.fetch(B + '/allow/bag?t=cross')
    }, srv.b)
    const same = ours(got('/bag?t=same'))
    assert.deepEqual(Object.keys(same), ['traceparent', 'tracestate', 'baggage'])
    const sid = tracestate(same.tracestate, 'shop%2C%20web%3D1')
    assert.equal(same.baggage, `rum.pid=shop%2C%20web%3D1,rum.sid=${sid},rum.app=web`)
    const cross = ours(got('/allow/bag?t=cross'))
    assert.deepEqual(Object.keys(cross), ['sw8', 'baggage'], 'sw8 precedence keeps baggage')
    assert.equal(cross.baggage, same.baggage)
    assert.equal(sw8(cross.sw8).service, 'shop, web=1', 'sw8 carries the pid as UTF-8 base64, unescaped')
    assert.equal(preflights('/allow/bag?t=cross')[0].headers['access-control-request-headers'], 'baggage,sw8')
    await page.close()
  })

  it('sample: 0 still sends every header, with the not-sampled flag and the same ids in each', LIMIT, async () => {
    const page = await open()
    await page.evaluate(async () => {
      TraceWire.init({ pid: 'shop', tracing: { sample: 0, propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'] } })
      for (let i = 0; i < 5; i++) await H.fetch(`/unsampled?i=${i}`)
      await H.xhr('GET', '/unsampled?i=xhr')
    })
    for (const i of [0, 1, 2, 3, 4, 'xhr']) {
      const h = ours(got(`/unsampled?i=${i}`))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id'])
      const { traceId, spanId, sampled } = traceparent(h.traceparent)
      assert.equal(sampled, '0')
      assert.equal(h.b3, `${traceId}-${spanId}-0`)
      assert.deepEqual([h['x-b3-traceid'], h['x-b3-spanid'], h['x-b3-sampled']], [traceId, spanId, '0'])
      assert.equal(h['uber-trace-id'], `${traceId}:${spanId}:0:0`)
    }
    await page.close()
  })

  // ---- engine fallback ----

  // The headers of a page that ran init with `pid` and the CSP page's settings, and made the
  // requests at `paths` (same origin) and `cross` (B, sw8): every propagator right, from
  // whichever engine the page could load.
  function fallbackHeaders(pid, page, paths, cross) {
    const sids = new Set()
    for (const p of paths) {
      const h = ours(got(p))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'baggage'], p)
      const { traceId, spanId } = traceparent(h.traceparent)
      const sid = tracestate(h.tracestate, pid)
      sids.add(sid)
      assert.equal(h.b3, `${traceId}-${spanId}-1`)
      assert.deepEqual([h['x-b3-traceid'], h['x-b3-spanid'], h['x-b3-sampled']], [traceId, spanId, '1'])
      assert.equal(h['uber-trace-id'], `${traceId}:${spanId}:0:1`)
      assert.equal(h.baggage, `rum.pid=${pid},rum.sid=${sid},rum.app=web`)
    }
    assert.equal(sids.size, 1)
    const h = ours(got(cross))
    assert.deepEqual(Object.keys(h), ['sw8', 'baggage'])
    const s = sw8(h.sw8)
    assert.deepEqual([s.service, s.instance, s.endpoint, s.peer], [pid, '1.0.0', page, `127.0.0.1:${new URL(srv.b).port}`])
  }

  // SPEC §5: where WebAssembly is refused, the wasm2js twin answers. Chromium and Firefox refuse
  // it under a CSP without 'wasm-unsafe-eval', each in its own words; WebKitGTK applies no CSP
  // to WebAssembly at all (eval is refused on the same page, WebAssembly compiles), so there
  // the page keeps the wasm engine and this test shows the CSP page is traced all the same; the
  // twin is proven in WebKit by the next test, on a page without WebAssembly.
  const CSP_WASM = {
    chromium: /^CompileError: .*Content Security Policy/,
    firefox: /^CompileError: call to WebAssembly\.Module\(\) blocked by CSP$/,
    webkit: /^compiled$/,
  }

  it(engine == 'webkit'
    ? 'a page whose CSP would refuse WebAssembly elsewhere still compiles it here, and gets correct headers'
    : 'a page whose CSP refuses WebAssembly still gets correct headers from the wasm2js engine', LIMIT, async () => {
    const page = await open('/app/csp.html')
    const csp = await page.evaluate(() => window.__wasm)
    assert.match(csp, CSP_WASM[engine], "the control: what this engine's CSP does to WebAssembly on this page")
    assert.equal(await page.evaluate(() => window.__eval), 'EvalError', 'the CSP itself is in force: eval is refused')
    assert.equal(await page.evaluate(() => window.__first), 200)
    await page.evaluate(async (B) => { await H.fetch('/csp/fetch'); await H.xhr('GET', '/csp/xhr'); await H.fetch(B + '/allow/csp?t=cross') }, srv.b)
    fallbackHeaders('csp', '/app/csp.html', ['/app/api/csp?t=first', '/csp/fetch', '/csp/xhr'], '/allow/csp?t=cross')
    // The control's control: the same module compiles on a page without that CSP.
    const plain = await open()
    assert.equal(await plain.evaluate(() => H.wasm()), 'compiled')
    await Promise.all([page.close(), plain.close()])
  })

  it('a page without WebAssembly gets the same headers from the wasm2js engine, from its first request on', LIMIT, async () => {
    const page = await open('/app/nowasm.html')
    assert.equal(await page.evaluate(() => window.__wasm), 'undefined', 'the control: the SDK loaded with no WebAssembly')
    assert.equal(await page.evaluate(() => window.__first), 200)
    await page.evaluate(async (B) => { await H.fetch('/nowasm/fetch'); await H.xhr('GET', '/nowasm/xhr'); await H.fetch(B + '/allow/nowasm?t=cross') }, srv.b)
    fallbackHeaders('nowasm', '/app/nowasm.html', ['/app/api/nowasm?t=first', '/nowasm/fetch', '/nowasm/xhr'], '/allow/nowasm?t=cross')
    await page.close()
  })

  // ---- session ----

  it('the session id lives in sessionStorage: the same across requests and a reload of the tab, another in a new tab', LIMIT, async () => {
    const page = await open()
    const run = (tag) => page.evaluate(async (tag) => {
      TraceWire.init({ pid: 'shop', tracing: { baggage: true } })
      await H.fetch(`/session?t=${tag}-1`)
      await H.xhr('GET', `/session?t=${tag}-2`)
      await H.fetch(`/session?t=${tag}-3`)
      return sessionStorage.getItem('tracewire.sid')
    }, tag)
    const stored1 = await run('load')
    await page.reload()
    const stored2 = await run('reload')
    const other = await open()
    await other.evaluate(async () => { TraceWire.init({ pid: 'shop', tracing: true }); await H.fetch('/session?t=other-tab') })

    const [id] = stored1.split('|')
    assert.match(id, HEX32)
    assert.equal(stored2.split('|')[0], id, 'kept across the reload')
    for (const p of ['load-1', 'load-2', 'load-3', 'reload-1', 'reload-2', 'reload-3']) {
      const h = ours(got(`/session?t=${p}`))
      assert.equal(tracestate(h.tracestate, 'shop'), id, p)
      assert.equal(h.baggage, `rum.pid=shop,rum.sid=${id},rum.app=web`, p)
    }
    assert.notEqual(tracestate(ours(got('/session?t=other-tab')).tracestate, 'shop'), id, 'a new tab is a new session')
    await Promise.all([page.close(), other.close()])
  })

  // ---- stop and init twice ----

  it('stop() restores window.fetch and XHR, and later requests carry nothing', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const X = XMLHttpRequest.prototype, native = [window.fetch, X.open, X.send, X.setRequestHeader]
      const now = () => [window.fetch, X.open, X.send, X.setRequestHeader].map((f, i) => f === native[i])
      const h = TraceWire.init({ pid: 'shop', tracing: true })
      const patched = now()
      await H.fetch('/stop?t=before')
      h.stop()
      const restored = now()
      await H.fetch('/stop?t=after')
      await H.xhr('GET', '/stop?t=after-xhr')
      return { patched, restored }
    })
    assert.deepEqual(r.patched, [false, false, false, false])
    assert.deepEqual(r.restored, [true, true, true, true])
    assert.deepEqual(Object.keys(ours(got('/stop?t=before'))), ['traceparent', 'tracestate'])
    assert.deepEqual(ours(got('/stop?t=after')), {})
    assert.deepEqual(ours(got('/stop?t=after-xhr')), {})
    await page.close()
  })

  it('a second init does not double-inject: one value per header, from the first init, and a warning', LIMIT, async () => {
    const page = await open()
    const r = await page.evaluate(async () => {
      const first = TraceWire.init({ pid: 'one', tracing: true })
      const f = window.fetch
      const second = TraceWire.init({ pid: 'two', tracing: { propagatorTypes: ['tracecontext', 'b3'], baggage: true } })
      const same = window.fetch === f
      await H.fetch('/double?t=fetch')
      await H.xhr('GET', '/double?t=xhr')
      second.stop() // the second handle owns nothing
      await H.fetch('/double?t=after-second-stop')
      first.stop()
      await H.fetch('/double?t=after-first-stop')
      const third = TraceWire.init({ pid: 'three', tracing: true })
      await H.fetch('/double?t=reinit')
      third.stop()
      return same
    })
    assert.equal(r, true, 'the second init patches nothing')
    for (const t of ['fetch', 'xhr', 'after-second-stop']) {
      const h = ours(got(`/double?t=${t}`))
      assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate'], t)
      traceparent(h.traceparent) // one value: "a, b" fails the grammar
      assert.ok(!h.tracestate.includes(','), h.tracestate)
      tracestate(h.tracestate, 'one')
    }
    assert.deepEqual(ours(got('/double?t=after-first-stop')), {})
    tracestate(ours(got('/double?t=reinit')).tracestate, 'three')
    assert.deepEqual(await warnings(page), ['[tracewire] already active on this page: a second patch does nothing'])
    await page.close()
  })

  // ---- the application's own headers ----

  it("headers the app already set win: the app's value arrives alone, with none of ours", LIMIT, async () => {
    const APP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const page = await open()
    await page.evaluate(async (APP) => {
      TraceWire.init({ pid: 'shop', tracing: { propagatorTypes: ['tracecontext', 'b3'], baggage: true } })
      await H.fetch('/app-wins?t=fetch', { headers: { TraceParent: APP } })
      await H.fetch(new Request('/app-wins?t=request', { headers: { traceparent: APP } }))
      await H.xhr('GET', '/app-wins?t=xhr', [['traceparent', APP]])
      await H.fetch('/app-wins?t=baggage', { headers: [['baggage', 'app=1']] })
      await H.fetch('/app-wins?t=control')
    }, APP)
    for (const t of ['fetch', 'request', 'xhr']) assert.deepEqual(ours(got(`/app-wins?t=${t}`)), { traceparent: APP }, t)
    assert.deepEqual(ours(got('/app-wins?t=baggage')), { baggage: 'app=1' })
    assert.deepEqual(Object.keys(ours(got('/app-wins?t=control'))), ['traceparent', 'tracestate', 'b3', 'baggage'], 'without app headers, all of ours')
    await page.close()
  })

  // ---- ids ----

  it("200 requests carry 200 distinct ids, each accepted by OpenTelemetry's W3CTraceContextPropagator", LIMIT, async () => {
    const page = await open()
    const statuses = await page.evaluate(async () => {
      TraceWire.init({ pid: 'shop', tracing: true })
      return Promise.all(Array.from({ length: 200 }, (_, i) => i % 4 == 3 ? H.xhr('GET', `/ids?i=${i}`) : H.fetch(`/ids?i=${i}`)))
    })
    assert.deepEqual(statuses, Array(200).fill(200))
    const otel = new W3CTraceContextPropagator()
    const traces = new Set(), spans = new Set(), sids = new Set()
    for (let i = 0; i < 200; i++) {
      const h = ours(got(`/ids?i=${i}`))
      const tp = traceparent(h.traceparent)
      traces.add(tp.traceId)
      spans.add(tp.spanId)
      sids.add(tracestate(h.tracestate, 'shop'))
      const sc = trace.getSpanContext(otel.extract(ROOT_CONTEXT, h, defaultTextMapGetter))
      assert.ok(sc, `OpenTelemetry extracted ${h.traceparent}`)
      assert.deepEqual([sc.traceId, sc.spanId, sc.traceFlags, sc.isRemote], [tp.traceId, tp.spanId, 1, true])
      assert.equal(sc.traceState.get('rum'), h.tracestate.slice(4))
    }
    assert.equal(traces.size, 200)
    assert.equal(spans.size, 200)
    assert.equal(sids.size, 1)
    await page.close()
  })
})
