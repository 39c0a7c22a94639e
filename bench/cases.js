// The benchmark cases, the same in every engine (Node, Chromium, Firefox, WebKit, jsc with and
// without JIT): the per-request cost through tracewire's public API, createTracer(...).headers,
// next to OpenTelemetry doing the same job in the same engine and the same run.
//
//   runBench({ wasm, twin, ms }) -> [{ case, wasm_ns, twin_ns, otel_ns }]
//
// wasm and twin are createTracer functions of the built package: one whose engine is the
// WebAssembly module, one whose engine is the wasm2js twin (bench/bundle.mjs makes both).
// Engines without URL (the jsc shell) leave out the first-request case: its OpenTelemetry side
// needs `new URL`.
import { ROOT_CONTEXT, trace, defaultTextMapSetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator, CompositePropagator } from '@opentelemetry/core'
import { B3Propagator } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base'

const PATH = '/api/items?page=2'
const BASE = 'https://shop.example.com/cart'
const SESSION = '5f0c2ad1b5e34c2f9e8a7d6c5b4a3921'
// The rules of the first-request case: three of the user's, then the page's origin, where the
// requests go, so every rule is tried before the one that decides.
const RULES = ['https://api.example.com', 'https://cdn.example.com/v2/', /^https:\/\/[a-z]+\.internal\.example\.com\//]

// OpenTelemetry's browser path for one request: ids from its RandomIdGenerator, a span context,
// propagation.inject into a carrier.
function otel(propagator) {
  const ids = new RandomIdGenerator()
  return () => {
    const carrier = {}
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: ids.generateTraceId(), spanId: ids.generateSpanId(), traceFlags: 1 })
    propagator.inject(ctx, carrier, defaultTextMapSetter)
    return carrier
  }
}

// The same path with the decision a URL-filtering instrumentation makes first (OpenTelemetry's
// fetch instrumentation: new URL, then propagateTraceHeaderCorsUrls as RegExps, then same origin).
function otelFirst(propagator) {
  const inject = otel(propagator)
  const origin = new URL(BASE).origin
  const res = [/^https:\/\/api\.example\.com(?=[/?#]|$)/i, /^https:\/\/cdn\.example\.com\/v2\//, RULES[2]]
  let i = 0
  return () => {
    const u = new URL(`${PATH}&n=${i++}`, BASE)
    const href = u.href
    for (const re of res) if (re.test(href)) return inject()
    return u.origin === origin ? inject() : null
  }
}

const tracer = (create, tracing) => create({ pid: 'shop-web', sessionId: SESSION, baseURI: BASE, tracing })

function headers(create, tracing) {
  const t = tracer(create, tracing)
  if (!t.headers(PATH)) throw new Error('bench: tracewire did not trace the benchmark URL')
  return () => t.headers(PATH).headers
}

function first(create) {
  const t = tracer(create, { allowedUrls: RULES })
  let i = 0
  return () => t.headers(`${PATH}&n=${i++}`).headers
}

// ns per call of fn over about ms: batches of 200 calls until ms have passed.
function time(fn, ms) {
  let sink = 0, n = 0
  const now = () => performance.now()
  const t0 = now()
  let t1 = t0
  while (t1 - t0 < ms) {
    for (let i = 0; i < 200; i++) sink += Object.keys(fn()).length
    n += 200
    t1 = now()
  }
  if (sink < 0) throw new Error('unreachable')
  return ((t1 - t0) * 1e6) / n
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]

// The three sides of a case are measured in turns, ROUNDS rounds of ms / ROUNDS each, and each
// reports its median round: a slow stretch of the machine (the other core busy, a frequency
// step) then hits every side alike instead of one side's whole cell. A warm-up of ms / 5 per
// side first lets a JIT compile each.
const ROUNDS = 5

export function runBench({ wasm, twin, ms = 1000 }) {
  const W3C = new W3CTraceContextPropagator()
  const ALL = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator(), new JaegerPropagator()] })
  const cases = [
    ['traceparent + tracestate', (c) => headers(c, { propagatorTypes: 'tracecontext' }), otel(W3C)],
    ['W3C + B3 + Jaeger', (c) => headers(c, { propagatorTypes: ['tracecontext', 'b3', 'jaeger'] }), otel(ALL)],
    // OpenTelemetry has no sw8 propagator: its W3C inject is the reference here too.
    ['sw8', (c) => headers(c, { propagatorTypes: 'sw8' }), otel(W3C)],
  ]
  if (typeof URL == 'function') cases.push(['first request to a new URL', first, otelFirst(W3C)])
  const round = (x) => Math.round(x * 10) / 10
  return cases.map(([name, mine, peer]) => {
    const fns = [mine(wasm), mine(twin), peer]
    for (const f of fns) time(f, ms / 5)
    const ns = fns.map(() => [])
    for (let r = 0; r < ROUNDS; r++) fns.forEach((f, i) => ns[i].push(time(f, ms / ROUNDS)))
    const [w, t, o] = ns.map(median)
    return { case: name, wasm_ns: round(w), twin_ns: round(t), otel_ns: round(o) }
  })
}
