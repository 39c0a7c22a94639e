// The span exporter (js/export.js) with fake platform functions: OTLP JSON shape, batching,
// the timer, the hidden-page beacon, the bounded queue, and a dead endpoint. The browser
// wiring and the real backend are in tests/browser/e2e.test.js.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createExporter, VERSION } from '../js/export.js'
import { createTracer } from '../js/index.js'
import { makeTracer } from '../js/tracer.js'
import { createEngine, wasmExports } from '../js/engine.js'
import { random } from '../js/random.js'
import { setSink } from '../js/log.js'
import bytes from '../wasm/bytes.js'

const LIMIT = { timeout: 10_000 }
const T0 = 1_700_000_000_000.25 // ms since the epoch, with a fraction

// An exporter whose platform is recorded: sent and beaconed bodies, armed timers.
function fake(opts = {}) {
  const sent = [], beacons = [], timers = []
  let clock = T0 + 12.5
  const exp = createExporter({
    endpoint: 'http://127.0.0.1:4318/',
    resource: () => ({ 'service.name': 'rum-browser', 'rum.pid': 'shop', 'session.id': 'sid1' }),
    send: (url, body, keepalive) => { sent.push({ url, body: JSON.parse(body), keepalive }); return opts.send && opts.send() },
    beacon: opts.beacon && ((url, body) => { beacons.push({ url, body: JSON.parse(body) }); return opts.beacon() }),
    now: () => clock,
    setTimer: (f, ms) => { const t = { f, ms, cleared: false }; timers.push(t); return t },
    clearTimer: (t) => { t.cleared = true },
    ...opts.o,
  })
  return { exp, sent, beacons, timers, tick: (ms) => { clock += ms } }
}
const ctx = (n = 1, url = 'https://api.example.com:8443/v1/items?id=7#top') =>
  ({ traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, 'a'), url })
const spansOf = (body) => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
const attr = (list, key) => {
  const a = list.find((x) => x.key == key)
  return a && (a.value.stringValue ?? a.value.intValue)
}
const settle = () => new Promise((r) => setImmediate(r))

test('a finished request becomes one OTLP JSON client span with the ids, name, times and HTTP attributes of the conventions', LIMIT, async () => {
  const f = fake()
  f.exp.end(ctx(1), 'browser.request', 'GET', T0, { status: 200, error: false })
  f.exp.flush()
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
  f.exp.flush()
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

test('a hidden page sends every waiting span with the beacon, and falls back to a keepalive request when the beacon refuses', LIMIT, () => {
  let accept = true
  const f = fake({ beacon: () => accept })
  f.exp.end(ctx(1), 'browser.request', 'GET', T0, { status: 200 })
  f.exp.flush(true)
  assert.equal(f.beacons.length, 1)
  assert.equal(f.beacons[0].url, 'http://127.0.0.1:4318/v1/traces')
  assert.equal(spansOf(f.beacons[0].body).length, 1)
  assert.equal(f.sent.length, 0)
  accept = false
  f.exp.end(ctx(2), 'browser.request', 'GET', T0, { status: 200 })
  f.exp.flush(true)
  assert.equal(f.sent.length, 1)
  assert.equal(f.sent[0].keepalive, 1)
  assert.equal(spansOf(f.sent[0].body)[0].traceId, ctx(2).traceId)
})

test('a dead endpoint holds one request at a time; the queue keeps the newest 500 spans and counts the dropped', LIMIT, async () => {
  const warnings = []
  setSink((m) => warnings.push(m))
  try {
    let fail
    const f = fake({ send: () => new Promise((_, rej) => { fail = rej }) })
    for (let i = 1; i <= 600; i++) f.exp.end(ctx(i), 'browser.request', 'GET', T0, { status: 200 })
    assert.equal(f.sent.length, 1, 'no second request while the first hangs')
    assert.equal(f.exp.dropped(), 600 - 50 - 500)
    assert.equal(warnings.filter((w) => w.includes('dropping')).length, 1, 'one warning, not one per span')
    fail(new TypeError('Failed to fetch'))
    await settle()
    assert.equal(f.sent.length, 2, 'the next batch goes once the first request has failed')
    assert.equal(spansOf(f.sent[1].body)[0].traceId, ctx(101).traceId, 'the oldest were dropped')
  } finally {
    setSink(null)
  }
})

test('a send that throws or rejects never throws into the caller', LIMIT, async () => {
  const f = fake({ send: () => { throw new Error('boom') } })
  assert.doesNotThrow(() => {
    for (let i = 1; i <= 60; i++) f.exp.end(ctx(i), 'browser.request', 'GET', T0, { status: 200 })
    f.exp.flush()
    f.exp.flush(true)
  })
  const g = fake({ send: () => Promise.reject(new Error('down')) })
  g.exp.end(ctx(1), 'browser.request', 'GET', T0, { status: 200 })
  g.exp.flush()
  await settle()
  g.exp.end(ctx(2), 'browser.request', 'GET', T0, { status: 200 })
  g.exp.flush()
  assert.equal(g.sent.length, 2, 'a rejected export does not block the next one')
})

test('the SDK version in the spans is the package version', () => {
  assert.equal(VERSION, JSON.parse(readFileSync(new URL('../package.json', import.meta.url))).version)
})

test('the tracer result carries the absolute URL for the span, and createTracer answers only its four public fields', () => {
  const engine = createEngine(wasmExports(bytes), random)
  const t = makeTracer(engine, { pid: 'p', tracing: true, baseURI: 'https://user:pw@shop.example/app/' }, random)
  const r = t.headers('../api/items?x=1')
  assert.equal(r.url, 'https://shop.example/api/items?x=1', 'resolved against the page, credentials dropped')
  assert.equal(t.headers('/b').url, 'https://shop.example/b')
  const pub = createTracer({ pid: 'p', tracing: true, baseURI: 'https://shop.example/' }).headers('/x')
  assert.deepEqual(Object.keys(pub).sort(), ['headers', 'sampled', 'spanId', 'traceId'])
})
