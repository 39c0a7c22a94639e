// Mini-program root spans (SPEC §4): a sampled traced request becomes a miniapp.request span,
// exported as OTLP JSON through the platform's own request as it was before patching — never
// traced, never seen by the app — with the app's callbacks and returned task unchanged. The same
// file runs in JavaScriptCore's shell, with and without JIT (tests/jsc.test.js; SPEC §5).
import './fakes/bare.js'
import { test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { fakePlatform, install, PLATFORMS } from './fakes/platforms.js'
import { freshSdk } from './fakes/host.js'
import { setSink } from '../js/log.js'

const API = 'https://api.example.com'
const SINK = 'https://collect.example.com'
const load = freshSdk // a fresh copy of the SDK (tests/fakes/host.js)
const settled = () => new Promise((r) => setTimeout(r, 10))
let undo = []
afterEach(() => {
  undo.splice(0).reverse().forEach((f) => f())
  setSink(null)
})

function setup(name, options) {
  const p = fakePlatform(name, options)
  setSink(() => {})
  undo.push(install({ [name]: p, getCurrentPages: () => [{ route: 'pages/cart/cart' }] }))
  return p
}
const attr = (list, key) => {
  const a = list.find((x) => x.key == key)
  return a && (a.value.stringValue ?? a.value.intValue)
}

for (const name of PLATFORMS) {
  test(`${name}: a sampled request becomes a miniapp.request span sent through the untraced platform request`, async () => {
    const p = setup(name)
    const TraceWire = await load()
    const h = TraceWire.init({ pid: 'shop-mp', endpoint: SINK, tracing: { allowedUrls: [API] } })
    let success = 0
    const promiseStyle = name == 'my' // Alipay answers a Promise when no callback is given
    const task = promiseStyle
      ? p.request.call(p, { url: API + '/v1/items?id=7' })
      : p.request({ url: API + '/v1/items?id=7', success: () => success++ })
    assert.strictEqual(task, p.tasks[0], 'the app gets the platform task itself')
    if (promiseStyle) await task
    await settled()
    if (!promiseStyle) assert.equal(success, 1)
    h.stop() // sends what is queued
    await settled()
    const sent = p.sent
    const traced = sent[0]
    const tp = traced.headers.traceparent
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    const exportReq = sent.find((s) => s.url == SINK + '/v1/traces')
    assert.ok(exportReq, 'the batch went out through the platform request')
    assert.equal(exportReq.method, 'POST')
    assert.ok(!('traceparent' in exportReq.headers), 'the export request is not traced')
    assert.equal(exportReq.options.timeout, 10000, 'a collector that never answers is given up on by the platform after 10 s (SPEC §4)')
    const body = JSON.parse(exportReq.options.data)
    const rs = body.resourceSpans[0]
    assert.equal(attr(rs.resource.attributes, 'service.name'), 'rum-miniapp')
    assert.equal(attr(rs.resource.attributes, 'rum.pid'), 'shop-mp')
    assert.match(attr(rs.resource.attributes, 'session.id'), /^[0-9a-f]{32}$/)
    const span = rs.scopeSpans[0].spans[0]
    assert.equal(span.traceId, tp.slice(3, 35))
    assert.equal(span.spanId, tp.slice(36, 52))
    assert.equal(span.name, `miniapp.request:GET ${API}/v1/items`)
    assert.equal(span.kind, 3)
    assert.equal(attr(span.attributes, 'url.full'), `${API}/v1/items?id=7`)
    assert.equal(attr(span.attributes, 'http.response.status_code'), '200')
    assert.deepEqual(span.status, { code: 0 })
    assert.equal(sent.length, 2, 'the traced request and one export, nothing else')
  })
}

test('wx: a 503 and a failed request get ERROR status; unsampled requests make no span', async () => {
  const p = setup('wx', { status: 503 })
  const TraceWire = await load()
  const h = TraceWire.init({ pid: 'p', endpoint: SINK, tracing: { allowedUrls: [API] } })
  let completes = 0
  p.request({ url: API + '/a', complete: () => completes++ })
  const t = p.request({ url: API + '/b', fail: () => {}, complete: () => completes++ })
  t.abort()
  await settled()
  assert.equal(completes, 2, "the app's complete runs once per request")
  h.stop()
  await settled()
  const spans = JSON.parse(p.sent.find((s) => s.url == SINK + '/v1/traces').options.data).resourceSpans[0].scopeSpans[0].spans
  assert.equal(spans.length, 2)
  const byName = Object.fromEntries(spans.map((s) => [s.name.split(' ')[1], s]))
  assert.equal(byName[API + '/a'].status.code, 2)
  assert.equal(attr(byName[API + '/a'].attributes, 'error.type'), '503')
  assert.equal(byName[API + '/b'].status.code, 2)
  assert.equal(attr(byName[API + '/b'].attributes, 'error.type'), 'network')

  const q = setup('qq')
  const T2 = await load()
  const h2 = T2.init({ pid: 'p', endpoint: SINK, tracing: { sample: 0, allowedUrls: [API] } })
  q.request({ url: API + '/c', success() {} })
  await settled()
  h2.stop()
  await settled()
  assert.match(q.sent[0].headers.traceparent, /-00$/)
  assert.equal(q.sent.length, 1, 'no span, no export request')
})
