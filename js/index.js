// The npm entry (SPEC §1): init for pages, createTracer for any HTTP client, corsHeaders.
// Importing patches nothing; only init does.
import { makeTracer, headerNames } from './tracer.js'
import { readTracing } from './config.js'
import { createEngine, wasmExports } from './engine.js'
import { patchWeb } from './web.js'
import { webSession } from './session.js'
import { warn } from './log.js'
import { random } from './random.js'
import bytes from '../wasm/bytes.js'
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
    const o = options || {}
    const t = makeTracer(getEngine(), {
      pid: o.pid, tracing: o.tracing, version: o.version, baseURI: o.baseURI,
      appType: o.appType, sessionId: o.sessionId, page: o.page
    }, random)
    return { headers: (url) => t.headers(url) }
  } catch (e) {
    warn('createTracer failed, nothing will be traced: ' + e)
    return OFF
  }
}

/** Patches fetch and XMLHttpRequest of the page; returns { stop() }. */
export function init(options) {
  try {
    const win = globalThis
    const o = options || {}
    let storage
    try { storage = win.sessionStorage } catch (e) {}
    const tracer = makeTracer(getEngine(), {
      pid: o.pid, tracing: o.tracing, version: o.version,
      // Live: document.baseURI follows history.pushState, and relative URLs resolve against it now.
      baseURI: win.document && (() => win.document.baseURI), appType: 'web',
      sessionId: webSession(storage, Date.now),
      page: () => win.location.pathname
    }, random)
    return tracer.config ? patchWeb(win, { start: (url) => tracer.headers(url) }) : { stop() {} }
  } catch (e) {
    warn('init failed, requests are sent untouched: ' + e)
    return { stop() {} }
  }
}

/** The header names a tracing config can send, for Access-Control-Allow-Headers (SPEC §8). */
export function corsHeaders(tracing) {
  return headerNames(readTracing(tracing, 'web'))
}

export default { init, createTracer, corsHeaders }
