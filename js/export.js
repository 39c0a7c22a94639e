// The root span of each traced request (SPEC §4): OTLP/HTTP JSON, batched, platform-neutral.
// Everything the platform does is passed in (only AbortController, where the host has one, is
// read here), so the web SDK (fetch) and a mini program (wx.request and friends) share this file:
//
//   const exp = createExporter({
//     endpoint: 'https://collector.example.com',       // POST {endpoint}/v1/traces
//     resource: () => ({ 'service.name': 'rum-browser', 'rum.pid': pid, 'session.id': sid }),
//     // The platform's request, untraced (web: the original fetch). keep: the page is being
//     // hidden, the request must outlive it (web: keepalive). signal: an AbortSignal where the
//     // host has AbortController, aborted when the collector has not answered in TIMEOUT ms
//     // (a platform without one gives its request the same timeout: the exporter stops waiting).
//     send: (url, body, keep, signal) => promise or value,
//     now: () => Date.now(), _setTimer: setTimeout, _clearTimer: clearTimeout,
//   })
//   exp.end(ctx, 'browser.request', 'GET', startMs, { status: 200, error: false })
//   exp._flush(true) // the page is hidden: send what waits now, within the keepalive quota
//
// ctx is a tracer result ({ traceId, spanId, url }). Times are milliseconds since the epoch
// (fractions kept). Never throws.
import { safe, show, warn } from './log.js'

export const VERSION = '0.1.0' // tests/export.test.js checks it against package.json
const BATCH = 50 // "flush now" when this many spans wait
const MAX = 500 // queued spans; beyond it the oldest are dropped
const DELAY = 5000 // SPEC §4: a span is exported at most 5 seconds after it ends
export const TIMEOUT = 10000 // SPEC §4: a collector that never answers holds a request this long, at most
// SPEC §4: the bytes of keepalive bodies a page may have in flight at once (Fetch: 64 KiB per
// fetch group, beacons included); one body above it is refused, and so is one that would pass it.
const QUOTA = 65536

// OTLP JSON attribute list; numbers become intValue (OTLP JSON writes int64 as a string).
const attrs = (o) => Object.keys(o).filter((k) => o[k] !== undefined)
  .map((key) => ({ key, value: typeof o[key] == 'number' ? { intValue: '' + o[key] } : { stringValue: '' + o[key] } }))

// Milliseconds since the epoch -> unix nanoseconds as a decimal string. Microseconds stay
// below 2^53 (until the year 2255), so they are exact; the clocks give no finer time anyway.
const nanos = (ms) => Math.round(ms * 1e3) + '000'

// UTF-8 bytes of JSON text, never fewer: a character outside printable ASCII (JSON escapes
// the control characters) counts 3 (a surrogate pair is 4 bytes for 2). Exact for the ASCII
// that spans nearly always are.
const bytes = (s) => s.replace(/[^ -~]/g, '...').length

export function createExporter(o) {
  const url = o.endpoint.replace(/\/+$/, '') + '/v1/traces'
  // queue: each waiting span as its JSON text. busy: a timer-path request is in flight. kept:
  // body bytes of this exporter's keepalive requests in flight. full: the last body was cut
  // with spans left behind, which make a full body of their own.
  let queue = [], timer, busy, kept = 0, full

  const arm = () => timer || (timer = o._setTimer(flush, DELAY))
  const next = () => full || queue.length >= BATCH ? flush() : arm()
  // The request body with no spans: the spans array is its last member, so the spans' JSON
  // goes before its last 6 characters (`]}]}]}`).
  const empty = () => JSON.stringify({
    resourceSpans: [{
      resource: { attributes: attrs(o.resource()) },
      scopeSpans: [{ scope: { name: 'tracewire', version: VERSION }, spans: [] }]
    }]
  })

  // keep: the page is being hidden. Then every waiting span goes now, in as many keepalive
  // requests as the quota left holds (the page may be going away: what waits for a later
  // request may never leave); what does not fit waits for those requests to end. Otherwise one
  // request at a time: a slow or dead collector holds one request, never a pile of them, and
  // spans wait in the bounded queue meanwhile. One rule cuts both: a body takes the spans that
  // fit in 64 KB less the keepalive bytes in flight.
  function flush(keep) {
    try {
      if (timer) o._clearTimer(timer)
      timer = 0
      const e = empty(), h = bytes(e)
      while (queue.length && (keep || !busy)) {
        let size = h, n = 0
        for (const s of queue) {
          const b = size + bytes(s) + !!n // with its comma
          if (b > QUOTA - kept) break
          size = b
          n++
        }
        full = n < queue.length
        if (!n) break
        const body = e.slice(0, -6) + queue.splice(0, n) + e.slice(-6) // an array joins with commas
        const c = safe(() => new AbortController()) // where missing, the timer only stops waiting
        let t
        keep ? kept += size : busy = 1
        // Once per request: the collector answered, failed, or did not answer in time. A failed or
        // timed-out batch is not retried: the page's next spans matter more than old ones.
        const done = () => {
          if (t) {
            o._clearTimer(t)
            t = 0
            // Frees the socket of a collector that never answers; a no-op once the response came.
            if (c) c.abort()
            keep ? kept -= size : busy = 0
            if (queue.length) next()
          }
        }
        t = o._setTimer(done, TIMEOUT) // a timer id is never 0 (HTML: greater than zero)
        // A send that throws ends like a failed request.
        new Promise((r) => r(o.send(url, body, keep, c && c.signal))).then(done, done)
      }
    } catch (e) {
      warn('span export failed: ' + show(e))
    }
  }

  return {
    _flush: flush,
    end(ctx, prefix, method, start, r) {
      try {
        const u = ctx.url
        // server.address and server.port (default port written out), from the absolute URL.
        const m = /^(\w+):\/\/(?:\[([^\]]*)\]|([^:/?#]*))(?::(\d+))?/.exec(u) || []
        const status = r.status || undefined
        const bad = r.error || status >= 500
        const span = JSON.stringify({
          traceId: ctx.traceId,
          spanId: ctx.spanId,
          name: `${prefix}:${method} ${u.replace(/[?#].*/, '')}`,
          kind: 3, // CLIENT
          startTimeUnixNano: nanos(start),
          endTimeUnixNano: nanos(Math.max(start, o.now())),
          attributes: attrs({
            'http.request.method': method,
            'url.full': u,
            'server.address': m[2] || m[3],
            'server.port': +(m[4] || (m[1] == 'https' ? 443 : 80)),
            'http.response.status_code': status,
            'error.type': bad ? (r.error ? 'network' : '' + status) : undefined
          }),
          status: { code: bad ? 2 : 0 } // ERROR, else UNSET
        })
        // A span that passes the quota by itself (a very long URL) would be refused on the page's
        // way out: dropped now, so that every queued span fits in any keepalive request.
        if (bytes(span + empty()) > QUOTA) return warn('span dropped: over 64 KB')
        if (queue.push(span) > MAX) {
          queue.shift()
          warn('span dropped: queue full')
        }
        next()
      } catch (e) {
        warn('span export failed: ' + show(e))
      }
    }
  }
}
