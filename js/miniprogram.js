// The mini-program entry (SPEC §1, §7): `init` patches the platform's request (wx, my, dd, tt,
// swan, qq) so that requests matching tracing.allowedUrls carry trace headers. It assumes none
// of WebAssembly, TextEncoder, btoa, fetch, crypto or even globalThis: the engine is the wasm2js
// twin (SPEC §5), switched to the packaged .wasm through WXWebAssembly on WeChat when it loads.
// Never imports js/web.js nor wasm/bytes.js's packed module: neither fetch patching nor inlined wasm ships here.
import { makeTracer } from './tracer.js'
import { createEngine } from './engine.js'
import { invalid, show, warn } from './log.js'
import { createExporter, VERSION, TIMEOUT } from './export.js'
import { session, SESSION_KEY } from './session.js'
import { randomHex } from './random.js'
import twin from '../wasm/tracewire.wasm2js.js'

const KEY = Symbol.for('tracewire.miniprogram') // shared by every copy of the SDK (SPEC §6)
// Where the tool chain's npm build puts the file (package.json "miniprogram": dist/miniprogram).
const WASM_PATH = '/miniprogram_npm/tracewire/tracewire.wasm'
// SPEC §7 header options, the one written first when the caller used none. Alipay also takes
// `header`; an unknown platform object gets whichever of the two the caller used.
const CONTAINERS = { my: ['headers', 'header'], dd: ['headers'], other: ['header', 'headers'] }
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k)

// The platform globals, read with typeof: they are free variables of the runtime, not always
// properties of a global object. More specific first: DingTalk runs Alipay's framework, QQ also
// answers to wx.
function globals() {
  return [
    ['dd', typeof dd == 'object' && dd], ['qq', typeof qq == 'object' && qq], ['tt', typeof tt == 'object' && tt],
    ['swan', typeof swan == 'object' && swan], ['my', typeof my == 'object' && my], ['wx', typeof wx == 'object' && wx]
  ]
}
function platform(given) {
  const all = globals()
  if (given && typeof given == 'object') return [(all.find((g) => g[1] === given) || ['other'])[0], given]
  return all.find((g) => g[1] && (typeof given != 'string' || g[0] == given)) || null
}

// ---- entropy (SPEC §5) ----
// The platform's source is asynchronous (wx.getRandomValues): its bytes are pooled for the next
// seed, and each answer reseeds the engine. Until the first answer, and on platforms without
// one: crypto.getRandomValues where the runtime has it, else Math.random (warned once).
let src, pool = [], asking = 0, engine, current, twinExports
const fresh = new Set() // tracers to rebuild after a reseed, so no buffered id outlives it
function ask() {
  if (asking || !src) return
  asking = 1
  try {
    src.getRandomValues({
      length: 64,
      success(r) {
        asking = 0
        try { pool = Array.from(new Uint8Array(r.randomValues)) } catch (e) { return }
        if (engine && pool.length >= 32) reseed()
      },
      fail() { asking = 0 }
    })
  } catch (e) { asking = 0; src = null }
}
function reseed() {
  engine._use(current)
  fresh.forEach((f) => f())
}
function random(n) {
  if (pool.length >= n) {
    const b = Uint8Array.from(pool.splice(0, n))
    if (pool.length < 32) ask()
    return b
  }
  ask()
  const c = typeof crypto == 'object' && crypto
  try { if (c && c.getRandomValues) return c.getRandomValues(new Uint8Array(n)) } catch (e) {}
  if (!src) warn('no cryptographic random source on this platform: trace ids are seeded from Math.random')
  return Uint8Array.from({ length: n }, () => Math.random() * 256)
}

// ---- engine (SPEC §5) ----
// One engine per copy of the SDK. WXWebAssembly.instantiate takes only a path in the package
// and answers later; until then, and whenever it fails, the twin runs. `_use` re-uploads every
// rule set, and both forms format the same bytes.
let loading
function getEngine(p, path) {
  if (!engine) {
    if (p && typeof p.getRandomValues == 'function') src = p
    engine = createEngine(current = twinExports = twin(), random)
  }
  const W = typeof WXWebAssembly == 'object' && WXWebAssembly
  if (!loading && W && path !== false) {
    loading = 1
    const file = typeof path == 'string' ? path : WASM_PATH
    const keep = (e) => warn(`${file} did not load through WXWebAssembly (${show(e)}); the JavaScript engine keeps running`)
    try {
      W.instantiate(file).then((i) => {
        try { engine._use(current = i.exports) } catch (e) { engine._use(current = twinExports); keep(e) }
        fresh.forEach((f) => f()) // the next request already runs on the module
      }, keep)
    } catch (e) { keep(e) }
  }
  return engine
}

// ---- session and page (SPEC §3, §7) ----
// The session id lives in the platform's storage (js/session.js), so it survives page changes
// and restarts. Alipay and DingTalk take { key } objects, the others positional arguments.
function sessionOf(p, name) {
  const obj = name == 'my' || name == 'dd'
  return session(
    () => obj ? (p.getStorageSync({ key: SESSION_KEY }) || {}).data : p.getStorageSync(SESSION_KEY),
    (v) => obj ? p.setStorageSync({ key: SESSION_KEY, data: v }) : p.setStorageSync(SESSION_KEY, v),
    Date.now, () => randomHex(random))
}
// SPEC §3: the sw8 endpoint is the current page's route, as the platform writes it.
function page() {
  const ps = typeof getCurrentPages == 'function' ? getCurrentPages() : null
  const top = ps && ps[ps.length - 1]
  return top && (top.route || top.__route__) || '/'
}

// ---- request ----
// The options the platform receives: a copy with fresh header objects holding the app's headers
// then ours, or undefined to send the caller's own object untouched (not traced, headers the app
// set win, a header container that is not an object). With an exporter, a sampled request's
// end is seen through a `complete` of ours that calls the app's own one exactly as before —
// except on Alipay (my) without callbacks, where the request answers a Promise that an added
// callback would change; there `request` below watches that Promise instead (prep returns it
// as `_watch`, beside the `_options` to send).
function prep(o, names, tracer, exp, name) {
  if (!o || typeof o != 'object') return
  const t = tracer.headers(o.url)
  if (!t) return
  t.url = tracer._url // for the span (SPEC §4)
  const ours = Object.keys(t.headers).map((k) => k.toLowerCase())
  let used = names.filter((c) => o[c] != null)
  for (const c of ['header', 'headers']) {
    const h = o[c]
    if (h == null) continue
    if (typeof h != 'object') return
    // SPEC §3: any header we would write, set by the app in any case and any container.
    if (Object.keys(h).some((k) => ours.indexOf(k.toLowerCase()) >= 0)) return
  }
  if (!used.length) used = names.slice(0, 1)
  const out = {}
  for (const k in o) out[k] = o[k]
  for (const c of used) out[c] = Object.assign({}, o[c], t.headers)
  if (!exp || !t.sampled) return { _options: out }
  // SPEC §4: sampled requests become miniapp.request spans.
  const start = Date.now(), method = `${o.method || 'GET'}`.toUpperCase()
  const done = (res) => {
    const status = res && (res.statusCode || res.status) | 0
    exp.end(t, 'miniapp.request', method, start, { status, error: !status })
  }
  if (name == 'my' && !o.success && !o.fail && !o.complete) return { _options: out, _watch: done }
  const c = o.complete
  out.complete = function (res) {
    try { done(res) } catch (e) {}
    if (typeof c == 'function') return c.apply(this, arguments)
  }
  return { _options: out }
}

// SPEC §4: the exporter of a mini program's spans, when an endpoint is set. Its requests go
// through the platform's request as it was before patching, so they are never traced nor seen
// by the app; the app going to the background is the mini program's "page hidden".
function exporter(p, orig, header, o, sid) {
  if (!o.endpoint) return null
  if (typeof o.endpoint != 'string') return invalid('endpoint', o.endpoint, 'a string', 'no span is exported'), null
  const e = createExporter({
    endpoint: o.endpoint,
    resource: () => ({ 'service.name': 'rum-miniapp', 'rum.pid': o.pid, 'session.id': sid(), 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.version': VERSION }),
    // timeout (ms, in every platform's request): the platform itself closes a hung export (SPEC §4)
    send: (url, data) => new Promise((resolve) => {
      orig.call(p, { url, method: 'POST', data, timeout: TIMEOUT, [header]: { 'content-type': 'application/json' }, complete: resolve })
    }),
    now: Date.now,
    _setTimer: (f, ms) => setTimeout(f, ms),
    _clearTimer: (t) => clearTimeout(t)
  })
  try { if (typeof p.onAppHide == 'function') p.onAppHide(() => e._flush(true)) } catch (x) {}
  return e
}

/** Patches the platform's request; returns { stop(), request(options) }. Never throws. */
export function init(options) {
  let p, name
  const passThrough = function (o) { return p && p.request.apply(p, arguments) }
  try {
    const opt = options || {}
    const found = platform(opt.platform)
    if (!found) {
      warn('no mini-program platform object found (wx, my, dd, tt, swan, qq): nothing is traced')
      return { stop() {}, request: passThrough }
    }
    [name, p] = found
    const orig = p.request
    if (typeof orig != 'function') {
      warn(`${name}.request is not a function: nothing is traced`)
      return { stop() {}, request: passThrough }
    }
    if (orig[KEY] && orig[KEY]()) {
      warn(`already active on ${name}: a second init does nothing`)
      return { stop() {}, request: passThrough }
    }
    const eng = getEngine(p, opt.wasm)
    // lastSid: the session the last request carried, for the spans' resource (reading the
    // session again would count as activity)
    let lastSid
    const make = () => makeTracer(eng, {
      pid: opt.pid, tracing: opt.tracing, version: opt.version, appType: 'miniapp', sessionId: () => (lastSid = sid()), page
    }, random)
    const sid = sessionOf(p, name)
    let tracer = make()
    if (!tracer._config) return { stop() {}, request: passThrough }
    // SPEC §2: no same-origin rule in mini programs.
    if (!tracer._config._rules.length) warn('mini programs have no same-origin rule: without tracing.allowedUrls nothing is traced')
    const rebuild = () => { tracer = make() }
    fresh.add(rebuild)
    const names = CONTAINERS[name] || ['header']
    const exp = exporter(p, orig, names[0], opt, () => lastSid)

    let on = 1
    // The app's call is made outside any try block of ours, with its own `this` and arguments
    // unless we traced it (STYLE: the user's call always happens).
    const request = function request(o) {
      let t
      if (on) try { t = prep(o, names, tracer, exp, name) } catch (e) { warn(`${name}.request tracing failed, request sent untouched`) } // e may be the app's own getter's: printing it could throw
      const r = orig.apply(this, t ? [t._options].concat([].slice.call(arguments, 1)) : arguments)
      // A side branch on the app's own Promise: the app gets it unchanged.
      if (t && t._watch) try { r && typeof r.then == 'function' && r.then(t._watch, () => t._watch()) } catch (e) {}
      return r
    }
    Object.defineProperty(request, KEY, { value: () => on })
    const own = hasOwn(p, 'request')
    let patched = false
    try {
      p.request = request
      patched = p.request === request
    } catch (e) {}
    if (!patched) warn(`${name}.request cannot be patched (a frozen object, or not this app's): send traced requests with init(...).request(options)`)
    return {
      request(o) { return request.apply(p, arguments) },
      stop() {
        if (!on) return
        on = 0
        fresh.delete(rebuild)
        if (exp) exp._flush()
        // Restore only if ours is still the installed one; a wrapper on top keeps working and
        // ours below it is a pure pass-through (SPEC §6).
        try {
          if (patched && p.request === request) own ? (p.request = orig) : delete p.request
        } catch (e) {}
      }
    }
  } catch (e) {
    warn('init failed, requests sent untouched: ' + show(e))
    return { stop() {}, request: passThrough }
  }
}

export default { init }
