// Statistics, not only shapes: uniqueness, flat digits and the sampling rate, on both engines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ENGINES } from './engines.js'

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
        const t = b._text.substring(o + 3, o + 35)
        const s = b._text.substring(o + 36, o + 52)
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
        const flag = b._text[o + 54] === '1'
        // SPEC §3: sampled iff R >= (1 - 0.3) * 2^56, R the last 14 hex digits.
        const r = BigInt('0x' + b._text.substring(o + 21, o + 35))
        assert.equal(flag, r >= (7n << 56n) / 10n + 1n, `flag ${flag} for R ${r}`)
        if (flag) sampled++
      }
    }
    const rate = (sampled / n) * 100
    assert.ok(Math.abs(rate - 30) <= 1, `observed ${rate.toFixed(2)} %`)
  })

  test(`${name}: 0 % samples nothing and 100 % everything`, () => {
    const engine = load()
    for (const [p, want] of [[0, '0'], [100, '1']]) {
      for (let k = 0; k < 50; k++) {
        const b = engine._batch(0, p, 0)
        for (let o = 0; o < b._text.length; o += b._length) assert.equal(b._text[o + 54], want)
      }
    }
  })
}
