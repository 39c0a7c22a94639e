// The end-to-end demo (npm start): everything on 127.0.0.1, nothing else needed.
//
//   :PORT      the page (tracewire + a settings panel), the trace view, and the API backend
//              under /api/ (same origin), all served by the OpenTelemetry-instrumented backend
//   :PORT+1    the same backend on another origin (the "cross-origin" setting)
//   :PORT+2    the OTLP/HTTP receiver that tracewire exports the browser spans to
//   :PORT+3    a backend whose CORS allows the page but not the trace headers (README, "The
//              CORS guard"): tracewire's guard sends its requests again untraced
//
// The trace view joins the receiver's browser spans with the backend's server spans (its
// in-memory exporter) by trace id, and draws each trace as a waterfall. A browser span of a
// request to the refusing backend gets a note saying, from what that backend received, why no
// backend span joins it.
//
//   node demo/server.js            (PORT=8080 by default; when taken, free ports are used)
//   import { startDemo } from './demo/server.js'; const d = await startDemo({ port: 0 })
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import esbuild from 'esbuild'
import { startBackend } from '../tests/backend/otel.js'
import { startReceiver, plain } from '../tests/backend/otlp.js'
import { startCorsBackend } from '../tests/backend/cors.js'

const here = (f) => fileURLToPath(new URL(f, import.meta.url))
const MAX_SPANS = 5000 // the demo forgets old spans beyond this

// The SDK as a page loads it: js/index.js bundled, exposing window.TraceWire.
async function sdk() {
  const r = await esbuild.build({
    stdin: { contents: "import TraceWire from './index.js'; window.TraceWire = TraceWire", resolveDir: here('../js/'), loader: 'js' },
    bundle: true, format: 'iife', write: false, target: 'es2017', logLevel: 'silent',
  })
  return r.outputFiles[0].text
}

// Nanoseconds (string or [s, ns]) -> milliseconds since the epoch.
const ms = (t) => Array.isArray(t) ? t[0] * 1e3 + t[1] / 1e6 : Number(BigInt(t) / 1000n) / 1e3

// SPEC §8: why a browser span of a request to the refusing backend has no backend span, told
// from what that backend received for its URL: a preflight asking for the trace headers, which
// it refused (its Access-Control-Allow-Headers lists content-type only), then the request
// itself, without them (the guard's HEAD probes come in between).
function why(span, refusing) {
  const u = span.attributes['url.full']
  if (!u || !u.startsWith(refusing.origin + '/')) return
  const path = u.slice(refusing.origin.length)
  const got = refusing.requests.filter((r) => r.path == path)
  const asked = got.find((r) => r.preflight)?.headers['access-control-request-headers']
  const sent = got.find((r) => !r.preflight && r.method == span.attributes['http.request.method'])
  if (!asked || !sent) return
  return `no backend span: ${refusing.origin} refused the trace headers in its CORS preflight ` +
    `(Access-Control-Request-Headers: ${asked}; its Access-Control-Allow-Headers lists content-type only). ` +
    `tracewire's CORS guard sent the request again without them (${sent.method} ${path}): ` +
    'the backend answered it, untraced, outside this trace'
}

// Every trace with its spans in one shape, newest first.
function traces(rx, backends, refusing) {
  const spans = []
  for (const { resource, span: s } of rx.spans()) {
    const a = plain(s.attributes)
    spans.push({
      traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || '', name: s.name,
      service: resource['service.name'], start: ms(s.startTimeUnixNano), end: ms(s.endTimeUnixNano),
      error: s.status?.code == 2, status: a['http.response.status_code'], attributes: a,
    })
  }
  for (const s of backends.flatMap((b) => b.spans())) {
    const c = s.spanContext()
    spans.push({
      // instrumentation-http names server spans by method only; the path makes the view readable
      traceId: c.traceId, spanId: c.spanId, parentSpanId: s.parentSpanContext?.spanId || '',
      name: s.kind == 1 ? `${s.name} ${s.attributes['url.path'] || ''}` : s.name,
      service: 'demo-api (OpenTelemetry Node SDK)', start: ms(s.startTime), end: ms(s.endTime),
      error: s.status.code == 2, status: s.attributes['http.response.status_code'], attributes: s.attributes,
    })
  }
  const byId = new Map()
  for (const s of spans) {
    if (!byId.has(s.traceId)) byId.set(s.traceId, [])
    byId.get(s.traceId).push(s)
  }
  return [...byId].map(([traceId, list]) => {
    const t = { traceId, spans: list.sort((a, b) => a.start - b.start) }
    const browser = list.length == 1 && list[0].service == 'rum-browser' && list[0]
    const note = browser && why(browser, refusing)
    if (note) t.note = note
    return t
  }).sort((a, b) => b.spans[0].start - a.spans[0].start).slice(0, 50)
}

async function listen(port) {
  const rx = await startReceiver({ port: port && port + 2 })
  const routes = new Map()
  const api = await startBackend({ routes, port })
  const cross = await startBackend({ port: port && port + 1 })
  const refusing = await startCorsBackend('refuse', port && port + 3)
  return { rx, routes, api, cross, refusing }
}

export async function startDemo({ port = 8080 } = {}) {
  let s
  try {
    s = await listen(port)
  } catch (e) {
    if (!port || e.code != 'EADDRINUSE') throw e
    console.log(`demo: one of the ports ${port} to ${port + 3} is taken; using free ports`)
    s = await listen(0)
  }
  const { rx, routes, api, cross, refusing } = s
  const page = (f) => readFileSync(here(f), 'utf8')
  routes.set('/', { type: 'text/html; charset=utf-8', body: () => page('index.html') })
  routes.set('/traces.html', { type: 'text/html; charset=utf-8', body: () => page('traces.html') })
  routes.set('/tw.js', { type: 'text/javascript', body: await sdk() })
  routes.set('/favicon.ico', { type: 'image/x-icon', body: '' })
  routes.set('/config.js', { type: 'text/javascript', body: `window.DEMO = ${JSON.stringify({ receiver: rx.origin, crossOrigin: cross.origin, refusing: refusing.origin })}` })
  routes.set('/traces.json', {
    type: 'application/json',
    body: () => {
      if (api.spans().length > MAX_SPANS) api.reset()
      if (rx.requests.length > MAX_SPANS / 10) rx.requests.splice(0, rx.requests.length - MAX_SPANS / 10)
      if (refusing.requests.length > MAX_SPANS) refusing.requests.splice(0, refusing.requests.length - MAX_SPANS)
      return JSON.stringify(traces(rx, [api], refusing))
    },
  })
  return {
    url: api.origin + '/',
    traces: api.origin + '/traces.html',
    api: cross.origin,
    refusing: refusing.origin,
    receiver: rx.origin + '/v1/traces',
    close: () => Promise.all([rx.close(), api.close(), cross.close(), refusing.close()]),
  }
}

if (process.argv[1] && import.meta.url == pathToFileURL(process.argv[1]).href) {
  const d = await startDemo({ port: process.env.PORT ? +process.env.PORT : 8080 })
  console.log(`
tracewire end-to-end demo

  open this page:  ${d.url}
  trace view:      ${d.traces}

  cross-origin API ${d.api}/api/  (OpenTelemetry Node SDK + instrumentation-http)
  refusing API     ${d.refusing}/api/  (CORS without the trace headers: see the CORS guard)
  OTLP receiver    ${d.receiver}

Ctrl-C stops it.`)
  const stop = () => d.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
