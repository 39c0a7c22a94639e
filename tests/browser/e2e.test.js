// The end-to-end trace (SPEC §4): the real SDK in Chromium, Firefox and WebKit (browsers.js),
// a backend instrumented with the real OpenTelemetry Node SDK (tests/backend/otel.js) and a
// local OTLP/HTTP receiver (tests/backend/otlp.js) on another origin. For each propagator the
// backend's server span must be the child of tracewire's span, and the receiver must hold that
// span as OTLP JSON, sent when the page is left. Every test runs once per engine, each engine
// with a backend and a receiver of its own.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, launch, CAPTURE } from './browsers.js'
import { bundle, until } from './server.js'
import { startBackend, capturePages } from '../backend/otel.js'
import { startReceiver, plain } from '../backend/otlp.js'
import { VERSION } from '../../js/export.js'
import { mangleProps } from '../../scripts/bundle.mjs'

const LIMIT = { timeout: 30_000 }
const HEX32 = /^(?!0{32})[0-9a-f]{32}$/, HEX16 = /^(?!0{16})[0-9a-f]{16}$/, NANOS = /^[1-9][0-9]{18}$/
const TRACE = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'sw8', 'baggage']
const routes = new Map()

// The backends' pages (the demo's too) load the console capture script first.
capturePages(CAPTURE)

before(async () => {
  // Built as the distribution is (shortened property names, minified): a span field that the
  // build would rename fails here.
  routes.set('/tw.js', { type: 'text/javascript', body: await bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire", { mangleProps, minify: true }) })
  // The page reads its options from its query: ?o=<JSON of init's options>.
  routes.set('/page.html', { type: 'text/html', body: '<!doctype html><script src="/tw.js"></script><script>TraceWire.init(JSON.parse(new URLSearchParams(location.search).get("o")))</script>' })
  routes.set('/favicon.ico', { type: 'image/x-icon', body: '' })
})

// What f answers once it is truthy; a failure naming what was awaited when it never is.
const expect = async (what, f, ms) => (await until(f, ms)) || assert.fail(`timed out waiting for ${what}`)

// What went wrong on a page: uncaught errors, console errors and tracewire's own warnings.
async function problems(page) {
  const logged = (await page.console()).filter((m) => m.type == 'error' || m.text.startsWith('[tracewire]')).map((m) => m.text)
  return [...await page.errors(), ...logged]
}

// What a backend received for one path: the ids its headers carried, whatever the format.
function injected(be, path) {
  const got = be.received.filter((r) => r.path == path)
  assert.equal(got.length, 1, `one request reached the backend at ${path}`)
  const h = got[0].headers
  const [traceId, spanId, flag] =
    h.traceparent ? h.traceparent.split('-').slice(1) :
    h.b3 ? h.b3.split('-') :
    h['x-b3-traceid'] ? [h['x-b3-traceid'], h['x-b3-spanid'], h['x-b3-sampled']] :
    h['uber-trace-id'] ? h['uber-trace-id'].split(':').filter((x, i) => i != 2) : []
  return { traceId, spanId, sampled: flag == '01' || flag == '1', headers: h }
}

// A request of the valid OTLP JSON trace export shape, with every field typed as OTLP JSON says.
function assertOtlp(body) {
  assert.ok(Array.isArray(body.resourceSpans) && body.resourceSpans.length, 'resourceSpans is a non-empty array')
  for (const rs of body.resourceSpans) {
    for (const a of rs.resource.attributes) {
      assert.equal(typeof a.key, 'string')
      assert.equal(Object.keys(a.value).length, 1, `${a.key} has one typed value`)
    }
    for (const ss of rs.scopeSpans) {
      assert.equal(typeof ss.scope.name, 'string')
      for (const s of ss.spans) {
        assert.match(s.traceId, HEX32)
        assert.match(s.spanId, HEX16)
        assert.equal(s.parentSpanId ?? '', '', 'a root span has no parent')
        assert.ok(s.name.length > 0)
        assert.equal(s.kind, 3, 'SPAN_KIND_CLIENT')
        assert.match(s.startTimeUnixNano, NANOS)
        assert.match(s.endTimeUnixNano, NANOS)
        assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano), 'ends after it starts')
        assert.ok([0, 1, 2].includes(s.status.code))
        for (const a of s.attributes) {
          const [[type, v]] = Object.entries(a.value)
          assert.ok(type == 'stringValue' ? typeof v == 'string' : type == 'intValue' && /^-?\d+$/.test(v), `${a.key}: ${type} ${v}`)
        }
      }
    }
  }
}

for (const engine of ENGINES) describe(engine, () => {
  let browser, be, rx
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, be, rx] = await Promise.all([launch(engine), startBackend({ routes }), startReceiver()])
  }, { timeout: 30_000 })

  after(async () => {
    await browser?.close()
    await be?.close()
    await rx?.close()
  })

  // A fresh page with tracewire started with these options.
  async function open(options) {
    const page = await browser.newPage()
    await page.goto(`${be.origin}/page.html?o=${encodeURIComponent(JSON.stringify(options))}`)
    return page
  }

  // The export request that carried a span of this trace.
  const exportOf = (traceId) => rx.requests.find((r) => r.body?.resourceSpans?.some((rs) => rs.scopeSpans.some((ss) => ss.spans.some((s) => s.traceId == traceId))))

  for (const prop of ['tracecontext', 'b3', 'b3multi', 'jaeger']) {
    it(`with ${prop}, the backend's OpenTelemetry server span is the child of the browser span that the receiver holds as OTLP JSON`, LIMIT, async (t) => {
      const page = await open({ pid: `e2e-${prop}`, endpoint: rx.origin, tracing: { propagatorTypes: [prop] } })
      const path = `/api/items?prop=${prop}`
      const t0 = Date.now()
      assert.equal(await page.evaluate((p) => fetch(p).then((r) => r.status), path), 200)
      const t1 = Date.now()
      const ids = injected(be, path)
      assert.match(ids.traceId, HEX32)
      assert.match(ids.spanId, HEX16)
      assert.equal(ids.sampled, true)

      // The backend: one server span, same trace, parent = the injected span id.
      const server = be.spans().filter((s) => s.spanContext().traceId == ids.traceId)
      assert.equal(server.length, 1, 'the backend recorded one span in the browser trace')
      assert.equal(server[0].kind, 1, 'SpanKind.SERVER')
      assert.equal(server[0].parentSpanContext?.spanId, ids.spanId, 'its parent is the span id tracewire injected')
      assert.equal(server[0].parentSpanContext?.isRemote, true)

      // SPEC §4: the export is sent with credentials 'omit'. Cookies do not care for ports, so
      // a cookie of this page goes to the receiver with any credentialed request: the control
      // shows that it would, the export request must not carry it.
      const probe = await page.evaluate((rx) => {
        document.cookie = 'tw_e2e=1; path=/'
        return fetch(rx + '/v1/traces', { method: 'POST', credentials: 'include', body: 'control' }).then((r) => r.status)
      }, rx.origin)
      assert.equal(probe, 400, 'the receiver answered the control')
      assert.equal(rx.requests.findLast((r) => r.raw == 'control')?.headers.cookie, 'tw_e2e=1', 'the control: a credentialed request carries the cookie')

      // Read now: about:blank has no capture script.
      assert.deepEqual(await problems(page), [])
      // Leaving the page hides it: the waiting batch goes out then (a keepalive fetch), not 5 s
      // later by its timer.
      const left = Date.now()
      await page.goto('about:blank')
      const found = await expect('the browser span at the receiver', () => rx.spans().find((x) => x.span.traceId == ids.traceId), 4000)
      const took = Date.now() - left
      t.diagnostic(`${engine}: the span arrived ${took} ms after leaving the page`)
      assert.ok(took < 4000, 'sent on leaving, before the 5-second timer')
      const req = exportOf(ids.traceId)
      assertOtlp(req.body)
      assert.match(req.headers['content-type'], /^application\/json/)
      assert.equal(req.headers.cookie, undefined, 'the export request carries no cookie')
      for (const k of TRACE) assert.equal(req.headers[k], undefined, `the export request carries no ${k}: it is never traced`)
      const { span, resource } = found
      assert.equal(span.spanId, ids.spanId, 'the browser span has the id the backend saw as its parent')
      assert.equal(span.name, `browser.request:GET ${be.origin}/api/items`)
      assert.deepEqual(plain(span.attributes), {
        'http.request.method': 'GET',
        'url.full': be.origin + path,
        'server.address': '127.0.0.1',
        'server.port': +new URL(be.origin).port,
        'http.response.status_code': 200,
      })
      assert.deepEqual(span.status, { code: 0 })
      const start = Number(BigInt(span.startTimeUnixNano) / 1_000_000n), end = Number(BigInt(span.endTimeUnixNano) / 1_000_000n)
      assert.ok(start >= t0 - 50 && end <= t1 + 50, 'the span lies within the fetch call, by the page clock')
      // The server span starts within the browser span (same machine, same clock, 50 ms slack).
      // Not its end: the backend stamps that after the response left, when its loop gets to it.
      const [s0, n0] = server[0].startTime, ss = s0 * 1000 + n0 / 1e6
      assert.ok(ss >= start - 50 && ss <= end + 50, `server start ${ss} within browser ${start}..${end}`)
      assert.equal(resource['service.name'], 'rum-browser')
      assert.equal(resource['rum.pid'], `e2e-${prop}`)
      assert.match(resource['session.id'], HEX32)
      if (prop == 'tracecontext') assert.equal(ids.headers.tracestate, `rum=2&web&e2e-tracecontext&${resource['session.id']}`, 'the session id is the one in tracestate')
      assert.equal(resource['telemetry.sdk.name'], 'tracewire')
      assert.equal(resource['telemetry.sdk.version'], VERSION)
      await page.close()
    })
  }

  it('a 5xx answer and a network error become spans with the error status', LIMIT, async () => {
    const page = await open({ pid: 'e2e-errors', endpoint: rx.origin, tracing: { allowedUrls: ['http://127.0.0.1:1'] } })
    const out = await page.evaluate(() => Promise.all([
      fetch('/api/fail?status=503').then((r) => r.status),
      fetch('http://127.0.0.1:1/nothing').then(() => 'answered', (e) => e.name),
    ]))
    assert.deepEqual(out, [503, 'TypeError'])
    const ids = injected(be, '/api/fail?status=503')
    assert.deepEqual(await problems(page), [])
    await page.goto('about:blank')
    const spans = await expect('two spans of e2e-errors', () => {
      const s = rx.spans().filter((x) => x.resource['rum.pid'] == 'e2e-errors')
      return s.length >= 2 && s
    })
    const bad = spans.find((x) => x.span.traceId == ids.traceId).span
    assert.deepEqual(bad.status, { code: 2 })
    assert.equal(plain(bad.attributes)['http.response.status_code'], 503)
    assert.equal(plain(bad.attributes)['error.type'], '503')
    const net = spans.find((x) => x.span.traceId != ids.traceId).span
    assert.equal(net.name, 'browser.request:GET http://127.0.0.1:1/nothing')
    assert.deepEqual(net.status, { code: 2 })
    assert.equal(plain(net.attributes)['error.type'], 'network')
    await page.close()
  })

  it('unsampled requests carry the not-sampled flag and become no span, at the backend nor at the receiver', LIMIT, async () => {
    const page = await open({ pid: 'e2e-unsampled', endpoint: rx.origin, tracing: { sample: 0 } })
    assert.equal(await page.evaluate(() => fetch('/api/unsampled').then((r) => r.status)), 200)
    const ids = injected(be, '/api/unsampled')
    assert.match(ids.traceId, HEX32)
    assert.equal(ids.sampled, false)
    // A sampled request from a second page after it: once its span has arrived, the first
    // page's export (sent earlier, on leaving, to the same receiver) would have arrived too.
    await page.goto('about:blank')
    const page2 = await open({ pid: 'e2e-unsampled-check', endpoint: rx.origin, tracing: true })
    await page2.evaluate(() => fetch('/api/sampled-check'))
    await page2.goto('about:blank')
    await expect('the second page span', () => rx.spans().some((x) => x.resource['rum.pid'] == 'e2e-unsampled-check'))
    assert.deepEqual(rx.spans().filter((x) => x.resource['rum.pid'] == 'e2e-unsampled'), [])
    assert.deepEqual(be.spans().filter((s) => s.spanContext().traceId == ids.traceId), [])
    await Promise.all([page.close(), page2.close()])
  })

  it('a dead endpoint does not break the page: every request answers and nothing is thrown or logged', LIMIT, async () => {
    const page = await open({ pid: 'e2e-dead', endpoint: 'http://127.0.0.1:1', tracing: true })
    // 120 requests: two full batches try to leave for the dead endpoint while the page works.
    const statuses = await page.evaluate(async () => {
      const out = []
      for (let i = 0; i < 120; i++) out.push(await fetch('/api/dead?i=' + i).then((r) => r.status))
      return out
    })
    assert.deepEqual(new Set(statuses), new Set([200]))
    assert.equal(be.received.filter((r) => r.path.startsWith('/api/dead?')).length, 120)
    // Hidden, then shown again: the page sends what waits to the dead endpoint and lives on.
    await page.reload()
    assert.equal(await page.evaluate(() => fetch('/api/dead?after=1').then((r) => r.status)), 200)
    // The browser's own network log (Chromium's "Failed to load resource") is not the page's
    // console; what the page itself threw or logged is.
    assert.deepEqual(await problems(page), [])
    await page.close()
  })

  // ---- the demo (npm start) ----

  it('the demo page traces a cross-origin b3 request and its trace view draws the backend span beneath the browser span', LIMIT, async () => {
    const { startDemo } = await import('../../demo/server.js')
    const demo = await startDemo({ port: 0 })
    const page = await browser.newPage()
    try {
      await page.goto(demo.url + '?p=b3&sample=100&cross=1')
      assert.equal(await page.evaluate(() => document.querySelector('input[name=cross]').checked), true, 'the settings panel shows the settings')
      await page.evaluate(() => document.getElementById('fetch').click())
      const row = await page.waitFor(() => {
        const tr = document.querySelector('#log tr')
        const code = tr && tr.querySelector('td:nth-child(3) code')
        return code && code.textContent.includes('b3:') && { label: tr.querySelector('td').textContent, headers: code.textContent }
      })
      assert.ok(row.label.startsWith(`fetch GET ${demo.api}/api/items`), `the request went to the cross-origin API (${row.label})`)
      const [, traceId, spanId] = /^b3: ([0-9a-f]{32})-([0-9a-f]{16})-1$/m.exec(row.headers) || []
      assert.ok(traceId, 'the backend received a sampled b3 header')
      assert.deepEqual(await problems(page), [])
      // Following the link leaves the page: its span is sent then. The click runs after this
      // call has returned, so that no driver waits on a page that is going away.
      await page.evaluate(() => { setTimeout(() => document.getElementById('view').click()) })
      const rows = await settle(page, (traceId) => {
        const box = location.pathname == '/traces.html' && document.querySelector(`.trace[data-trace-id="${traceId}"]`)
        if (!box || !box.querySelector('.joined')) return null
        return {
          head: box.querySelector('.head').textContent,
          rows: [...box.querySelectorAll('.span')].map((e) => ({
            service: e.dataset.service, label: e.querySelector('.label').textContent, indent: parseFloat(e.querySelector('.label').style.paddingLeft) || 0,
            width: parseFloat(e.querySelector('.bar').style.width), ms: parseFloat(e.querySelector('.dur').textContent),
          })),
        }
      }, traceId)
      const total = parseFloat(/· ([\d.]+) ms ·/.exec(rows.head)[1])
      const [top, server] = rows.rows
      assert.equal(top.service, 'browser', 'the browser span is on top')
      assert.equal(top.label, `browser.request:GET ${demo.api}/api/items → 200`)
      assert.equal(server.service, 'backend')
      assert.match(server.label, /^GET \/api\/items/)
      assert.ok(server.indent > top.indent, 'the server span is drawn beneath, indented')
      assert.ok(rows.rows.slice(2).some((r) => r.label.startsWith('db.query')), 'the backend work spans are there too')
      for (const r of rows.rows) assert.ok(Math.abs(r.width / 100 * total - r.ms) <= 0.2, `${r.label}: a ${r.width}% bar of ${total} ms is ${r.ms} ms, to scale`)
      assert.deepEqual(await problems(page), [])
      // The browser span in the view is the one the backend saw as its parent.
      const json = await (await fetch(demo.url + 'traces.json')).json()
      const t = json.find((x) => x.traceId == traceId)
      assert.equal(t.spans.find((s) => s.service == 'rum-browser').spanId, spanId)
    } finally {
      await page.close()
      await demo.close()
    }
  })
})

// Polls fn in the page until it returns a truthy value, across a navigation: while the old
// page goes and the new one comes, a call may fail (Chromium and Firefox destroy the context).
async function settle(page, fn, arg, ms = 10_000) {
  const end = Date.now() + ms
  for (let last; ; await new Promise((r) => setTimeout(r, 50))) {
    try {
      const v = await page.evaluate(fn, arg)
      if (v) return v
    } catch (e) { last = e }
    if (Date.now() > end) assert.fail(`${page.engine}: timed out waiting for ${fn}${last ? ` (last error: ${last.message})` : ''}`)
  }
}
