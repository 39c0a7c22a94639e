// Replays every golden case of shared/vectors/headers.json (SPEC §3) through the tracer on
// both engines, byte for byte.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ENGINES, random, fixedBatch } from './engines.js'
import { makeTracer } from '../js/tracer.js'

const shared = process.env.TRACEWIRE_SHARED || fileURLToPath(new URL('../../shared', import.meta.url))
const { cases } = JSON.parse(readFileSync(`${shared}/vectors/headers.json`, 'utf8'))
const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16))

for (const [name, load] of ENGINES) {
  const engine = load()
  for (const c of cases) {
    test(`${name}: ${c.name}`, () => {
      const i = c.input
      const ids = new Uint8Array([...hex(i.traceId), ...hex(i.spanId), ...hex(i.segmentId)])
      let tracer
      const source = () => fixedBatch(engine, ids, i.sampled ? 100 : 0, tracer._parts)
      tracer = makeTracer(engine, {
        pid: i.pid,
        version: i.version,
        sessionId: i.sessionId,
        page: i.page,
        appType: i.appType,
        tracing: { propagatorTypes: i.propagators, tracestate: i.tracestate, baggage: i.baggage, allowedUrls: [/./] }
      }, random, source)
      const got = tracer.headers(i.url)
      assert.deepEqual(got.headers, c.headers)
      assert.equal(got.traceId, i.traceId)
      assert.equal(got.spanId, i.spanId)
      assert.equal(got.sampled, i.sampled)
    })
  }
}
