// The JS side of the engine (js/engine.js) on both forms: switching module at run time, the
// rule-set arena starting over, UTF-8 input, and limits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, random } from './engines.js'
import { createEngine, wasmExports } from '../js/engine.js'
import { makeTracer } from '../js/tracer.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'

const TP = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/

test('a tracer keeps working, with the same header shapes, when an asynchronous loader swaps the twin for the wasm module', () => {
  const engine = createEngine(twin(), random)
  const t = makeTracer(engine, { pid: 'p', baseURI: 'https://a.example/', tracing: { propagatorTypes: 'sw8', allowedUrls: ['https://api.example:8443'] } }, random)
  const before = t.headers('https://api.example:8443/v1')
  engine._use(wasmExports(bytes))
  const after = t.headers('https://api.example:8443/v2')
  for (const r of [before, after]) {
    assert.match(r.headers.sw8, /^1-[A-Za-z0-9+/=]{44}-[A-Za-z0-9+/=]{44}-0-cA==-MS4wLjA=-Lw==-YXBpLmV4YW1wbGU6ODQ0Mw==$/)
  }
  assert.notEqual(before.traceId, after.traceId)
  // the default same-origin rule uses the top-level propagators, sw8 here; peer a.example:443
  assert.match(t.headers('https://a.example/x').headers.sw8, /-YS5leGFtcGxlOjQ0Mw==$/)
  assert.equal(t.headers('https://b.example/x'), null)
})

for (const [name, load] of ENGINES) {
  test(`${name}: 500 tracers with long rules overflow the arena and all keep matching`, () => {
    const engine = load()
    const tracers = []
    for (let i = 0; i < 500; i++) {
      tracers.push(makeTracer(engine, {
        pid: 'p', tracing: { allowedUrls: [`https://api${i}.example/${'x'.repeat(100)}`] }
      }, random))
    }
    for (let round = 0; round < 2; round++) {
      tracers.forEach((t, i) => {
        assert.match(t.headers(`https://api${i}.example/${'x'.repeat(100)}/y`).headers.traceparent, TP)
        assert.equal(t.headers(`https://api${i + 1}.example/${'x'.repeat(100)}/y`), null)
      })
    }
  })

  test(`${name}: non-ASCII and lone surrogates in URLs are encoded as UTF-8, U+FFFD for lone halves`, () => {
    const engine = load()
    assert.equal(engine._norm('/商品?q=é#😀', 'https://a.example/'), 'https://a.example/%E5%95%86%E5%93%81?q=%C3%A9#%F0%9F%98%80')
    assert.equal(engine._norm('/\ud800x', 'https://a.example/'), 'https://a.example/%EF%BF%BDx')
    assert.equal(engine._norm('/x\udc00', 'https://a.example/'), 'https://a.example/x%EF%BF%BD')
    assert.equal(engine._norm('/\ude00\ud83d\ude00\ud800', 'https://a.example/'), 'https://a.example/%EF%BF%BD%F0%9F%98%80%EF%BF%BD')
  })

  test(`${name}: the absolute URL is the tracer's guess where that agrees byte for byte, else what the engine wrote`, () => {
    const engine = load()
    const set = engine._rules('https://a.example/p/', [])
    assert.equal(engine._req(set, '/x?y=1'), -1)
    const abs = 'https://a.example/x?y=1'
    for (const guess of ['', abs, 'https://a.example/x?y=2', 'https://a.example/x?y', abs + '#', '/x?y=1', 'https://a.example/x?y=\u0131']) {
      assert.equal(engine._abs(guess), abs, JSON.stringify(guess))
    }
    // through a tracer: paths that the engine normalises or escapes are read back
    const tracer = makeTracer(engine, { pid: 'p', baseURI: 'https://a.example/p/q', tracing: true }, random)
    for (const [url, want] of [
      ['/plain?a=1', 'https://a.example/plain?a=1'],
      ['/a/../b?q=x y', 'https://a.example/b?q=x%20y'],
      ['/é', 'https://a.example/%C3%A9'],
      ['\\x', 'https://a.example/x'],
      ['r', 'https://a.example/p/r'],
      ['https://a.example:443/z', 'https://a.example/z'],
      ['https://A.example/z', 'https://a.example/z']
    ]) {
      assert.ok(tracer.headers(url), url)
      assert.equal(tracer._url, want, url)
    }
  })

  test(`${name}: the sw8 peer is the target's host and port, the scheme's default port written out, in base64`, () => {
    const engine = load()
    for (const [url, peer] of [
      ['https://api.example.com/v1?x', 'api.example.com:443'],
      ['http://api.example.com/', 'api.example.com:80'],
      ['https://API.example.com:8443/x', 'api.example.com:8443'],
      ['https://api.example.com:443/x', 'api.example.com:443'],
      ['http://[::1]:8081/x', '[::1]:8081'],
      ['https://[::1]/x', '[::1]:443'],
      ['http://user:pw@a.example:80/x', 'a.example:80']
    ]) {
      assert.equal(Buffer.from(engine._peer(engine._norm(url, '')), 'base64').toString(), peer, url)
    }
  })

  test(`${name}: tracestate past 256 characters and baggage past 8192 bytes are left out`, () => {
    const engine = load()
    // tracestate "rum=2&web&{pid}&s": its value (after "rum=") is pid + 8 characters, escapes counted
    assert.equal(engine._ctx(0, 0, 'p'.repeat(248), 's').length, 260)
    assert.equal(engine._ctx(0, 0, 'p'.repeat(249), 's'), '')
    assert.equal(engine._ctx(0, 0, ','.repeat(82) + 'pp', 's').length, 260)
    assert.equal(engine._ctx(0, 0, ','.repeat(82) + 'ppp', 's'), '')
    // baggage "rum.pid={pid},rum.sid=s,rum.app=web": pid + 30 bytes
    assert.equal(engine._ctx(1, 0, 'p'.repeat(8162), 's').length, 8192)
    assert.equal(engine._ctx(1, 0, 'p'.repeat(8163), 's'), '')
    assert.equal(engine._ctx(2, 0, 'p', '1.0.0', '/'), 'cA==-MS4wLjA=-Lw==-')
  })

  test(`${name}: a URL longer than the input region is not traced, and the next one is`, () => {
    const engine = load()
    const t = makeTracer(engine, { pid: 'p', baseURI: 'https://a.example/', tracing: true }, random)
    assert.equal(t.headers('/' + 'x'.repeat(100_000)), null)
    assert.match(t.headers('/ok').headers.traceparent, TP)
  })

  test(`${name}: a random source that answers only zero bytes still gives non-zero, distinct ids`, () => {
    const engine = createEngine(name == 'wasm' ? wasmExports(bytes) : twin(), (n) => new Uint8Array(n))
    const b = engine._batch(0, 100, 0)
    const ids = new Set()
    for (let o = 0; o < b._text.length; o += b._length) ids.add(b._text.substring(o + 4, o + 36))
    assert.equal(ids.size, b._text.length / b._length)
    assert.ok(!ids.has('0'.repeat(32)))
  })

  test(`${name}: a random source that answers null (none) still gives non-zero, distinct ids`, () => {
    const engine = createEngine(name == 'wasm' ? wasmExports(bytes) : twin(), () => null)
    const b = engine._batch(0, 100, 0)
    const ids = new Set()
    for (let o = 0; o < b._text.length; o += b._length) ids.add(b._text.substring(o + 4, o + 36))
    assert.equal(ids.size, b._text.length / b._length)
    assert.ok(!ids.has('0'.repeat(32)))
  })

  test(`${name}: a source that answers the same bytes at every reseed never sets the ids back`, () => {
    const same = Uint8Array.from({ length: 64 }, (_, i) => i * 37 + 11)
    const engine = createEngine(name == 'wasm' ? wasmExports(bytes) : twin(), (n) => same.slice(0, n))
    const seen = new Set()
    let n = 0
    for (let i = 0; i < 2100; i++) { // past two reseeds, at batches 1024 and 2048
      const b = engine._batch(0, 100, 0)
      for (let o = 0; o < b._text.length; o += b._length, n++) seen.add(b._text.substring(o + 4, o + 36))
    }
    assert.equal(seen.size, n)
  })

  test(`${name}: every sw8 record's base64 fields are the base64 of its trace id's hex and of a 32-digit segment id (the table's 4,096 entries all read)`, () => {
    const engine = load()
    for (let k = 0; k < 100; k++) {
      const b = engine._batch(0, 100, 4)
      for (let o = 0; o < b._text.length; o += b._length) {
        const trace = b._text.substring(o + 4, o + 36), ids = b._text.substring(o + 56, o + 144)
        assert.equal(Buffer.from(ids.slice(0, 44), 'base64').toString('latin1'), trace)
        assert.match(Buffer.from(ids.slice(44), 'base64').toString('latin1'), /^[0-9a-f]{32}$/)
        assert.equal(Buffer.from(ids.slice(0, 44), 'base64').toString('base64'), ids.slice(0, 44))
        assert.equal(Buffer.from(ids.slice(44), 'base64').toString('base64'), ids.slice(44))
      }
    }
  })

  test(`${name}: reseeding from the host keeps ids flowing and distinct`, () => {
    const engine = load()
    const seen = new Set()
    for (let i = 0; i < 1100; i++) { // past the reseed period of 1024 batches
      const b = engine._batch(0, 100, 0)
      seen.add(b._text.substring(4, 36))
    }
    assert.equal(seen.size, 1100)
  })
}
