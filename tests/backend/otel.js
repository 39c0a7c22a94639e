// An API backend instrumented with the real OpenTelemetry Node SDK, as a user's server would
// be: NodeTracerProvider with the W3C, B3 (single and multi) and Jaeger propagators, the
// parent-based sampler (the default), and @opentelemetry/instrumentation-http, whose server
// spans go to an in-memory exporter. Used by tests/browser/e2e.test.js and the demo.
//
//   const be = await startBackend({ routes })   // routes: Map path -> { type, body or body(url) } (not traced)
//   ... be.origin + '/api/items' ...             // /api/*: traced, JSON answer, CORS for any origin
//   be.spans()                                   // ReadableSpan[] finished so far
//   await be.close()
//
// /api/* answers after ?delay=<ms> (default 0), with child spans when ?work=1 (the demo's
// waterfall), with status <n> when ?status=<n>. Only /api/* is traced: the page, scripts and
// preflights are not the backend's business. Listens on 127.0.0.1 only.
//
// capturePages(CAPTURE): from then on, every backend of this process serves the browser
// tests' console capture script (tests/browser/browsers.js CAPTURE: path, source, tag) and puts
// its tag first in each HTML route, so that page.console() and page.errors() work on its pages
// in every engine. The e2e tests call it (the demo's pages included); npm start never does.
import { createRequire } from 'node:module'
import { trace, SpanStatusCode } from '@opentelemetry/api'
import { CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator } from '@opentelemetry/core'
import { B3Propagator } from '@opentelemetry/propagator-b3'
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger'
import { NodeTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { serve } from './serve.js'

let capture = null
export function capturePages(c) { capture = c }

// One provider per process (it is registered globally, as in a real service).
let otel
function setup() {
  if (otel) return otel
  const exporter = new InMemorySpanExporter()
  const processors = [new SimpleSpanProcessor(exporter)]
  const provider = new NodeTracerProvider({ spanProcessors: processors })
  provider.register({
    // B3Propagator extracts both the single b3 header and the X-B3-* set.
    propagator: new CompositePropagator({
      propagators: [new JaegerPropagator(), new B3Propagator(), new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  })
  new HttpInstrumentation({
    ignoreIncomingRequestHook: (req) => !`${req.url}`.startsWith('/api/') || req.method == 'OPTIONS',
    ignoreOutgoingRequestHook: () => true,
  })
  // Required after the instrumentation is enabled, so this is the patched module.
  const http = createRequire(import.meta.url)('node:http')
  otel = { exporter, http, tracer: trace.getTracer('tracewire-demo-backend') }
  return otel
}

const TRACE = ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'sw8', 'baggage']
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// The demo's "work": two sequential child spans, as a service calling a database and a cache.
async function work(tracer, delay) {
  for (const [name, ms] of [['db.query SELECT items', delay * 0.6], ['cache.set items', delay * 0.2]]) {
    await tracer.startActiveSpan(name, async (s) => {
      await sleep(ms)
      s.end()
    })
  }
}

export async function startBackend({ routes = new Map(), port = 0 } = {}) {
  const { exporter, http, tracer } = setup()
  const received = [] // { path, headers } of every /api request, as received
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const origin = req.headers.origin
    const cors = origin ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'origin' } : {}
    if (req.method == 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': req.headers['access-control-request-method'] || 'GET',
        'access-control-allow-headers': req.headers['access-control-request-headers'] || '',
        'access-control-max-age': '0',
      })
      return res.end()
    }
    if (!url.pathname.startsWith('/api/')) {
      const r = capture && url.pathname == capture.path ? { type: 'text/javascript', body: capture.source } : routes.get(url.pathname)
      let body = r ? typeof r.body == 'function' ? r.body(url) : r.body : 'not found'
      // First in the page: after the doctype, before any script of the page.
      if (capture && r && r.type.startsWith('text/html')) body = body.replace(/^(<!doctype html>)?/i, (d) => d + capture.tag)
      res.writeHead(r ? 200 : 404, { 'content-type': r ? r.type : 'text/plain', 'cache-control': 'no-store' })
      return res.end(body)
    }
    req.resume()
    received.push({ path: req.url, headers: req.headers })
    const delay = Math.min(+url.searchParams.get('delay') || 0, 5000)
    const status = +url.searchParams.get('status') || 200
    const span = trace.getActiveSpan()
    const go = async () => {
      if (url.searchParams.get('work')) await work(tracer, delay)
      else if (delay) await sleep(delay)
      if (status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR })
      res.writeHead(status, { ...cors, 'content-type': 'application/json', 'cache-control': 'no-store' })
      // What the backend made of the request: its own span's ids, for the page to show.
      const sc = span?.spanContext()
      const got = Object.fromEntries(TRACE.filter((k) => k in req.headers).map((k) => [k, req.headers[k]]))
      res.end(JSON.stringify({ path: req.url, received: got, traceId: sc?.traceId, spanId: sc?.spanId, sampled: !!(sc && sc.traceFlags & 1) }))
    }
    go()
  })
  const { origin, close } = await serve(server, port)
  return {
    origin,
    received,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    close,
  }
}
