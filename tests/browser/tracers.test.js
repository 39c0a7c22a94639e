// Other tracers on the same page (SPEC §6, last rule), in Chromium, Firefox and WebKit
// (browsers.js): the real OpenTelemetry fetch and XMLHttpRequest instrumentations, Sentry's
// browser tracing and Datadog RUM, each loaded before tracewire and after it, on one page per
// pairing. Every claim is checked on what the servers received: each single-valued trace header
// arrives once, as one value; tracewire's tracestate and baggage entries ride only beside its
// own traceparent; the OTLP receiver gets a tracewire span for exactly the requests that carried
// tracewire's traceparent, with its ids; and the page prints one warning naming the headers.
//
// Who wins is the load order: the tracer loaded last wraps fetch and XHR outermost, so it sees
// the request first. Loaded last, tracewire writes its context and keeps the tracer beneath
// from adding a second value of the headers it wrote; loaded first, it finds the other
// tracer's headers already there and adds nothing.
import { describe, test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import esbuild from 'esbuild'
import { ENGINES, launch } from './browsers.js'
import { startServers, bundle, until } from './server.js'
import { startReceiver, plain } from '../backend/otlp.js'
import { mangleProps } from '../../scripts/bundle.mjs'

// A regression must fail, never hang the suite (node:test has no timeout by default).
const LIMIT = { timeout: 60_000 }
const TP = /^00-((?!0{32})[0-9a-f]{32})-((?!0{16})[0-9a-f]{16})-0[01]$/
const SINGLE = ['traceparent', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'x-b3-parentspanid', 'uber-trace-id', 'sw8']

// Each peer (tests/browser/peers/<name>.js) and the headers the one warning must name: loaded
// before tracewire, those it tried to write a second value of; loaded after, those tracewire
// found already set among the ones it writes (traceparent, tracestate, baggage here).
const PEERS = {
  otel: { label: 'OpenTelemetry', before: ['traceparent'], after: ['traceparent'] },
  // Sentry leaves fetch's traceparent alone when it is there (it reads the Headers); on XHR it
  // only knows the headers set through its own wrapper, so it writes a second one.
  sentry: { label: 'Sentry', before: ['traceparent'], after: ['traceparent', 'baggage'] },
  datadog: { label: 'Datadog RUM', before: ['traceparent', 'tracestate'], after: ['traceparent', 'tracestate', 'baggage'] },
}
const ORDERS = ['before', 'after']

// The requests each page sends, in this order, and what the server must receive of the app's own.
const CASES = [
  { name: 'fetch(url)', path: 'fetch' },
  { name: 'fetch(url, { headers })', path: 'fetch-app', app: 'fetch' },
  { name: 'fetch(new Request(url))', path: 'request' },
  { name: 'fetch(POST Request with headers and body)', path: 'request-app', app: 'request', method: 'POST', body: 'request-body' },
  { name: 'XMLHttpRequest GET', path: 'xhr' },
  { name: 'XMLHttpRequest POST with a header and body', path: 'xhr-app', app: 'xhr', method: 'POST', body: 'xhr-body' },
]

const HELPERS = `window.H = {
  xhr: (method, url, headers = [], body = null) => new Promise((resolve) => {
    const x = new XMLHttpRequest()
    x.open(method, url)
    for (const [k, v] of headers) x.setRequestHeader(k, v)
    x.onloadend = () => resolve(x.status)
    x.send(body)
  }),
  // The functions the page's requests go through now: who wrapped what, in which order.
  wrappers: () => [window.fetch, XMLHttpRequest.prototype.send],
}`

let tw
const peers = {}
before(async () => {
  // tracewire as the distribution builds it (internal names shortened); each peer as an app
  // bundles it, from its real package.
  const peer = async (name) => (await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`./peers/${name}.js`, import.meta.url))],
    bundle: true, format: 'iife', write: false, target: 'es2020', logLevel: 'silent', minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  })).outputFiles[0].text
  ;[tw] = await Promise.all([
    bundle("import TraceWire from './index.js'; window.TraceWire = TraceWire", { mangleProps, minify: true }),
    ...Object.keys(PEERS).map(async (n) => { peers[n] = await peer(n) }),
  ])
}, { timeout: 60_000 })


// A Datadog id (decimal, 64 bits) as 16 hex digits; its traceparent pads the trace id to 32.
const hex16 = (dec) => BigInt(dec).toString(16).padStart(16, '0')

// The traceparent the peer itself produced for a request, from its own evidence: OpenTelemetry's
// client span for that URL (its ids are the ones it injects), Sentry's sentry-trace header,
// Datadog's x-datadog-* headers.
function peerTraceparent(name, rec, otelSpans) {
  const h = rec.headers
  if (name == 'otel') {
    const s = otelSpans.filter((x) => x.url && new URL(x.url).pathname == rec.path)
    assert.equal(s.length, 1, `OpenTelemetry made one span for ${rec.path}`)
    return `00-${s[0].traceId}-${s[0].spanId}-01`
  }
  if (name == 'sentry') {
    const m = /^([0-9a-f]{32})-([0-9a-f]{16})-1$/.exec(h['sentry-trace'])
    assert.ok(m, `Sentry sent its sentry-trace on ${rec.path}: ${h['sentry-trace']}`)
    return `00-${m[1]}-${m[2]}-01`
  }
  assert.match(h['x-datadog-trace-id'] || '', /^\d+$/, `Datadog sent its x-datadog-trace-id on ${rec.path}`)
  return `00-${'0'.repeat(16)}${hex16(h['x-datadog-trace-id'])}-${hex16(h['x-datadog-parent-id'])}-01`
}

for (const engine of ENGINES) describe(engine, () => {
  let browser, srv, rx
  const it = (name, ...rest) => test(`${engine}: ${name}`, ...rest)

  before(async () => {
    ;[browser, srv, rx] = await Promise.all([launch(engine), startServers(), startReceiver()])
    srv.script('/h.js', HELPERS)
    srv.script('/tw.js', tw)
    for (const [n, code] of Object.entries(peers)) srv.script(`/peer-${n}.js`, code)
    for (const n of Object.keys(PEERS)) for (const order of ORDERS) {
      const pid = `${n}-${order}`
      // tracewire traces the page's origin (default rule) and B's /allow/ paths, where no peer
      // propagates: the last request, there, is traced by tracewire alone.
      const startTw = `() => TraceWire.init({ pid: '${pid}', endpoint: '${rx.origin}',
        tracing: { baggage: true, allowedUrls: ['${srv.b}/allow/'] } })`
      const startPeer = `() => Peer.start({ intake: '${srv.b}/intake/${pid}' })`
      const tools = [`<script src="/peer-${n}.js"></script><script>(${startPeer})()`, `<script src="/tw.js"></script><script>(${startTw})()`]
      if (order == 'after') tools.reverse()
      // Each tool loaded in turn, as script tags in this order: Datadog wraps fetch and XHR when
      // its script runs, the others when started. After each, the functions requests go through.
      srv.page(`/${pid}.html`, '<!doctype html><script src="/h.js"></script><script>window.__s = [H.wrappers()]</script>' +
        tools.map((t) => `${t}; __s.push(H.wrappers())</script>`).join('') +
        '<script>window.__wrapped = [1, 2].map((i) => __s[i].every((f, j) => f !== __s[i - 1][j]))</script>')
    }
  }, { timeout: 60_000 })

  after(async () => {
    await browser?.close()
    await Promise.all([srv?.close(), rx?.close()])
  })

  for (const n of Object.keys(PEERS)) for (const order of ORDERS) {
    const pid = `${n}-${order}`
    const winner = order == 'before' ? 'tracewire' : 'peer'
    const { label } = PEERS[n]
    it(`${label} loaded ${order} tracewire: every fetch and XHR carries one traceparent, ` +
      `${order == 'before' ? "tracewire's, with its tracestate, baggage and span" : `${label}'s, with nothing of tracewire's`}; ` +
      'one warning names the headers', LIMIT, async () => {
      const page = await browser.newPage()
      await page.goto(`${srv.a}/${pid}.html`)
      assert.deepEqual(await page.evaluate(() => window.__wrapped), [true, true], 'each wrapped fetch and XHR send in turn')
      // Datadog traces only once its session exists (its cookie is written asynchronously).
      if (n == 'datadog') assert.ok(await page.waitFor(() => window.DD_RUM && DD_RUM.getInternalContext() && DD_RUM.getInternalContext().session_id, null, { timeout: 10_000 }))
      const r = await page.evaluate(async ({ pid, B, cases }) => {
        const p = (c) => `/t/${pid}/${c.path}`
        const statuses = []
        for (const c of cases) {
          const headers = c.app ? { 'x-app': c.app } : undefined
          statuses.push(c.path.startsWith('xhr')
            ? await H.xhr(c.method || 'GET', p(c), headers ? Object.entries(headers) : [], c.body)
            : await (c.path.startsWith('request')
              ? fetch(new Request(p(c), { method: c.method, headers, body: c.body }))
              : fetch(p(c), headers && { headers })).then((res) => res.status))
        }
        statuses.push(await fetch(`${B}/allow/t/${pid}/control`).then((res) => res.status))
        // OpenTelemetry ends a fetch span once the body is read and its resource timing is in.
        for (let i = 0; i < 100 && window.Peer.spans && window.Peer.spans().length < cases.length; i++) await new Promise((r) => setTimeout(r, 50))
        return { statuses, otel: window.Peer.spans ? window.Peer.spans() : [] }
      }, { pid, B: srv.b, cases: CASES })
      assert.deepEqual(r.statuses, Array(CASES.length + 1).fill(200), 'every request answered')
      const warnings = (await page.console()).filter((m) => m.text.startsWith('[tracewire]')).map((m) => m.text)
      assert.deepEqual(await page.errors(), [], 'nothing thrown into the page')

      // Leaving the page sends tracewire's waiting spans at once; the control request's span
      // is the last of them, so once it is in, every span of the page is.
      await page.goto('about:blank')
      const spanOf = (path) => rx.spans().filter((s) => s.resource['rum.pid'] == pid && new URL(plain(s.span.attributes)['url.full']).pathname == path)
      assert.ok(await until(() => spanOf(`/allow/t/${pid}/control`).length, 10_000), 'the control span arrived')
      const spans = rx.spans().filter((s) => s.resource['rum.pid'] == pid)

      const control = srv.requests.find((x) => x.path == `/allow/t/${pid}/control`)
      const tp = TP.exec(control.headers.traceparent)
      assert.ok(tp, `the control request carries tracewire's traceparent alone: ${control.headers.traceparent}`)
      const cs = spanOf(`/allow/t/${pid}/control`)[0].span
      assert.deepEqual([cs.traceId, cs.spanId], [tp[1], tp[2]])
      const ts = /^rum=2&web&([^&]+)&([0-9a-f]{32})$/.exec(control.headers.tracestate)
      assert.ok(ts && ts[1] == pid, control.headers.tracestate)
      const sid = ts[2]
      const TS = `rum=2&web&${pid}&${sid}`, BAGGAGE = `rum.pid=${pid},rum.sid=${sid},rum.app=web`

      const owners = []
      for (const c of CASES) {
        const path = `/t/${pid}/${c.path}`
        const recs = srv.requests.filter((x) => x.path == path)
        assert.equal(recs.length, 1, `one request reached ${path}`)
        const rec = recs[0], h = rec.headers
        // SPEC §6: at most one value of each single-valued trace header, never "a, b".
        for (const k of SINGLE) if (k in h) assert.equal(typeof h[k], 'string', `${c.name}: ${k} arrived once`)
        assert.match(h.traceparent, TP, `${c.name}: one valid traceparent, not two joined (${h.traceparent})`)
        // The app's request is the same, whoever traces it.
        assert.equal(rec.method, c.method || 'GET', c.name)
        assert.equal(rec.body, c.body || '', c.name)
        assert.equal(h['x-app'], c.app, `${c.name}: the app's own header arrived`)

        const ours = spans.filter((s) => new URL(plain(s.span.attributes)['url.full']).pathname == path)
        const theirs = peerTraceparent(n, rec, r.otel)
        const owner = ours.length ? 'tracewire' : h.traceparent == theirs ? 'peer' : 'nobody'
        owners.push(owner)
        if (owner == 'tracewire') {
          assert.equal(ours.length, 1, `${c.name}: one span`)
          const [, traceId, spanId] = TP.exec(h.traceparent)
          assert.deepEqual([ours[0].span.traceId, ours[0].span.spanId], [traceId, spanId], `${c.name}: the span is the traceparent sent`)
          assert.notEqual(h.traceparent, theirs, `${c.name}: the peer made a context of its own, which did not go out`)
          assert.equal(h.tracestate, TS, `${c.name}: tracewire's tracestate, no other tracer's entry beside it`)
          assert.ok(h.baggage.startsWith(BAGGAGE), `${c.name}: tracewire's baggage entries (${h.baggage})`)
        } else {
          assert.equal(h.traceparent, theirs, `${c.name}: the traceparent is the peer's own`)
          assert.ok(!/(^|[\s,])rum=/.test(h.tracestate || ''), `${c.name}: no tracewire tracestate entry beside another's traceparent (${h.tracestate})`)
          assert.ok(!/(^|[\s,])rum\./.test(h.baggage || ''), `${c.name}: no tracewire baggage entry beside another's traceparent (${h.baggage})`)
        }
        // The peer's other headers are its own business: tracewire never removes them.
        if (n == 'sentry') assert.match(h['sentry-trace'], /^[0-9a-f]{32}-[0-9a-f]{16}-1$/, c.name)
        if (n == 'datadog') assert.match(h['x-datadog-trace-id'], /^\d+$/, c.name)
      }
      assert.deepEqual(owners, CASES.map(() => winner), `every request carries the ${winner}'s context`)
      assert.equal(spans.length, owners.filter((o) => o == 'tracewire').length + 1, 'no span for a request tracewire stayed out of')

      assert.equal(warnings.length, 1, `one warning: ${JSON.stringify(warnings)}`)
      const names = /^\[tracewire\] ([\w-]+(?:, [\w-]+)*) /.exec(warnings[0])
      assert.ok(names, warnings[0])
      assert.deepEqual(names[1].split(', ').sort(), [...PEERS[n][order]].sort(), `the warning names the colliding headers: ${warnings[0]}`)
      assert.match(warnings[0], order == 'before' ? /load tracewire first to swap, or turn off that tracer's propagation/i : /load tracewire last to swap, or turn off that tracer's propagation/i, 'and says how to change it')
      await page.close()
    })
  }
})
