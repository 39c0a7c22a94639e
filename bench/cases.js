// The benchmark cases, shared by the Node and the Chromium runs: the per-request cost of the
// full header set for one URL through tracewire, next to OpenTelemetry's propagation.inject
// with its RandomIdGenerator, measured in the same process.
import { ROOT_CONTEXT, trace, propagation, defaultTextMapSetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core'
import { B3Propagator } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base'
import { makeTracer } from '../js/tracer.js'
import { createEngine, wasmExports } from '../js/engine.js'
import bytes from '../wasm/bytes.js'
import twin from '../wasm/tracewire.wasm2js.js'

const URL_ = '/api/items?page=2'
const BASE = 'https://shop.example.com/cart'
const random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n))

function otel(propagator) {
  const ids = new RandomIdGenerator()
  return () => {
    const carrier = {}
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: ids.generateTraceId(), spanId: ids.generateSpanId(), traceFlags: 1 })
    propagator.inject(ctx, carrier, defaultTextMapSetter)
    return carrier
  }
}

function tw(exports, propagatorTypes) {
  const t = makeTracer(createEngine(exports, random), {
    pid: 'shop-web', sessionId: '5f0c2ad1b5e34c2f9e8a7d6c5b4a3921', baseURI: BASE,
    tracing: { propagatorTypes }
  }, random)
  return () => t.headers(URL_).headers
}

function time(fn, ms) {
  let sink = 0
  for (let i = 0; i < 20000; i++) sink += Object.keys(fn()).length // warm up the JIT
  let n = 0
  const t0 = performance.now()
  let t1 = t0
  while (t1 - t0 < ms) {
    for (let i = 0; i < 2000; i++) sink += Object.keys(fn()).length
    n += 2000
    t1 = performance.now()
  }
  if (sink < 0) throw new Error('unreachable')
  return ((t1 - t0) * 1e6) / n // ns per request
}

export function runBench(ms = 1500) {
  const W3C = ['tracecontext']
  const ALL = ['tracecontext', 'b3', 'jaeger']
  propagation.disable()
  const rows = []
  const compare = (label, peer, mine) => {
    const p = time(peer, ms)
    for (const [engine, fn] of mine) {
      const t = time(fn, ms)
      rows.push({ case: label, engine, tracewire_ns: +t.toFixed(1), otel_ns: +p.toFixed(1), speedup: +(p / t).toFixed(1) })
    }
  }
  const wasm = wasmExports(bytes)
  compare('W3C traceparent + tracestate', otel(new W3CTraceContextPropagator()), [['wasm', tw(wasm, W3C)], ['wasm2js', tw(twin(), W3C)]])
  compare('W3C + B3 + Jaeger', otel(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator(), new JaegerPropagator()] })),
    [['wasm', tw(wasm, ALL)], ['wasm2js', tw(twin(), ALL)]])
  return rows
}
