// The root span of each traced request (SPEC §4): OTLP/HTTP JSON, batched, platform-neutral.
// Everything the platform does is passed in, so the web SDK (fetch, sendBeacon) and a mini
// program (wx.request and friends) share this file:
//
//   const exp = createExporter({
//     endpoint: 'https://collector.example.com',       // POST {endpoint}/v1/traces
//     resource: () => ({ 'service.name': 'rum-browser', 'rum.pid': pid, 'session.id': sid }),
//     send: (url, body) => promise, // the platform's request, untraced (web: the original fetch);
//                                   // the exporter waits for it before sending the next batch
//     beacon: (url, body) => bool, // optional: flush(true) (page hidden) tries it first, then
//                                 // send(url, body, true) (web: fetch with keepalive)
//     now: () => Date.now(), setTimer: setTimeout, clearTimer: clearTimeout,
//   })
//   exp.end(ctx, 'browser.request', 'GET', startMs, { status: 200, error: false })
//   exp.flush(true)
//
// ctx is a tracer result ({ traceId, spanId, url }). Times are milliseconds since the epoch
// (fractions kept). Never throws.
import { warn } from './log.js'

export const VERSION = '0.1.0' // tests/export.test.js checks it against package.json
const BATCH = 50 // spans per request; also "flush now" when reached
const MAX = 500 // queued spans; beyond it the oldest are dropped and counted
const DELAY = 5000 // SPEC §4: a span is exported at most 5 seconds after it ends

// OTLP JSON attribute list; numbers become intValue (OTLP JSON writes int64 as a string).
const attrs = (o) => Object.keys(o).filter((k) => o[k] !== undefined)
  .map((key) => ({ key, value: typeof o[key] == 'number' ? { intValue: '' + o[key] } : { stringValue: '' + o[key] } }))

// Milliseconds since the epoch -> unix nanoseconds as a decimal string. Microseconds stay
// below 2^53 (until the year 2255), so they are exact; the clocks give no finer time anyway.
const nanos = (ms) => Math.round(ms * 1e3) + '000'

export function createExporter(o) {
  const url = ('' + o.endpoint).replace(/\/+$/, '') + '/v1/traces'
  let queue = [], timer, busy, dropped = 0

  const arm = () => timer || (timer = o.setTimer(flush, DELAY))
  const body = (spans) => JSON.stringify({
    resourceSpans: [{
      resource: { attributes: attrs(o.resource()) },
      scopeSpans: [{ scope: { name: 'tracewire', version: VERSION }, spans }]
    }]
  })

  // One export request at a time: a slow or dead endpoint holds one request, never a pile of
  // them (on the page's connections to that host); spans wait in the bounded queue meanwhile.
  // hidden: the page may be going away, send everything now, with the beacon when there is one.
  function flush(hidden) {
    try {
      if (timer) o.clearTimer(timer)
      timer = 0
      if (hidden) {
        while (queue.length) {
          const b = body(queue.splice(0, BATCH))
          // The beacon outlives the page; when it refuses (too big, none), the plain request.
          let sent
          try { sent = o.beacon && o.beacon(url, b) } catch (e) {}
          if (!sent) o.send(url, b, 1)
        }
      } else if (queue.length && !busy) {
        busy = 1
        const done = () => {
          busy = 0
          if (queue.length) queue.length >= BATCH ? flush() : arm()
        }
        // A failed batch is not retried: the page's next spans matter more than old ones.
        Promise.resolve(o.send(url, body(queue.splice(0, BATCH)))).then(done, done)
      }
    } catch (e) {
      busy = 0
      warn('could not send spans: ' + e)
    }
  }

  return {
    flush,
    dropped: () => dropped,
    end(ctx, prefix, method, start, r) {
      try {
        const u = ctx.url
        // server.address and server.port (default port written out), from the absolute URL.
        const m = /^(\w+):\/\/(?:\[([^\]]*)\]|([^:/?#]*))(?::(\d+))?/.exec(u) || []
        const status = r.status || undefined
        const bad = r.error || status >= 500
        queue.push({
          traceId: ctx.traceId,
          spanId: ctx.spanId,
          name: `${prefix}:${method} ${u.replace(/[?#].*/, '')}`,
          'kind': 3, // CLIENT; quoted: the build shortens the SDK's own `kind` properties (mangleProps)
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
        if (queue.length > MAX) {
          queue.shift()
          if (!dropped++) warn('span queue full: dropping the oldest')
        }
        queue.length >= BATCH ? flush() : arm()
      } catch (e) {
        warn('could not end a span: ' + e)
      }
    }
  }
}
