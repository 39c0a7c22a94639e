// Hostile configuration and input (SPEC §2, §6): for each, no exception reaches the caller,
// a request that cannot be traced gets null (the SDK then sends it untouched), and every
// header that is emitted stays inside its grammar — checked by OpenTelemetry's real parsers —
// and never holds CR, LF or any byte outside printable ASCII.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ROOT_CONTEXT, trace, propagation, defaultTextMapGetter } from '@opentelemetry/api'
import { W3CTraceContextPropagator, W3CBaggagePropagator } from '@opentelemetry/core'
import { B3Propagator, B3InjectEncoding } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { createTracer } from '../js/index.js'
import { setSink } from '../js/log.js'

const ALL = ['tracecontext', 'b3', 'b3multi', 'jaeger']
const lower = (h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))
const sc = (p, h) => trace.getSpanContext(p.extract(ROOT_CONTEXT, lower(h), defaultTextMapGetter))

// Every value printable ASCII; every protocol present parses back to the same ids.
function grammatical(r) {
  for (const [k, v] of Object.entries(r.headers)) {
    assert.match(v, /^[\x21-\x7e][\x20-\x7e]*$/, `${k} holds a byte outside printable ASCII: ${JSON.stringify(v)}`)
  }
  const h = r.headers
  const checks = [
    [h.traceparent, new W3CTraceContextPropagator()],
    [h.b3, new B3Propagator()],
    [h['X-B3-TraceId'], new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER })],
    [h['uber-trace-id'], new JaegerPropagator()]
  ]
  for (const [present, p] of checks) {
    if (!present) continue
    const c = sc(p, h)
    assert.ok(c && c.traceId === r.traceId && c.spanId === r.spanId, `not parsed back: ${JSON.stringify(h)}`)
  }
  if (h.tracestate) assert.ok(trace.getSpanContext(new W3CTraceContextPropagator().extract(ROOT_CONTEXT, lower(h), defaultTextMapGetter)).traceState.get('rum'), `tracestate refused: ${h.tracestate}`)
  if (h.baggage) {
    const bag = propagation.getBaggage(new W3CBaggagePropagator().extract(ROOT_CONTEXT, lower(h), defaultTextMapGetter))
    assert.ok(bag && bag.getEntry('rum.pid'), `baggage refused: ${h.baggage}`)
  }
  if (h.sw8) {
    const f = h.sw8.split('-')
    assert.equal(f.length, 8, `sw8 has 8 fields: ${h.sw8}`)
    for (const i of [1, 2, 4, 5, 6, 7]) assert.match(f[i], /^[A-Za-z0-9+/]*={0,2}$/)
  }
}

const throwing = () => { throw new Error('boom') }
const cyclic = { propagatorTypes: ALL }
cyclic.self = cyclic
const getterTrap = Object.defineProperty({}, 'sample', { get: throwing, enumerable: true })
const proxy = new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing })
const ten = 'x'.repeat(10240)

// [what, tracer options, url, expectation: 'traced' | 'untraced']
export const HOSTILE = [
  ['tracing: a cyclic object', { tracing: cyclic }, '/x', 'traced'],
  ['tracing: a getter that throws', { tracing: getterTrap }, '/x', 'traced'],
  ['tracing: a Proxy whose every trap throws', { tracing: proxy }, '/x', 'traced'],
  ['tracing: frozen, with frozen rules', { tracing: Object.freeze({ propagatorTypes: Object.freeze(ALL), allowedUrls: Object.freeze([/api/]) }) }, 'https://api.example/x', 'traced'],
  ['tracing.allowedUrls: 100,000 items', { tracing: { allowedUrls: Array(100000).fill('https://api.example') } }, 'https://api.example/x', 'traced'],
  ['tracing.allowedUrls: a Proxy array that throws', { tracing: { allowedUrls: new Proxy([], { get: throwing }) } }, '/x', 'traced'],
  ['tracing.allowedUrls: a function rule that throws', { tracing: { allowedUrls: [throwing] } }, 'https://other.example/x', 'untraced'],
  ['tracing.sample: NaN, a string, -5, 1e9', { tracing: { sample: 'fifty' } }, '/x', 'traced'],
  ['tracing.propagatorTypes: numbers and unknown names', { tracing: { propagatorTypes: [1, 'zipkin', null] } }, '/x', 'traced'],
  ['pid: CR, LF, NUL and tabs', { pid: 'a\r\nb\u0000c\td', tracing: { propagatorTypes: ALL, baggage: true } }, '/x', 'traced'],
  ['pid: lone surrogates', { pid: '\ud800x\udfff', tracing: { propagatorTypes: ALL, baggage: true } }, '/x', 'traced'],
  ['pid: 10 KB', { pid: ten, tracing: { propagatorTypes: ALL, baggage: true } }, '/x', 'traced'],
  ['pid: 10 KB with sw8', { pid: ten, tracing: { propagatorTypes: 'sw8', baggage: true } }, '/x', 'traced'],
  ['pid and version: 10 KB each with sw8 (past the engine input: untraced, never malformed)', { pid: ten, version: ten, tracing: { propagatorTypes: 'sw8', baggage: true } }, '/x', 'untraced'],
  ['pid: an object with a throwing toString', { pid: { toString: throwing }, tracing: true }, '/x', 'traced'],
  ['version: CR/LF and NUL with sw8', { version: '1\r\n2\u0000', tracing: { propagatorTypes: 'sw8' } }, '/x', 'traced'],
  ['page: control characters and surrogates with sw8', { page: '/a\r\n\ud800', tracing: { propagatorTypes: 'sw8' } }, '/x', 'traced'],
  ['sessionId: CR/LF', { sessionId: 's\r\nt', tracing: { baggage: true } }, '/x', 'traced'],
  ['url: credentials', { tracing: true }, 'https://user:pw@shop.example/x', 'traced'],
  ['url: an IPv6 host', { tracing: { allowedUrls: ['http://[::1]:8080'] } }, 'http://[::1]:8080/x', 'traced'],
  ['url: an IDN host (Unicode form)', { tracing: { allowedUrls: [/./] } }, 'https://bücher.example/x', 'untraced'],
  ['url: data:', { tracing: { allowedUrls: [/./] } }, 'data:text/plain,x', 'untraced'],
  ['url: blob:', { tracing: { allowedUrls: [/./] } }, 'blob:https://shop.example/1', 'untraced'],
  ['url: about:blank', { tracing: { allowedUrls: [/./] } }, 'about:blank', 'untraced'],
  ['url: 100 KB', { tracing: true }, '/' + 'a'.repeat(100 * 1024), 'untraced'],
  ['url: CR/LF inside', { tracing: true }, '/a\r\nb', 'untraced'],
  ['url: undefined', { tracing: true }, undefined, 'untraced'],
  ['url: a Symbol', { tracing: true }, Symbol('x'), 'untraced'],
  ['url: an object whose toString throws', { tracing: true }, { toString: throwing }, 'untraced']
]

for (const [what, options, url, want] of HOSTILE) {
  test(`hostile input — ${what}: no exception, ${want}, grammatical headers`, () => {
    const warnings = []
    setSink((m) => warnings.push(m))
    try {
      const t = createTracer({ pid: 'p', baseURI: 'https://shop.example/app/', ...options })
      for (let i = 0; i < 3; i++) {
        const r = t.headers(url)
        if (want == 'untraced') {
          assert.equal(r, null)
        } else {
          assert.ok(r, 'traced')
          grammatical(r)
        }
      }
      assert.ok(warnings.every((w) => typeof w == 'string' && w.startsWith('[tracewire] ')))
    } finally {
      setSink(null)
    }
  })
}
