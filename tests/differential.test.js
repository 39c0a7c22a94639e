// Differential fuzzing: the wasm module and its wasm2js twin must give the same answer to
// the same random input, for every export (SPEC §5: identical output).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, random, fixedBatch } from './engines.js'
import { createEngine, wasmExports } from '../js/engine.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'

const ALPHABET = 'aZ09-._~:/?#[]@!$&\'()*+,;=% \\\t\n\u0000é商\ud800😀'
const pieces = ['http://', 'https://', '//', '../', './', '/', '?', '#', ':8080', '[::1]', 'user:pw@', '%2e', 'data:', 'HTTP://A.B']
function randomText(max) {
  const b = random(2 + (random(1)[0] % max))
  let s = ''
  for (let i = 1; i < b.length; i++) s += b[i] < 40 ? pieces[b[i] % pieces.length] : ALPHABET[b[i] % ALPHABET.length]
  return s
}

test('wasm and wasm2js agree on 20,000 random resolutions, rule matches, peers and context values', () => {
  const [a, b] = ENGINES.map(([, load]) => load())
  for (let i = 0; i < 20000; i++) {
    const base = a._norm(randomText(40), '')
    assert.equal(b._norm(base, ''), base)
    const ref = randomText(60)
    const rules = [randomText(20), base.slice(0, 12), ref.slice(0, 10)].map((r) => a._norm(r, base)).filter(Boolean)
    const sa = a._rules(base, rules), sb = b._rules(base, rules)
    const ka = a._req(sa, ref), kb = b._req(sb, ref)
    assert.equal(ka, kb, `match of ${JSON.stringify(ref)} against ${JSON.stringify(rules)}`)
    // read back without a guess, and with the guesses the tracer makes (the URL as given, the
    // base's origin and the URL), which are compared instead of read where they agree
    const abs = a._abs('')
    assert.equal(b._abs(''), abs)
    for (const guess of [ref, base.slice(0, base.indexOf('/', 8)) + ref, abs]) {
      assert.equal(a._abs(guess), abs)
      assert.equal(b._abs(guess), abs)
    }
    if (ka != -2) assert.equal(a._peer(abs), b._peer(abs))
    const kind = i % 3, app = i & 1, p = randomText(30), s = randomText(30), c = randomText(30)
    assert.equal(a._ctx(kind, app, p, s, c), b._ctx(kind, app, p, s, c), `ctx ${kind}`)
  }
})

test('wasm and wasm2js seeded alike give the same id stream and sampled flags at 500 random sample rates', () => {
  const seed = random(32)
  const a = createEngine(wasmExports(bytes), () => seed.slice())
  const b = createEngine(twin(), () => seed.slice())
  for (let i = 0; i < 500; i++) {
    const p = i % 5 == 0 ? random(1)[0] % 101 : (random(1)[0] * 256 + random(1)[0]) / 655.36
    const parts = i & 4
    const ra = a._batch(0, p, parts), rb = b._batch(0, p, parts)
    assert.equal(ra._text, rb._text, `batch at ${p} %`)
  }
})

test('wasm and wasm2js format the same record from the same 10,000 random ids', () => {
  const [a, b] = ENGINES.map(([, load]) => load())
  for (let i = 0; i < 10000; i++) {
    const ids = random(40)
    const parts = i & 7
    const sampled = (i & 8) !== 0
    assert.equal(fixedBatch(a, ids, sampled ? 100 : 0, parts)._text, fixedBatch(b, ids, sampled ? 100 : 0, parts)._text)
  }
})
