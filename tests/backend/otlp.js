// A local OTLP/HTTP JSON receiver: POST /v1/traces, as an OpenTelemetry Collector's otlphttp
// receiver takes it, with CORS for browser pages (preflights for Content-Type:
// application/json). Keeps every request as received.
//
//   const rx = await startReceiver()
//   TraceWire.init({ endpoint: rx.origin, ... })
//   rx.requests   // [{ method, path, headers, body (parsed JSON or null), raw, at, closed }]
//   rx.spans()    // [{ resource: { key: value }, span }] over every batch
//   await rx.close()
//
// Options:
//   cors: 'echo'  (default) the Collector's way: the request's Origin echoed, with
//                 Access-Control-Allow-Credentials: true
//         'star'  Access-Control-Allow-Origin: *, no credentials allowed: a request that sends
//                 cookies (sendBeacon always does) fails its preflight
//   hang: true    POST /v1/traces is kept but never answered, as by a collector that hangs;
//                 `closed` is the time (Date.now()) the client gave up and closed it
//   routes        Map path -> { type, body } answered to GET: pages served on the receiver's own
//                 origin, whose exports are then same-origin
import http from 'node:http'
import { serve } from './serve.js'

// OTLP attribute list -> plain object (string, int, double and bool values).
export const plain = (attrs = []) => Object.fromEntries(attrs.map((a) => {
  const v = a.value || {}
  return [a.key, v.stringValue ?? (v.intValue != null ? +v.intValue : v.doubleValue ?? v.boolValue)]
}))

export async function startReceiver({ port = 0, onSpans, cors: mode = 'echo', hang = false, routes } = {}) {
  const requests = []
  const server = http.createServer((req, res) => {
    const origin = req.headers.origin
    const cors = !origin ? {} : mode == 'star' ? { 'access-control-allow-origin': '*' }
      : { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'origin' }
    if (req.method == 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': req.headers['access-control-request-headers'] || '', 'access-control-max-age': '600' })
      return res.end()
    }
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body = null
      try { body = JSON.parse(raw) } catch (e) {}
      const rec = { method: req.method, path: req.url, headers: req.headers, body, raw, at: Date.now(), closed: null }
      const route = req.method == 'GET' && routes && routes.get(req.url.replace(/\?.*/, ''))
      if (route) {
        res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' })
        return res.end(route.body)
      }
      if (req.method != 'POST' || req.url != '/v1/traces') {
        res.writeHead(404, cors)
        return res.end()
      }
      requests.push(rec)
      if (hang) return res.on('close', () => { rec.closed = Date.now() })
      const ok = body && Array.isArray(body.resourceSpans) && /^application\/json\b/.test(req.headers['content-type'] || '')
      if (ok && onSpans) onSpans(body)
      // The collector's answers: 200 with an empty partial success, 400 for what it cannot read.
      res.writeHead(ok ? 200 : 400, { ...cors, 'content-type': 'application/json' })
      res.end(ok ? '{}' : '{"message":"not OTLP JSON"}')
    })
  })
  const { origin, close } = await serve(server, port)
  return {
    origin,
    requests,
    spans: () => requests.flatMap((r) => (r.body?.resourceSpans || []).flatMap((rs) =>
      (rs.scopeSpans || []).flatMap((ss) => (ss.spans || []).map((span) => ({ resource: plain(rs.resource?.attributes), scope: ss.scope, span }))))),
    close,
  }
}
