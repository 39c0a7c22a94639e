// The raw-ids path (js/engine.js, src/wasm.c TW_RAW_IDS): where the runtime has
// Uint8Array.prototype.toHex (current Chromium, Firefox, Safari and JavaScriptCore), batches
// carry the ids' bytes and the runtime makes their hex. Node 20 has no toHex, so here it is
// given one, written from the proposal's definition (lower-case, two digits a byte); the
// browser tests and the jsc tests run the engines' own.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, random, fixedBatch } from './engines.js'
import { createEngine, wasmExports } from '../js/engine.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'
import { makeTracer } from '../js/tracer.js'

const had = Object.getOwnPropertyDescriptor(Uint8Array.prototype, 'toHex')
let calls = 0
before(() => {
  Object.defineProperty(Uint8Array.prototype, 'toHex', {
    configurable: true,
    writable: true,
    value() {
      calls++
      let s = ''
      for (const b of this) s += (b | 256).toString(16).slice(1)
      return s
    }
  })
})
after(() => {
  if (had) Object.defineProperty(Uint8Array.prototype, 'toHex', had)
  else delete Uint8Array.prototype.toHex
})

const TP = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([01])$/

function tracer(engine, tracing) {
  return makeTracer(engine, { pid: 'shop-web', sessionId: 's1', baseURI: 'https://shop.example.com/', tracing }, random)
}

for (const [name, load] of ENGINES) {
  test(`${name}: at the default rate, raw batches give the same header shapes, every header agreeing with traceId and spanId`, () => {
    const engine = load()
    const t = tracer(engine, { propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'], baggage: true })
    const before = calls
    const seen = new Set()
    for (let i = 0; i < 300; i++) { // past a few batches of 64
      const a = t.headers('/api/items')
      const m = TP.exec(a.headers.traceparent)
      assert.ok(m, a.headers.traceparent)
      assert.equal(m[1], a.traceId)
      assert.equal(m[2], a.spanId)
      assert.equal(m[3], '1')
      assert.notEqual(a.traceId, '0'.repeat(32))
      assert.notEqual(a.spanId, '0'.repeat(16))
      assert.equal(a.sampled, true)
      assert.equal(a.headers.b3, `${a.traceId}-${a.spanId}-1`)
      assert.equal(a.headers['X-B3-TraceId'], a.traceId)
      assert.equal(a.headers['X-B3-SpanId'], a.spanId)
      assert.equal(a.headers['X-B3-Sampled'], '1')
      assert.equal(a.headers['uber-trace-id'], `${a.traceId}:${a.spanId}:0:1`)
      assert.equal(a.headers.tracestate, 'rum=2&web&shop-web&s1')
      assert.equal(a.headers.baggage, 'rum.pid=shop-web,rum.sid=s1,rum.app=web')
      assert.deepEqual(Object.keys(a.headers), ['traceparent', 'tracestate', 'b3', 'X-B3-TraceId', 'X-B3-SpanId', 'X-B3-Sampled', 'uber-trace-id', 'baggage'])
      seen.add(a.traceId).add(a.spanId)
    }
    assert.equal(seen.size, 600, 'every trace and span id distinct')
    assert.equal(calls - before, 5, 'one toHex a batch of 64')
  })

  test(`${name}: at 0 % raw batches say not sampled; at any other rate the records come as text`, () => {
    const engine = load()
    const none = tracer(engine, { sample: 0 }).headers('/x')
    assert.match(none.headers.traceparent, /-00$/)
    assert.equal(none.sampled, false)
    assert.equal(engine._batch(0, 0, 0)._raw, '0')
    assert.equal(engine._batch(0, 100, 0)._raw, '1')
    assert.equal(engine._batch(0, 37.5, 0)._raw, false)
    // sw8 records carry the ids' base64, which only the text records have
    assert.equal(engine._batch(0, 100, 4)._raw, false)
    // the fixed ids of the golden vectors (a test helper: the engine ships without them) come
    // as a text record, and the runtime's toHex is back after
    const toHex = Uint8Array.prototype.toHex
    const fixed = fixedBatch(engine, new Uint8Array(40).fill(7), 100, 0)
    assert.ok(!fixed._raw)
    assert.equal(fixed._text, ` 00-${'07'.repeat(16)}-${'07'.repeat(8)}-01`)
    assert.equal(Uint8Array.prototype.toHex, toHex)
    const half = tracer(engine, { sample: 50 })
    let sampled = 0
    for (let i = 0; i < 400; i++) {
      const a = half.headers('/x')
      assert.match(a.headers.traceparent, TP)
      sampled += a.sampled
    }
    assert.ok(sampled > 120 && sampled < 280, `about half sampled: ${sampled}`)
  })

  test(`${name}: a raw batch holds the ids a text batch of the same generator shows, each 4-byte word in memory order`, () => {
    const seed = (n) => Uint8Array.from({ length: n }, (_, i) => i * 29 + 3)
    const make = () => createEngine(name == 'wasm' ? wasmExports(bytes) : twin(), seed)
    const rawEngine = make(), textEngine = make()
    const raw = rawEngine._batch(0, 100, 0)
    const toHex = Uint8Array.prototype.toHex
    delete Uint8Array.prototype.toHex
    let text
    try { text = textEngine._batch(0, 100, 0) } finally { Uint8Array.prototype.toHex = toHex }
    assert.equal(raw._raw, '1')
    assert.ok(!text._raw)
    const swap = (hex) => hex.replace(/(..)(..)(..)(..)/g, '$4$3$2$1')
    for (let i = 0; i < 64; i++) {
      const r = raw._text.substr(48 * i, 48), tp = text._text.substr(text._length * i + 1, 55)
      assert.equal(`00-${swap(r.slice(0, 32))}-${swap(r.slice(32))}-01`, tp)
    }
  })

  test(`${name}: raw ids are uniformly spread: every hex digit of 6,400 trace ids within 5 % of its share`, () => {
    const engine = load()
    const counts = new Array(16).fill(0)
    for (let i = 0; i < 100; i++) {
      const b = engine._batch(0, 100, 0)
      for (const ch of b._text) counts[parseInt(ch, 16)]++
    }
    const share = (100 * 64 * 48) / 16
    for (const c of counts) assert.ok(Math.abs(c - share) < share * 0.05, `${c} vs ${share}`)
  })
}
