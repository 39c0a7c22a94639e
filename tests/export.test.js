// The span exporter (js/export.js) with fake platform functions: OTLP JSON shape, batching,
// the timer, the hidden page (keepalive, the 64 KB quota), the per-request timeout, the bounded
// queue and a dead collector; then the web wiring (js/index.js) on a fake window: what the
// original fetch, or sendBeacon, is given. Real browsers: tests/browser/export.test.js.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createExporter, VERSION } from '../js/export.js'
import { createTracer, init } from '../js/index.js'
import { makeTracer } from '../js/tracer.js'
import { createEngine, wasmExports } from '../js/engine.js'
import { random } from '../js/random.js'
import { setSink } from '../js/log.js'
import bytes from '../wasm/bytes.js'

const LIMIT = { timeout: 10_000 }
const T0 = 1_700_000_000_000.25 // ms since the epoch, with a fraction
const QUOTA = 65536 // the keepalive quota of a page, in body bytes (Fetch: 64 KiB)

// An exporter whose platform is recorded: sent bodies (with keep and signal), armed timers.
// opts.send(record) answers for each request (undefined: at once).
function fake(opts = {}) {
  const sent = [], timers = []
  let clock = T0 + 12.5
  const exp = createExporter({
    endpoint: 'http://127.0.0.1:4318/',
    resource: () => ({ 'service.name': 'rum-browser', 'rum.pid': 'shop', 'session.id': 'sid1' }),
    send: (url, body, keep, signal) => {
      const r = { url, raw: body, body: JSON.parse(body), keep, signal }
      sent.push(r)
      return opts.send && opts.send(r)
    },
    now: () => clock,
    _setTimer: (f, ms) => { const t = { f, ms, cleared: false, fired: false }; timers.push(t); return t },
    _clearTimer: (t) => { t.cleared = true },
  })
  // Fires the live timers of that length, as the platform would once they are due.
  const fire = (ms) => timers.filter((t) => t.ms == ms && !t.cleared && !t.fired).forEach((t) => { t.fired = true; t.f() })
  const live = () => timers.filter((t) => !t.cleared && !t.fired)
  return { exp, sent, timers, fire, live, tick: (ms) => { clock += ms } }
}
const ctx = (n = 1, url = 'https://api.example.com:8443/v1/items?id=7#top') =>
  ({ traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, 'a'), url })
const spansOf = (body) => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
const attr = (list, key) => {
  const a = list.find((x) => x.key == key)
  return a && (a.value.stringValue ?? a.value.intValue)
}
const settle = () => new Promise((r) => setImmediate(r))
const end = (f, from, to, url) => { for (let i = from; i <= to; i++) f.exp.end(ctx(i, url && url(i)), 'browser.request', 'GET', T0, { status: 200 }) }
// Captures tracewire's warnings while fn runs.
async function warnings(fn) {
  const out = []
  setSink((m) => out.push(m))
  try { await fn() } finally { setSink(null) }
  return out
}

test('a finished request becomes one OTLP JSON client span with the ids, name, times and HTTP attributes of the conventions', LIMIT, async () => {
  const f = fake()
  f.exp.end(ctx(1), 'browser.request', 'GET', T0, { status: 200, error: false })
  f.exp._flush()
  assert.equal(f.sent.length, 1)
  assert.equal(f.sent[0].url, 'http://127.0.0.1:4318/v1/traces', 'the trailing slash of the endpoint is not doubled')
  const rs = f.sent[0].body.resourceSpans
  assert.equal(rs.length, 1)
  assert.deepEqual(rs[0].resource.attributes, [
    { key: 'service.name', value: { stringValue: 'rum-browser' } },
    { key: 'rum.pid', value: { stringValue: 'shop' } },
    { key: 'session.id', value: { stringValue: 'sid1' } },
  ])
  assert.deepEqual(rs[0].scopeSpans[0].scope, { name: 'tracewire', version: VERSION })
  const [s] = spansOf(f.sent[0].body)
  assert.equal(s.traceId, '00000000000000000000000000000001')
  assert.equal(s.spanId, 'aaaaaaaaaaaaaaa1')
  assert.equal(s.name, 'browser.request:GET https://api.example.com:8443/v1/items')
  assert.equal(s.kind, 3)
  assert.equal(s.startTimeUnixNano, '1700000000000250000', 'the fraction of a millisecond is kept, to the microsecond')
  assert.equal(s.endTimeUnixNano, '1700000000012750000')
  assert.deepEqual(s.status, { code: 0 })
  assert.deepEqual(s.attributes, [
    { key: 'http.request.method', value: { stringValue: 'GET' } },
    { key: 'url.full', value: { stringValue: 'https://api.example.com:8443/v1/items?id=7#top' } },
    { key: 'server.address', value: { stringValue: 'api.example.com' } },
    { key: 'server.port', value: { intValue: '8443' } },
    { key: 'http.response.status_code', value: { intValue: '200' } },
  ])
})

test('5xx responses and network errors get the error status and error.type; 4xx stays unset', LIMIT, () => {
  const f = fake()
  f.exp.end(ctx(1, 'http://h/a'), 'browser.request', 'POST', T0, { status: 503, error: false })
  f.exp.end(ctx(2, 'https://[::1]/b'), 'browser.request', 'GET', T0, { status: 0, error: true })
  f.exp.end(ctx(3, 'https://h/c'), 'browser.request', 'GET', T0, { status: 404, error: false })
  f.exp._flush()
  const [a, b, c] = spansOf(f.sent[0].body)
  assert.deepEqual(a.status, { code: 2 })
  assert.equal(attr(a.attributes, 'error.type'), '503')
  assert.equal(attr(a.attributes, 'server.port'), '80', 'the default port is written out')
  assert.deepEqual(b.status, { code: 2 })
  assert.equal(attr(b.attributes, 'error.type'), 'network')
  assert.equal(attr(b.attributes, 'http.response.status_code'), undefined, 'no status code without a response')
  assert.equal(attr(b.attributes, 'server.address'), '::1')
  assert.equal(attr(b.attributes, 'server.port'), '443')
  assert.deepEqual(c.status, { code: 0 })
  assert.equal(attr(c.attributes, 'error.type'), undefined)
})

test('spans wait for one timer of 5 seconds, armed once per batch', LIMIT, () => {
  const f = fake()
  f.exp.end(ctx(1), 'browser.request', 'GET', T0, { status: 200 })
  f.exp.end(ctx(2), 'browser.request', 'GET', T0, { status: 200 })
  assert.equal(f.sent.length, 0, 'nothing is sent before the timer fires')
  assert.equal(f.timers.length, 1)
  assert.equal(f.timers[0].ms, 5000)
  f.timers[0].f()
  assert.equal(f.sent.length, 1)
  assert.equal(spansOf(f.sent[0].body).length, 2)
})

test('50 waiting spans are sent at once, without waiting for the timer', LIMIT, () => {
  const f = fake()
  for (let i = 1; i <= 50; i++) f.exp.end(ctx(i), 'browser.request', 'GET', T0, { status: 200 })
  assert.equal(f.sent.length, 1)
  assert.equal(spansOf(f.sent[0].body).length, 50)
  assert.equal(f.timers[0].cleared, true, 'the pending timer is cancelled')
})

test('a hidden page sends every waiting span at once, marked keep, even while a timer-path request hangs', LIMIT, () => {
  const f = fake({ send: (r) => r.keep ? undefined : new Promise(() => {}) })
  end(f, 1, 50)
  assert.equal(f.sent.length, 1)
  assert.equal(f.sent[0].keep, undefined, 'the timer path is a plain request')
  end(f, 51, 53)
  f.exp._flush(true)
  assert.equal(f.sent.length, 2, 'the hanging request does not hold back the batch of a page going away')
  assert.equal(f.sent[1].keep, true)
  assert.equal(f.sent[1].url, 'http://127.0.0.1:4318/v1/traces')
  assert.deepEqual(spansOf(f.sent[1].body).map((s) => s.traceId), [51, 52, 53].map((i) => ctx(i).traceId))
  f.exp._flush(true)
  assert.equal(f.sent.length, 2, 'nothing is left to send twice')
})

test('requests are cut by byte size: spans of 20 KB go three to a body, each body within 64 KB, and what a cut leaves behind follows without waiting for the timer', LIMIT, async () => {
  const f = fake()
  const big = (i) => `https://api.example.com/q?i=${i}&pad=${'x'.repeat(20_000)}`
  end(f, 1, 10, big)
  assert.equal(f.sent.length, 0, 'ten spans wait for the timer')
  f.fire(5000)
  for (let i = 0; i < 10 && f.sent.length < 4; i++) await settle()
  assert.deepEqual(f.sent.map((r) => spansOf(r.body).length), [3, 3, 3, 1], 'the bodies left behind follow one after the other')
  assert.equal(f.live().filter((t) => t.ms == 5000).length, 0, 'without another 5-second wait')
  for (const r of f.sent) assert.ok(Buffer.byteLength(r.raw) <= QUOTA, `${Buffer.byteLength(r.raw)} bytes`)
  assert.ok(Buffer.byteLength(f.sent[0].raw) > QUOTA - 21_000, 'a body is filled before it is cut')
  assert.deepEqual(spansOf(f.sent.at(-1).body).map((s) => s.traceId), [ctx(10).traceId])
})

test('on a hidden page the keepalive bodies in flight stay within the 64 KB quota, counting UTF-8 bytes; the rest goes on the next hide, none twice', LIMIT, async () => {
  // The timer path hangs, so that some 250 spans wait; keepalive requests answer when told.
  const answers = []
  const f = fake({ send: (r) => new Promise((ok) => r.keep && answers.push(ok)) })
  const euro = (i) => `https://api.example.com/s?i=${i}&q=${'€'.repeat(300)}` // 900 bytes in 300 characters
  end(f, 1, 300, euro)
  assert.equal(f.sent.length, 1)
  const waiting = 300 - spansOf(f.sent[0].body).length
  assert.ok(Buffer.byteLength(f.sent[0].raw) <= QUOTA, 'the timer path is cut by bytes too')
  const got = new Set()
  for (let hide = 0; hide < 20 && got.size < waiting; hide++) {
    const before = f.sent.length
    f.exp._flush(true)
    const now = f.sent.slice(before)
    assert.ok(now.length >= 1, 'each hide sends')
    assert.ok(now.every((r) => r.keep === true))
    const inFlight = now.reduce((n, r) => n + Buffer.byteLength(r.raw), 0)
    assert.ok(inFlight <= QUOTA, `${inFlight} bytes in flight at once`)
    for (const r of now) for (const s of spansOf(r.body)) {
      assert.ok(!got.has(s.traceId), 'no span is sent twice')
      got.add(s.traceId)
    }
    answers.splice(0).forEach((ok) => ok())
    await settle()
  }
  assert.equal(got.size, waiting, 'every waiting span left')
  assert.ok(!got.has(ctx(1).traceId), 'the spans of the hanging request are not sent again')
  assert.ok(f.sent.length > 2 + 1, 'the quota needed more than one hide')
  assert.ok(spansOf(f.sent[1].body).length < 50, 'the first keepalive body was cut by bytes, not by count')
})

test('a span that alone passes 64 KB is dropped with one warning; the others are sent', LIMIT, async () => {
  const f = fake()
  const out = await warnings(() => {
    end(f, 1, 1)
    end(f, 2, 4, (i) => 'https://api.example.com/' + 'y'.repeat(70_000) + i)
    end(f, 5, 5)
    f.exp._flush(true)
  })
  assert.deepEqual(out, ['[tracewire] span dropped: over 64 KB'])
  assert.deepEqual(f.sent.flatMap((r) => spansOf(r.body).map((s) => s.traceId)), [ctx(1).traceId, ctx(5).traceId])
})

test('a collector that never answers is aborted after 10 seconds, which frees the one request slot for the next batch', LIMIT, async () => {
  const f = fake({ send: () => new Promise(() => {}) })
  end(f, 1, 50)
  assert.equal(f.sent.length, 1)
  const first = f.sent[0]
  assert.ok(first.signal instanceof AbortSignal, 'the request gets an AbortSignal')
  end(f, 51, 100)
  assert.equal(f.sent.length, 1, 'no second request while the first hangs')
  assert.equal(f.live().filter((t) => t.ms == 10_000).length, 1, 'one timeout, for the one request')
  f.fire(10_000)
  assert.equal(first.signal.aborted, true, 'the hanging request is aborted: its socket is freed')
  assert.equal(f.sent.length, 2, 'the next batch goes at once')
  assert.deepEqual(spansOf(f.sent[1].body).map((s) => s.traceId), Array.from({ length: 50 }, (_, i) => ctx(51 + i).traceId), 'the timed-out batch is not retried')
  assert.equal(f.sent[1].signal.aborted, false)
})

test('without AbortController the timeout still stops waiting, and the next batch goes', LIMIT, () => {
  const AC = globalThis.AbortController
  delete globalThis.AbortController
  try {
    const f = fake({ send: () => new Promise(() => {}) })
    end(f, 1, 60)
    assert.equal(f.sent[0].signal, undefined)
    f.fire(10_000)
    f.fire(5000) // the 10 spans left wait for the 5-second timer
    assert.equal(f.sent.length, 2)
    assert.equal(spansOf(f.sent[1].body).length, 10)
  } finally {
    globalThis.AbortController = AC
  }
})

test('a collector that never answers, over 5,000 spans, holds at most one request and one timeout at a time, and the queue keeps at most the newest 500', LIMIT, async () => {
  const open = new Set()
  let dead = true
  const f = fake({
    send: (r) => {
      if (!dead) return
      open.add(r)
      r.signal.addEventListener('abort', () => open.delete(r))
      return new Promise(() => {})
    }
  })
  let most = 0, ended = 0
  const out = await warnings(() => {
    for (let round = 0; round < 100; round++) {
      end(f, ended + 1, ended + 50, (i) => `https://api.example.com/items/${i}`)
      ended += 50
      most = Math.max(most, open.size, f.live().filter((t) => t.ms == 10_000).length)
      if (round % 3 == 2) f.fire(10_000) // every 30 seconds or so, the hanging request times out
    }
  })
  assert.equal(most, 1, 'never more than one request, and one timeout, in flight')
  assert.equal(f.sent.length, 1 + 33, 'one request per timeout')
  assert.ok(f.live().length <= 2, 'no timers pile up')
  assert.deepEqual(out, ['[tracewire] span dropped: queue full'], 'one warning, not one per span')
  // The collector comes back: after the spans of the last timed-out request, the queue held
  // the newest spans, in order, never more than 500.
  dead = false
  const before = f.sent.length
  f.fire(10_000)
  for (let i = 0; i < 50; i++) { f.fire(5000); await settle() }
  const ids = (list) => list.flatMap((r) => spansOf(r.body).map((s) => parseInt(s.traceId, 16)))
  const drained = ids(f.sent.slice(before)), last = ids([f.sent[before - 1]])
  assert.ok(drained.length > 0 && drained.length <= 500, `${drained.length} spans were waiting`)
  assert.deepEqual([...last, ...drained], Array.from({ length: last.length + drained.length }, (_, i) => ended - last.length - drained.length + 1 + i))
})

test('a dead endpoint holds one request at a time; the queue keeps the newest 500 spans', LIMIT, async () => {
  let fail
  const f = fake({ send: () => new Promise((_, rej) => { fail = rej }) })
  await warnings(async () => {
    end(f, 1, 600)
    assert.equal(f.sent.length, 1, 'no second request while the first hangs')
    fail(new TypeError('Failed to fetch'))
    await settle()
  })
  assert.equal(f.sent.length, 2, 'the next batch goes once the first request has failed')
  assert.equal(spansOf(f.sent[1].body)[0].traceId, ctx(101).traceId, 'the 50 oldest of those waiting were dropped')
})

test('a send that throws or rejects never throws into the caller, and frees its slot', LIMIT, async () => {
  const f = fake({ send: () => { throw new Error('boom') } })
  assert.doesNotThrow(() => {
    end(f, 1, 60)
    f.exp._flush()
    f.exp._flush(true)
  })
  await settle()
  end(f, 61, 61)
  f.exp._flush()
  assert.equal(f.sent.at(-1).body.resourceSpans[0].scopeSpans[0].spans[0].traceId, ctx(61).traceId, 'a throwing send does not block the next one')
  const g = fake({ send: () => Promise.reject(new Error('down')) })
  end(g, 1, 1)
  g.exp._flush()
  await settle()
  end(g, 2, 2)
  g.exp._flush()
  assert.equal(g.sent.length, 2, 'a rejected export does not block the next one')
})

// ---- the web wiring (js/index.js) on a fake window ----

// init() on a fake page in this process: its fetch records what it is given and answers 200;
// Request has the keepalive attribute or not; sendBeacon records. Undone by restore().
function fakePage({ keepalive = true } = {}) {
  const calls = [], beacons = [], win = new EventTarget(), doc = new EventTarget()
  doc.visibilityState = 'visible'
  doc.baseURI = 'https://shop.example/'
  const globals = {
    // A plain function is not the browser's fetch: tracewire then hands it a Request with the
    // headers (SPEC §6, web.js), which Node can only build from an absolute URL (it has no
    // page to resolve against), hence the absolute URLs below.
    fetch: (input, init) => {
      const req = input instanceof Request ? input : null
      calls.push({ url: req ? req.url : '' + input, init, headers: req ? req.headers : init && init.headers })
      return Promise.resolve(new Response('{}'))
    },
    Request: keepalive ? Request : class Request {},
    navigator: { sendBeacon(url, data) { beacons.push({ url, data, self: this }); return true } },
    document: doc,
    location: { pathname: '/' },
    addEventListener: win.addEventListener.bind(win),
    removeEventListener: win.removeEventListener.bind(win),
  }
  const saved = Object.keys(globals).map((k) => [k, Object.getOwnPropertyDescriptor(globalThis, k)])
  for (const k in globals) Object.defineProperty(globalThis, k, { value: globals[k], configurable: true, writable: true })
  let h = init({ pid: 'shop', endpoint: 'http://127.0.0.1:4318', tracing: true })
  return {
    calls, beacons,
    exports: () => calls.filter((c) => c.url == 'http://127.0.0.1:4318/v1/traces'),
    hide() { doc.visibilityState = 'hidden'; doc.dispatchEvent(new Event('visibilitychange')) },
    leave: () => win.dispatchEvent(new Event('pagehide')),
    restore() {
      if (!h) return
      h.stop()
      h = null
      for (const [k, d] of saved) d ? Object.defineProperty(globalThis, k, d) : delete globalThis[k]
    },
  }
}

test('on a hidden page the web exporter posts through the original fetch with keepalive and credentials omit, never sendBeacon', LIMIT, async () => {
  const p = fakePage()
  try {
    assert.equal((await fetch('https://shop.example/api/items')).status, 200)
    await settle()
    assert.ok(p.calls[0].headers.get('traceparent'), 'the app request is traced')
    assert.equal(p.exports().length, 0, 'the span waits for the timer or the hide')
    p.hide()
    const [x] = p.exports()
    assert.ok(x, 'the batch left when the page was hidden')
    const { signal, ...rest } = x.init
    assert.deepEqual(rest, { method: 'POST', body: rest.body, keepalive: true, credentials: 'omit', headers: { 'Content-Type': 'application/json' } })
    assert.ok(signal instanceof AbortSignal && !signal.aborted, 'aborted only if the collector does not answer in time')
    assert.equal(spansOf(JSON.parse(rest.body))[0].name, 'browser.request:GET https://shop.example/api/items')
    assert.equal(p.beacons.length, 0)
  } finally {
    p.restore()
  }
})

test('pagehide sends too; becoming visible again sends nothing', LIMIT, async () => {
  const p = fakePage()
  try {
    await fetch('https://shop.example/api/a')
    await settle()
    document.dispatchEvent(new Event('visibilitychange')) // still visible
    assert.equal(p.exports().length, 0)
    p.leave()
    assert.equal(p.exports().length, 1)
    assert.equal(p.exports()[0].init.keepalive, true)
  } finally {
    p.restore()
  }
})

test('where Request has no keepalive, a hidden page sends the batch with sendBeacon as an application/json Blob, and the timer path still uses fetch', LIMIT, async () => {
  const p = fakePage({ keepalive: false })
  try {
    await fetch('https://shop.example/api/b')
    await settle()
    p.hide()
    assert.equal(p.exports().length, 0)
    assert.equal(p.beacons.length, 1)
    const [b] = p.beacons
    assert.equal(b.url, 'http://127.0.0.1:4318/v1/traces')
    assert.equal(b.self, navigator, 'called on the navigator')
    assert.equal(b.data.type, 'application/json')
    assert.equal(spansOf(JSON.parse(await b.data.text()))[0].name, 'browser.request:GET https://shop.example/api/b')
    await fetch('/api/c')
    await settle()
    p.restore() // stop() sends what waits, by the timer path
    const [x] = p.exports()
    assert.equal(x.init.keepalive, undefined, 'a plain request')
    assert.equal(x.init.credentials, 'omit')
    assert.equal(p.beacons.length, 1)
  } finally {
    p.restore()
  }
})

test('the SDK version in the spans is the package version', () => {
  assert.equal(VERSION, JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).version)
})

test('the tracer result carries the absolute URL for the span, and createTracer answers only its four public fields', () => {
  const engine = createEngine(wasmExports(bytes), random)
  const t = makeTracer(engine, { pid: 'p', tracing: true, baseURI: 'https://user:pw@shop.example/app/' }, random)
  t.headers('../api/items?x=1')
  assert.equal(t._url, 'https://shop.example/api/items?x=1', 'resolved against the page, credentials dropped')
  t.headers('/b')
  assert.equal(t._url, 'https://shop.example/b')
  const pub = createTracer({ pid: 'p', tracing: true, baseURI: 'https://shop.example/' }).headers('/x')
  assert.deepEqual(Object.keys(pub).sort(), ['headers', 'sampled', 'spanId', 'traceId'])
})
