// The npm entry (SPEC §1): init for pages, createTracer for any HTTP client, corsHeaders.
// Importing patches nothing; only init does.
// The packed module first: bundles then hold it ahead of the code instead of between two
// stretches of it, where it cut gzip's matches short (about 40 bytes of the gzipped CDN file).
import bytes from '../wasm/bytes.js'
import { makeTracer, headerNames } from './tracer.js'
import { readTracing } from './config.js'
import { createEngine, wasmExports } from './engine.js'
import { patchWeb } from './web.js'
import { corsGuard } from './guard.js'
import { createExporter, VERSION } from './export.js'
import { webSession } from './session.js'
import { safe, show, warn } from './log.js'
import { random } from './random.js'
import twin from '../wasm/tracewire.wasm2js.js'

let engine
// The wasm module, compiled synchronously so the first request after init is traced; its
// wasm2js twin where WebAssembly is missing or refused (a CSP without 'wasm-unsafe-eval').
function getEngine() {
  return engine || (engine = createEngine(wasmExports(bytes) || twin(), random))
}

const OFF = { headers: () => null }

/** Low-level tracer for any HTTP client: headers(url, { method }) -> { traceId, spanId, sampled, headers } | null. */
export function createTracer(options) {
  try {
    return { headers: makeTracer(getEngine(), options || {}, random).headers }
  } catch (e) {
    warn('createTracer failed, nothing traced: ' + show(e))
    return OFF
  }
}

/** Patches fetch and XMLHttpRequest of the page; returns { stop() }. */
export function init(options) {
  try {
    const win = globalThis
    const o = options || {}
    let sid
    const session = webSession(safe(() => win.sessionStorage), Date.now)
    const tracer = makeTracer(getEngine(), {
      pid: o.pid, tracing: o.tracing, version: o.version,
      // Live: document.baseURI follows history.pushState, and relative URLs resolve against it now.
      baseURI: win.document && (() => win.document.baseURI), appType: 'web',
      // The last session id a request carried, for the spans' resource (reading it again
      // would count as activity).
      sessionId: () => (sid = session()),
      page: () => win.location.pathname
    }, random)
    if (!tracer._config) return { stop() {} }
    const perf = win.performance
    // Span times: the page's monotonic clock on the epoch (sub-millisecond), as OpenTelemetry's
    // web SDK does; Date.now where there is no such clock.
    const now = perf && perf.timeOrigin ? () => perf.timeOrigin + perf.now() : Date.now
    const exp = spans(win, o, () => sid, now)
    const hooks = {
      start(url, method) {
        const ctx = tracer.headers(url)
        // SPEC §4: sampled requests only become spans.
        if (ctx && exp && ctx.sampled) ctx._method = method, ctx._start = now(), ctx.url = tracer._url
        return ctx
      },
      end: (ctx, r) => ctx._start && exp.end(ctx, 'browser.request', ctx._method, ctx._start, r)
    }
    // SPEC §8: tracing never breaks a request, unless tracing.corsGuard is false.
    const h = patchWeb(win, tracer._config._corsGuard ? corsGuard(win, hooks, tracer) : hooks)
    return {
      stop() {
        h.stop()
        exp && exp.stop()
      }
    }
  } catch (e) {
    warn('init failed, requests sent untouched: ' + show(e))
    return { stop() {} }
  }
}

// SPEC §4: the exporter of init's spans, when an endpoint is set; null otherwise. Its requests
// go through the fetch found now, before patching, so they are never traced (SPEC §6), and
// never reach the application: a dead endpoint only loses spans.
function spans(win, o, sid, now) {
  const e = o.endpoint, fetch = win.fetch, nav = win.navigator, doc = win.document, R = win.Request
  if (!e) return null
  if (typeof e != 'string' || typeof fetch != 'function') return warn('endpoint ignored: not a string, or no fetch'), null
  // SPEC §4: sendBeacon only where fetch has no keepalive. Request's `keepalive` attribute came
  // with the init member it reflects, in the same release of each engine (Chromium 66, Safari
  // 13, Firefox 133), so it is on the prototype exactly where keepalive is honoured.
  const beacon = !(R && 'keepalive' in R.prototype) && nav && nav.sendBeacon
  const exp = createExporter({
    endpoint: e,
    resource: () => ({ 'service.name': 'rum-browser', 'rum.pid': o.pid, 'session.id': sid(), 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.version': VERSION }),
    // keep: the page is being hidden. credentials 'omit': a collector answering CORS with `*`,
    // or allowing no credentials, still receives it; sendBeacon always sends credentials.
    send: (url, body, keep, signal) => keep && beacon ? beacon.call(nav, url, new Blob([body], { type: 'application/json' }))
      : fetch.call(win, url, { method: 'POST', body, keepalive: keep, credentials: 'omit', headers: { 'Content-Type': 'application/json' }, signal }),
    now,
    _setTimer: (f, ms) => win.setTimeout(f, ms),
    _clearTimer: (t) => win.clearTimeout(t)
  })
  // Hidden is the last moment a page is sure to see (SPEC §4: no batch lost on navigation).
  const hide = () => doc.visibilityState == 'hidden' && exp._flush(true)
  const bye = () => exp._flush(true)
  if (doc) doc.addEventListener('visibilitychange', hide)
  if (win.addEventListener) win.addEventListener('pagehide', bye)
  return {
    end: exp.end,
    // Spans of requests still in flight are still recorded, and sent by the timer.
    stop() {
      if (doc) doc.removeEventListener('visibilitychange', hide)
      if (win.removeEventListener) win.removeEventListener('pagehide', bye)
      exp._flush()
    }
  }
}

/** The header names a tracing config can send, for Access-Control-Allow-Headers (SPEC §8). */
export function corsHeaders(tracing) {
  return headerNames(readTracing(tracing, 'web'))
}

export default { init, createTracer, corsHeaders }
