// The mini-program SDK (SPEC §1, §5, §7; issue #5) on faithful fakes of each platform
// (tests/fakes/platforms.js), in a process where WebAssembly, TextEncoder, TextDecoder, btoa,
// atob, fetch and crypto were deleted before anything else loaded. Every header set that goes
// out is read back by OpenTelemetry's real propagators. The same file runs in JavaScriptCore's
// shell, with and without JIT (tests/jsc.test.js; SPEC §5).
import { GONE, saved } from './fakes/bare.js'
import { test, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { ROOT_CONTEXT, trace, propagation, defaultTextMapGetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator, W3CBaggagePropagator } from '@opentelemetry/core'
import { B3Propagator, B3InjectEncoding } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { fakePlatform, fakeWXWebAssembly, fakeCrypto, install, PLATFORMS } from './fakes/platforms.js'
import { freshSdk } from './fakes/host.js'
import { setSink } from '../js/log.js'
import { createEngine } from '../js/engine.js'
import { fixedBatch } from './fixed.js'
import twin from '../wasm/tracewire.wasm2js.js'

const WASM_FILE = 'wasm/tracewire.wasm'
const API = 'https://api.example.com'
const TRACING = { allowedUrls: [API] }
// SPEC §7: where each platform's request takes the headers tracewire writes.
const WRITES = { wx: 'header', qq: 'header', tt: 'header', swan: 'header', my: 'headers', dd: 'headers' }

// A fresh copy of the SDK per test (its own engine and entropy state), as a second copy of the
// package would be (tests/fakes/host.js: in Node and in JavaScriptCore alike).
const load = freshSdk

let undo = [], warned = []
afterEach(() => {
  undo.splice(0).reverse().forEach((f) => f())
  setSink(null)
})
// Installs the platform globals a runtime provides, and captures warnings from here on.
function runtime(vars) {
  warned = []
  setSink((m) => warned.push(m))
  undo.push(install({ getCurrentPages: () => [{ route: 'pages/index/index' }, { route: 'pages/cart/cart' }], ...vars }))
}
function platform(name, options) {
  const p = fakePlatform(name, options)
  runtime({ [name]: p })
  return p
}
const settled = () => new Promise((r) => setTimeout(r, 5))

// ---- OpenTelemetry on the other side ----
const otel = {
  tracecontext: new W3CTraceContextPropagator(),
  b3: new B3Propagator(),
  b3multi: new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
  jaeger: new JaegerPropagator()
}
const lower = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
// Reads every format present with its real extractor; all must agree on ids and flag.
function extract(headers) {
  const h = lower(headers)
  const present = { tracecontext: 'traceparent', b3: 'b3', b3multi: 'x-b3-traceid', jaeger: 'uber-trace-id' }
  const got = Object.keys(present).filter((p) => h[present[p]] != null).map((p) => {
    const sc = trace.getSpanContext(otel[p].extract(ROOT_CONTEXT, h, defaultTextMapGetter))
    assert.ok(sc && sc.isRemote, `OpenTelemetry's ${p} propagator reads ${JSON.stringify(headers)}`)
    return sc
  })
  assert.ok(got.length, 'some trace header was sent')
  for (const sc of got) assert.deepEqual([sc.traceId, sc.spanId, sc.traceFlags], [got[0].traceId, got[0].spanId, got[0].traceFlags])
  return got[0]
}
// Base64 of UTF-8, decoded with the runtime's own atob (put aside by bare.js; Node and jsc both
// have one) and escape: jsc has no Buffer, and bare.js removed TextDecoder.
const b64 = (s) => decodeURIComponent(escape(saved.atob(s)))

// ---- the runtime ----

test('the test process has no WebAssembly, TextEncoder, TextDecoder, btoa, atob, fetch or crypto', () => {
  assert.deepEqual(GONE.filter((k) => k in globalThis), [])
  assert.equal(typeof saved.WebAssembly, 'object', 'the control: the runtime had WebAssembly before')
})

// ---- per platform ----

for (const name of PLATFORMS) {
  const c = WRITES[name]

  test(`${name}: init patches ${name}.request; an allowed URL goes out with traceparent and tracestate in \`${c}\`, read back by OpenTelemetry; other URLs go out as the app's own object`, async () => {
    const p = platform(name)
    const orig = p.request
    const TraceWire = await load()
    const handle = TraceWire.init({ pid: 'shop-mini', tracing: TRACING })
    assert.notEqual(p.request, orig, 'patched')

    const options = { url: `${API}/v1/cart`, method: 'POST', data: { sku: 7 } }
    p.request(options)
    const [sent] = p.sent
    assert.notEqual(sent.options, options, 'a copy was sent')
    assert.deepEqual(Object.keys(sent.options), ['url', 'method', 'data', c])
    assert.equal(sent.options.data, options.data, 'the body is the app\'s own object')
    assert.deepEqual(Object.keys(sent.headers), ['traceparent', 'tracestate'])
    const sc = extract(sent.headers)
    assert.equal(sent.headers.traceparent, `00-${sc.traceId}-${sc.spanId}-01`)
    const sid = sent.headers.tracestate.match(/^rum=2&miniapp&shop-mini&([0-9a-f]{32})$/)[1]
    assert.equal(sc.traceState.get('rum'), `2&miniapp&shop-mini&${sid}`)
    assert.match(p.store.get('tracewire.sid'), new RegExp(`^${sid}\\|\\d+$`), 'the session id is in the platform\'s storage')

    const other = { url: 'https://cdn.example.com/a.png' }
    p.request(other)
    assert.equal(p.sent[1].options, other, 'not traced: the very object the app passed')
    p.request({ url: `${API}/v1/cart` })
    assert.notEqual(p.sent[2].headers.traceparent, sent.headers.traceparent, 'a new trace per request')
    assert.equal(p.sent[2].headers.tracestate, sent.headers.tracestate, 'the same session')

    handle.stop()
    assert.equal(p.request, orig, 'stop() restores the original request')
    // This process has no crypto: only WeChat has a platform source (SPEC §5).
    assert.deepEqual(warned, name == 'wx' ? [] : ['[tracewire] no cryptographic random source on this platform: trace ids are seeded from Math.random'])
  })

  test(`${name}: callbacks, the returned task${name == 'my' ? ' and its promise' : ''} behave exactly as without tracewire, and frozen options and headers are never mutated`, async () => {
    // One scenario, run on an untraced platform and on a traced one: the app sees the same.
    async function scenario(p) {
      const seen = []
      const cb = (tag) => function (res) { seen.push([tag, res, this === undefined || this === globalThis ? 'no this' : 'this']) }
      const header = Object.freeze({ 'X-App': '1' })
      const ok = Object.freeze({ url: `${API}/ok`, [c]: header, success: cb('success'), fail: cb('fail'), complete: cb('complete') })
      const task = p.request(ok)
      seen.push(['task is the platform\'s', task === p.tasks.at(-1)])
      if (task.onHeadersReceived) task.onHeadersReceived((r) => seen.push(['headers received', r]))
      if (name == 'my') seen.push(['resolved', await task])
      const bad = { url: `${API}/abort`, [c]: { 'X-App': '2' }, success: cb('success'), fail: cb('fail'), complete: cb('complete') }
      const aborted = p.request(bad)
      aborted.abort()
      if (name == 'my') seen.push(['rejected', await aborted.then(() => 'resolved', (e) => e)])
      await settled()
      seen.push(['options untouched', Object.keys(bad), bad[c]])
      return { seen, wire: p.sent.map((s) => s.headers) }
    }
    const plain = await scenario(fakePlatform(name))
    const p = platform(name)
    ;(await load()).init({ pid: 'shop-mini', tracing: TRACING })
    const traced = await scenario(p)
    assert.deepEqual(traced.seen, plain.seen)
    assert.ok(plain.seen.some((e) => e[0] == 'success') && plain.seen.some((e) => e[0] == 'fail'), 'the control: both paths ran')
    for (const h of traced.wire) {
      assert.ok(h['X-App'], 'the app\'s header is sent')
      extract(h)
    }
  })

  test(`${name}: a trace header the app set, in any case and any header option, wins: nothing is injected`, async () => {
    const p = platform(name)
    ;(await load()).init({ pid: 'shop-mini', tracing: { allowedUrls: [API], propagatorTypes: ['tracecontext', 'b3multi'] } })
    const mine = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    for (const [k, v] of [['TraceParent', mine], ['x-b3-spanid', 'b7ad6b7169203331']]) {
      for (const cc of ['header', 'headers']) {
        const options = { url: `${API}/x`, [cc]: { [k]: v } }
        p.request(options)
        assert.equal(p.sent.at(-1).options, options, `${k} in ${cc}: sent as the app made it`)
      }
    }
    p.request({ url: `${API}/x`, [c]: { accept: 'json' } })
    assert.ok(p.sent.at(-1).headers['X-B3-TraceId'], 'the control: other headers do not stop tracing')
  })
}

// ---- platform specifics ----

test('Alipay: a caller using `header` gets the trace headers there; one using both options gets them in both', async () => {
  const p = platform('my')
  ;(await load()).init({ pid: 'shop-mini', tracing: TRACING })
  p.request({ url: `${API}/a`, header: { a: '1' } })
  assert.deepEqual(Object.keys(p.sent[0].options), ['url', 'header'])
  assert.deepEqual(Object.keys(p.sent[0].options.header), ['a', 'traceparent', 'tracestate'])
  p.request({ url: `${API}/b`, header: { a: '1' }, headers: { b: '2' } })
  const o = p.sent[1].options
  assert.equal(o.header.traceparent, o.headers.traceparent, 'one trace, the same value in both')
  extract(p.sent[1].headers)
})

test('DingTalk writes `headers` even when the caller passed only `header`, which it does not read', async () => {
  const p = platform('dd')
  ;(await load()).init({ pid: 'shop-mini', tracing: TRACING })
  p.request({ url: `${API}/a`, header: { a: '1' } })
  assert.deepEqual(p.sent[0].options.header, { a: '1' })
  extract(p.sent[0].headers)
})

test('each platform global is found on its own, and the platform option picks among several', async () => {
  for (const name of PLATFORMS) {
    const p = platform(name)
    const h = (await load()).init({ pid: 'p', tracing: TRACING })
    p.request({ url: API })
    assert.ok(p.sent[0].headers.traceparent, `${name} found`)
    h.stop()
    undo.splice(0).forEach((f) => f())
  }
  // QQ also answers to wx, DingTalk also has my: the platform's own name wins.
  for (const [own, other] of [['qq', 'wx'], ['dd', 'my']]) {
    const a = fakePlatform(own), b = fakePlatform(other), orig = b.request
    runtime({ [own]: a, [other]: b })
    ;(await load()).init({ pid: 'p', tracing: TRACING })
    assert.equal(b.request, orig, `${other} left alone`)
    a.request({ url: API })
    assert.ok(a.sent[0].headers.traceparent, `${own} traced`)
    undo.splice(0).forEach((f) => f())
  }
})

test('a plugin passes the host\'s object as platform: the host\'s request is traced, the plugin\'s own wx is left alone', async () => {
  const pluginWx = platform('wx')
  const host = fakePlatform('wx')
  const orig = pluginWx.request
  const handle = (await load()).init({ pid: 'p', tracing: TRACING, platform: host })
  host.request({ url: `${API}/x`, header: { a: '1' } })
  assert.deepEqual(Object.keys(host.sent[0].headers), ['a', 'traceparent', 'tracestate'])
  assert.equal(pluginWx.request, orig)
  handle.stop()
  host.request({ url: `${API}/x` })
  assert.equal(host.sent[1].headers.traceparent, undefined)
})

test('a frozen platform object is not patched, one warning says so, and the handle\'s request is a traced drop-in that stop() turns into a pass-through', async () => {
  const p = fakePlatform('wx')
  const orig = p.request
  Object.freeze(p)
  runtime({ wx: p })
  const handle = (await load()).init({ pid: 'p', tracing: TRACING })
  assert.equal(p.request, orig)
  assert.equal(warned.length, 1)
  assert.match(warned[0], /^\[tracewire\] wx\.request cannot be patched .*request\(options\)/)
  let res
  const task = handle.request({ url: `${API}/x`, success: (r) => { res = r } })
  assert.equal(task, p.tasks[0], 'the platform\'s task')
  assert.equal(typeof task.onHeadersReceived, 'function')
  extract(p.sent[0].headers)
  await settled()
  assert.equal(res.statusCode, 200)
  handle.stop()
  const untouched = { url: `${API}/y` }
  handle.request(untouched)
  assert.equal(p.sent[1].options, untouched)
})

test('a second init, from this copy or another copy of the SDK, never double-injects; its stop() leaves the first running', async () => {
  const p = platform('wx')
  const orig = p.request
  const first = (await load()).init({ pid: 'p', tracing: TRACING })
  const second = (await load()).init({ pid: 'p', tracing: TRACING })
  assert.ok(warned.some((m) => /already active on wx/.test(m)))
  second.request({ url: `${API}/x` })
  second.stop()
  p.request({ url: `${API}/x` })
  for (const s of p.sent) {
    assert.deepEqual(Object.keys(s.headers), ['traceparent', 'tracestate'])
    assert.doesNotMatch(s.headers.traceparent, /,/)
  }
  first.stop()
  assert.equal(p.request, orig)
})

test('stop() leaves a wrapper installed after tracewire in place, and tracewire\'s below it sends untraced', async () => {
  const p = platform('tt')
  const orig = p.request
  const handle = (await load()).init({ pid: 'p', tracing: TRACING })
  const ours = p.request
  const theirs = function (o) { return ours.call(this, o) }
  p.request = theirs
  handle.stop()
  assert.equal(p.request, theirs)
  const o = { url: `${API}/x` }
  p.request(o)
  assert.equal(p.sent[0].options, o)
  assert.notEqual(orig, theirs)
})

test('without allowedUrls nothing is traced, and init warns exactly once', async () => {
  const p = platform('wx')
  ;(await load()).init({ pid: 'p', tracing: true })
  for (let i = 0; i < 3; i++) p.request({ url: `${API}/x` })
  assert.deepEqual(warned, ['[tracewire] mini programs have no same-origin rule: without tracing.allowedUrls nothing is traced'])
  assert.ok(p.sent.every((s) => !s.headers.traceparent))
})

test('tracing off, or no platform at all: nothing is patched, nothing throws, the handle still sends', async () => {
  const p = platform('swan')
  const orig = p.request
  const TraceWire = await load()
  const h = TraceWire.init({ pid: 'p', tracing: false })
  assert.equal(p.request, orig)
  h.request({ url: `${API}/x` })
  assert.equal(p.sent.length, 1)
  undo.splice(0).forEach((f) => f())
  runtime({})
  assert.doesNotThrow(() => TraceWire.init({ pid: 'p', tracing: TRACING }).stop())
  assert.match(warned[0], /no mini-program platform object found/)
})

test('every format is read back by OpenTelemetry; baggage says miniapp; sw8 carries the current page route and the target host:port', async () => {
  const p = platform('wx')
  let route = 'pages/index/index'
  undo.push(install({ getCurrentPages: () => [{ route: 'pages/index/index' }, { route }] }))
  ;(await load()).init({
    pid: 'shop mini', version: '2.0.1',
    tracing: { baggage: true, propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'], allowedUrls: [API, { match: 'https://sky.example.com', propagatorTypes: 'sw8' }] }
  })
  p.request({ url: `${API}/x` })
  const h = p.sent[0].headers
  assert.deepEqual(Object.keys(h), ['traceparent', 'tracestate', 'b3', 'X-B3-TraceId', 'X-B3-SpanId', 'X-B3-Sampled', 'uber-trace-id', 'baggage'])
  extract(h)
  const bag = propagation.getBaggage(new W3CBaggagePropagator().extract(ROOT_CONTEXT, h, defaultTextMapGetter))
  assert.deepEqual([bag.getEntry('rum.pid').value, bag.getEntry('rum.app').value], ['shop mini', 'miniapp'])
  assert.match(bag.getEntry('rum.sid').value, /^[0-9a-f]{32}$/)

  for (const r of ['pages/cart/cart', 'pages/pay/pay']) {
    route = r
    p.request({ url: 'https://sky.example.com/order' })
    const sw8 = p.sent.at(-1).headers.sw8.split('-')
    assert.deepEqual(Object.keys(p.sent.at(-1).headers), ['sw8', 'baggage'], 'sw8 comes alone (plus baggage)')
    assert.equal(sw8.length, 8)
    assert.equal(sw8[0], '1')
    assert.match(b64(sw8[1]), /^[0-9a-f]{32}$/)
    assert.deepEqual(sw8.slice(3).map((f, i) => i ? b64(f) : f), ['0', 'shop mini', '2.0.1', r, 'sky.example.com:443'])
  }
})

test('the session id is kept in the platform\'s storage: another copy of the SDK, or a restart, continues it (Alipay-style { key } storage too)', async () => {
  for (const name of ['wx', 'my']) {
    const p = platform(name)
    ;(await load()).init({ pid: 'p', tracing: TRACING }).stop()
    const h = (await load()).init({ pid: 'p', tracing: TRACING })
    p.request({ url: API })
    h.stop()
    ;(await load()).init({ pid: 'p', tracing: TRACING })
    p.request({ url: API })
    const [a, b] = p.sent.map((s) => s.headers.tracestate)
    assert.equal(a, b, `${name}: same session`)
    assert.ok(p.store.get('tracewire.sid').startsWith(a.slice(-32)))
    undo.splice(0).forEach((f) => f())
  }
})

// ---- entropy (SPEC §5) ----

test('WeChat: init asks wx.getRandomValues at once, and its bytes seed the very next request\'s ids when it answers', async () => {
  // Math.random fixed, so that before the answer (this process has no crypto) every copy of the
  // SDK starts from the same state, and only the platform's bytes can tell them apart after it.
  const random = Math.random
  Math.random = () => 0.5
  undo.push(() => { Math.random = random })
  const run = async (fill) => {
    const p = platform('wx')
    ;(await load()).init({ pid: 'p', tracing: TRACING })
    assert.equal(p.randomCalls.length, 1, 'asked once, at init')
    assert.ok(p.randomCalls[0].length >= 32)
    p.request({ url: API }) // before the answer
    p.answerRandom((n) => Uint8Array.from({ length: n }, (_, k) => k * 7 + fill))
    p.request({ url: API }) // the first request after it
    undo.pop()()
    assert.deepEqual(warned, [], 'no weak-source warning: the platform has a source')
    return p.sent.map((s) => s.headers.traceparent)
  }
  const [a, b, c] = [await run(1), await run(1), await run(2)]
  assert.equal(a[0], c[0], 'before the answer, copies share the interim source')
  assert.equal(a[1], b[1], 'the same platform bytes, the same ids')
  assert.notEqual(a[1], c[1], 'other platform bytes, other ids: they come from the platform')
})

test('without a platform random API: crypto.getRandomValues where the runtime has it, else Math.random with one warning', async () => {
  platform('my')
  ;(await load()).init({ pid: 'p', tracing: TRACING })
  assert.deepEqual(warned.filter((m) => /Math\.random/.test(m)).length, 1)
  undo.splice(0).forEach((f) => f())
  const p = platform('my')
  const crypto = fakeCrypto()
  undo.push(install({ crypto }))
  ;(await load()).init({ pid: 'p', tracing: TRACING })
  p.request({ url: API })
  assert.ok(crypto.calls >= 1)
  assert.deepEqual(warned, [])
})

// ---- engine (SPEC §5) ----

test('WeChat: the twin traces at once, WXWebAssembly.instantiate loads the packaged .wasm by path, and requests then run on it', async () => {
  const W = fakeWXWebAssembly({ '/miniprogram_npm/tracewire/tracewire.wasm': WASM_FILE })
  let open
  W.gate = new Promise((r) => { open = r })
  const p = platform('wx')
  undo.push(install({ WXWebAssembly: W }))
  const TraceWire = await load()
  TraceWire.init({ pid: 'p', tracing: TRACING })
  assert.deepEqual(W.calls, ['/miniprogram_npm/tracewire/tracewire.wasm'])
  p.request({ url: API })
  extract(p.sent[0].headers)
  open()
  await W.last // compiling takes as long as the machine's load makes it
  await settled()
  assert.equal(W.batches, 0, 'nothing ran on the module yet')
  p.request({ url: API })
  assert.equal(W.batches, 1, 'the first request after the switch runs on the module')
  const [a, b] = p.sent.map((s) => s.headers)
  extract(b)
  assert.equal(a.tracestate, b.tracestate)
  assert.notEqual(a.traceparent, b.traceparent)
  ;(await load()).init({ pid: 'p', tracing: TRACING, platform: fakePlatform('wx') })
  assert.equal(W.calls.length, 2, 'once per copy of the SDK')
  assert.deepEqual(warned.filter((m) => /WXWebAssembly/.test(m)), [])
})

test('WeChat: wasm: false never loads the module; a wrong path warns once and the twin keeps tracing', async () => {
  const W = fakeWXWebAssembly({})
  const p = platform('wx')
  undo.push(install({ WXWebAssembly: W }))
  ;(await load()).init({ pid: 'p', tracing: TRACING, wasm: false })
  assert.deepEqual(W.calls, [])
  undo.splice(0).forEach((f) => f())
  const q = platform('wx')
  undo.push(install({ WXWebAssembly: W }))
  ;(await load()).init({ pid: 'p', tracing: TRACING, wasm: '/lib/tw.wasm' })
  await settled()
  assert.deepEqual(W.calls, ['/lib/tw.wasm'])
  assert.equal(warned.filter((m) => /\/lib\/tw\.wasm did not load through WXWebAssembly/.test(m)).length, 1)
  q.request({ url: API })
  extract(q.sent[0].headers)
  assert.equal(p.sent.length, 0)
})

test('switching the engine from the twin to the WXWebAssembly module keeps every record and context value byte for byte', async () => {
  const W = fakeWXWebAssembly({ '/t.wasm': WASM_FILE })
  const wasm = (await W.instantiate('/t.wasm')).exports
  const seed = (n) => new Uint8Array(n).fill(3)
  let exports = twin()
  const e = createEngine(exports, seed)
  const out = () => {
    const ids = Uint8Array.from({ length: 40 }, (_, i) => i * 37 + 1)
    return [fixedBatch(e, ids, 100, 0, exports)._text, fixedBatch(e, ids, 0, 4, exports)._text, e._batch(4, 50, 4)._text,
      e._ctx(0, 1, 'pid,=&%', 'sid'), e._ctx(1, 1, 'p é', 's'), e._ctx(2, 1, 'pid', '1.0', 'pages/商品/index')]
  }
  const before = out()
  e._use(exports = wasm)
  const batches = W.batches
  assert.deepEqual(out(), before)
  assert.equal(W.batches - batches, 5, 'the control: the module answered (two fixed, each after a batch of its parts, and a batch)')
})


test('when reading the app\'s options throws inside tracewire, the request is still made with the very same object and one warning is printed', async () => {
  const p = platform('wx')
  ;(await load()).init({ pid: 'p', tracing: TRACING })
  let reads = 0
  // Throws on tracewire's read (the first), with an error that cannot even be printed.
  const odd = { url: `${API}/x`, get header() { if (!reads++) throw { toString() { throw new Error('no') } }; return { a: '1' } } }
  assert.doesNotThrow(() => p.request(odd))
  assert.equal(p.sent[0].options, odd)
  assert.deepEqual(warned, ['[tracewire] wx.request tracing failed, request sent untouched'])
})
