// Every header the engine emits is accepted by the real OpenTelemetry extractors (W3C, B3
// single and multi, Jaeger) with the same ids and sampled flag, on both engines.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ROOT_CONTEXT, trace, defaultTextMapGetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator, W3CBaggagePropagator } from '@opentelemetry/core'
import { B3Propagator, B3InjectEncoding } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { propagation } from '@opentelemetry/api'
import { ENGINES, random } from './engines.js'
import { makeTracer } from '../js/tracer.js'

const lower = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
const extractors = {
  tracecontext: new W3CTraceContextPropagator(),
  b3: new B3Propagator(),
  b3multi: new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
  jaeger: new JaegerPropagator()
}

function extract(p, headers) {
  const ctx = extractors[p].extract(ROOT_CONTEXT, lower(headers), defaultTextMapGetter)
  return trace.getSpanContext(ctx)
}

for (const [name, load] of ENGINES) {
  const engine = load()
  for (const p of Object.keys(extractors)) {
    test(`${name}: OpenTelemetry's ${p} extractor reads the same ids and flag from 2,000 requests at 50 % sampling`, () => {
      const tracer = makeTracer(engine, {
        pid: 'shop, web=1', sessionId: 'sess ion', baseURI: 'https://shop.example/',
        tracing: { sample: 50, propagatorTypes: [p], baggage: true }
      }, random)
      let sampled = 0
      for (let i = 0; i < 2000; i++) {
        const r = tracer.headers('/api/items?i=' + i)
        const sc = extract(p, r.headers)
        assert.ok(sc, `${p} not extracted from ${JSON.stringify(r.headers)}`)
        assert.equal(sc.traceId, r.traceId)
        assert.equal(sc.spanId, r.spanId)
        assert.equal(sc.traceFlags & 1, r.sampled ? 1 : 0)
        assert.equal(sc.isRemote, true)
        if (r.sampled) sampled++
      }
      assert.ok(sampled > 800 && sampled < 1200, `sampled ${sampled} of 2000`)
    })
  }

  test(`${name}: tracestate and baggage parse back to the escaped values`, () => {
    const tracer = makeTracer(engine, {
      pid: 'a,b=c&d 商城%', sessionId: 'sid', baseURI: 'https://shop.example/',
      tracing: { baggage: true }
    }, random)
    const r = tracer.headers('/x')
    const ctx = extractors.tracecontext.extract(ROOT_CONTEXT, r.headers, defaultTextMapGetter)
    const ts = trace.getSpanContext(ctx).traceState
    assert.equal(ts.get('rum'), '2&web&a%2Cb%3Dc%26d%20%E5%95%86%E5%9F%8E%25&sid')
    const bctx = new W3CBaggagePropagator().extract(ROOT_CONTEXT, r.headers, defaultTextMapGetter)
    const bag = propagation.getBaggage(bctx)
    assert.equal(bag.getEntry('rum.pid').value, 'a,b=c&d 商城%')
    assert.equal(bag.getEntry('rum.sid').value, 'sid')
    assert.equal(bag.getEntry('rum.app').value, 'web')
  })
}
