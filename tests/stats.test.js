// Statistics, not only shapes: uniqueness, flat digits and the sampling rate, on both engines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES, fixedBatch } from './engines.js'

// A record (src/tw_w.h): a space, then the traceparent: the trace id at 4..36, the span id at
// 37..53, the sampled flag at 55.

// chi-square with 15 degrees of freedom exceeds 37.70 with probability 0.001
const CHI2_15_P001 = 37.7

function chi2(counts) {
  const total = counts.reduce((a, b) => a + b, 0)
  const e = total / counts.length
  return counts.reduce((a, c) => a + (c - e) ** 2 / e, 0)
}

for (const [name, load] of ENGINES) {
  test(`${name}: 1,000,000 trace ids and span ids have no duplicate and flat hex digits`, () => {
    const engine = load()
    const traces = new Set()
    const spans = new Set()
    const digits = new Array(16).fill(0)
    while (traces.size < 1_000_000) {
      const b = engine._batch(0, 100, 0)
      for (let o = 0; o < b._text.length; o += b._length) {
        const t = b._text.substring(o + 4, o + 36)
        const s = b._text.substring(o + 37, o + 53)
        const before = traces.size
        traces.add(t)
        spans.add(s)
        assert.equal(traces.size, before + 1, `duplicate trace id ${t}`)
        if (traces.size <= 100_000) for (let i = 0; i < 32; i++) digits[parseInt(t[i], 16)]++
      }
    }
    assert.equal(spans.size, traces.size, 'a span id repeated')
    const x = chi2(digits)
    assert.ok(x < CHI2_15_P001, `hex digits not flat: chi2 = ${x.toFixed(1)} over ${digits}`)
  })

  test(`${name}: 30 % sampling samples 30 ± 1 % of 100,000 traces, exactly by the trace id's last 56 bits`, () => {
    const engine = load()
    let sampled = 0, n = 0
    while (n < 100_000) {
      const b = engine._batch(0, 30, 0)
      for (let o = 0; o < b._text.length; o += b._length, n++) {
        const flag = b._text[o + 55] === '1'
        // SPEC §3: sampled iff R >= (1 - 0.3) * 2^56, R the last 14 hex digits.
        const r = BigInt('0x' + b._text.substring(o + 22, o + 36))
        assert.equal(flag, r >= (7n << 56n) / 10n + 1n, `flag ${flag} for R ${r}`)
        if (flag) sampled++
      }
    }
    const rate = (sampled / n) * 100
    assert.ok(Math.abs(rate - 30) <= 1, `observed ${rate.toFixed(2)} %`)
  })

  test(`${name}: at 14 sample rates from 0 to 100 %, R = T is sampled and R = T - 1 is not`, () => {
    // SPEC §3: T = ceil((1 - p/100) * 2^56), exact: p * 2^56 is a whole number for these doubles
    const engine = load()
    const exact = (p) => {
      if (!p) return 1n << 56n
      const v = new DataView(new ArrayBuffer(8))
      v.setFloat64(0, p)
      const bits = v.getBigUint64(0), e = Number(bits >> 52n) - 1075
      const m = (bits & ((1n << 52n) - 1n)) | 1n << 52n
      const p56 = e + 56 >= 0 ? m << BigInt(e + 56) : m >> BigInt(-(e + 56)) // whole: asserted below
      assert.equal(e + 56 >= 0 || (m & ((1n << BigInt(-(e + 56))) - 1n)) == 0n, true, `${p} * 2^56 is whole`)
      const n = (100n << 56n) - p56
      return n / 100n + (n % 100n ? 1n : 0n)
    }
    const record = (r, p) => {
      // trace id bytes 9..15 hold R; the rest need not matter
      const ids = new Uint8Array(40).fill(0x5a)
      for (let i = 15; i >= 9; i--, r >>= 8n) ids[i] = Number(r & 255n)
      return fixedBatch(engine, ids, p, 0)._text
    }
    for (const p of [0, 0.0625, 0.5, 1, 12.5, 30, 33.3, 50, 50.5, 66.6, 99, 99.9, 99.99, 100]) {
      const t = exact(p)
      if (t < 1n << 56n) assert.equal(record(t, p)[55], '1', `R = T at ${p} %`)
      if (t > 0n) assert.equal(record(t - 1n, p)[55], '0', `R = T - 1 at ${p} %`)
    }
  })

  test(`${name}: 0 % samples nothing and 100 % everything`, () => {
    const engine = load()
    for (const [p, want] of [[0, '0'], [100, '1']]) {
      for (let k = 0; k < 50; k++) {
        const b = engine._batch(0, p, 0)
        for (let o = 0; o < b._text.length; o += b._length) assert.equal(b._text[o + 55], want)
      }
    }
  })
}
