// createTracer (SPEC §1): the per-request decision and header set, on top of the engine.
// Shared by the web SDK, the mini-program SDK and any other HTTP client.
import { readTracing } from './config.js'
import { warn } from './log.js'
import { randomHex } from './random.js'
import { REC_SW8, CTX_TRACESTATE, CTX_BAGGAGE, CTX_SW8 } from './engine.js'

const NAMES = {
  tracecontext: ['traceparent'],
  b3: ['b3'],
  b3multi: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'],
  jaeger: ['uber-trace-id'],
  sw8: ['sw8']
}

// Every propagator a config can send: its rules', and the top-level list (the default rule's).
const used = (cfg) => cfg.rules.reduce((all, r) => all.concat(r.propagators), cfg.propagators)

// Plain text of a user value; fallback (with a warning naming the field) when it is not usable.
function text(v, field, fallback) {
  if (typeof v == 'string') return v
  if (v == null) return fallback
  try {
    const s = String(v)
    warn(`${field} should be a string; using ${JSON.stringify(s.slice(0, 40))}`)
    return s
  } catch (e) {
    warn(`${field} should be a string; ignoring it`)
    return fallback
  }
}

// A value or the answer of a function returning it (the web SDK passes live session and page).
function live(v) {
  if (typeof v != 'function') return v
  try { return v() } catch (e) { return '' }
}

// Header names a tracing config can emit (SPEC §8), in a stable order.
export function headerNames(cfg) {
  const out = []
  if (!cfg) return out
  const all = used(cfg)
  for (const p in NAMES) {
    if (all.indexOf(p) < 0) continue
    out.push(...NAMES[p])
    if (p == 'tracecontext' && cfg.tracestate) out.push('tracestate')
  }
  if (cfg.baggage) out.push('baggage')
  return out
}

// The request URL as text: a string, or an object with its own toString (URL, Location).
// Anything else is no URL: undefined or {} would become 'undefined' or '[object Object]', a
// path on the page's origin, and get headers meant for a request the client really sends
// elsewhere (its base URL, say), where they can fail a CORS preflight (SPEC §6).
function urlText(url) {
  if (typeof url == 'string') return url
  if (!url || typeof url != 'object') return null
  let s
  try { s = String(url) } catch (e) {
    // One fixed message: the error text (often the app's own) would make one warning per request.
    return warn('a request URL could not be converted to text; that request is not traced'), null
  }
  return /^\[object [^\]]*\]$/.test(s) ? null : s
}

// engine: from engine.js; o: { pid, tracing, version, baseURI, appType, sessionId, page }.
// `source` (tests only) replaces the random id records.
export function makeTracer(engine, o, random, source) {
  const app = o.appType === 'miniapp' ? 1 : 0
  const cfg = readTracing(o.tracing, app ? 'miniapp' : 'web')
  if (!cfg) return { headers: () => null, config: null }
  const pid = text(o.pid, 'pid', '')
  if (!pid) warn('pid is missing: tracestate, baggage and sw8 will carry an empty id')
  const version = text(o.version, 'version', '')
  const sid = o.sessionId == null ? randomHex(random) : o.sessionId
  // The page URL may be live (the web passes document.baseURI, which follows history
  // navigation); rules are rebuilt when it changes.
  const baseOf = () => {
    const b = live(o.baseURI)
    return b == null ? '' : text(b, 'baseURI', '')
  }
  let rawBase = baseOf(), base, set, byIndex, js, memo
  const page = o.page == null ? () => (base ? base.replace(/^[^/]*\/\/[^/]*|[?#].*$/g, '') : '/') : o.page
  // Records carry traceparent, and the sw8 ids head when some rule sends sw8. b3 and
  // uber-trace-id are the same hex ids in another order: slicing the traceparent text costs
  // a few string operations, formatting and decoding them again in the engine far more.
  const parts = used(cfg).includes('sw8') ? REC_SW8 : 0

  // Rules in SPEC §2 order: the user's, then (web, with a page URL) same origin. String rules
  // are resolved against the page and handed to the engine, which tests all of them in the
  // same call that resolves the request URL; RegExp and function rules stay here.
  function build() {
    base = rawBase && engine.norm(rawBase, '')
    const rules = cfg.rules.slice()
    if (base && !app) rules.push({ kind: 'string', match: base.slice(0, base.indexOf('/', 8) + 1), propagators: cfg.propagators })
    const strings = []
    byIndex = [] // engine rule index -> rule
    js = [] // RegExp and function rules with their place in the order
    rules.forEach((r, i) => {
      r.i = i
      r.sw8 = r.propagators[0] == 'sw8' // config.js applied the precedence: sw8 comes alone
      if (r.kind != 'string') return js.push(r)
      const abs = engine.norm(r.match, base)
      if (!abs) return warn(`tracing.allowedUrls: ${JSON.stringify(r.match.slice(0, 80))} is not an http(s) URL${base ? '' : ' (and there is no page URL to resolve it against)'}; ignoring it`)
      strings.push(abs)
      byIndex.push(r)
    })
    set = engine.rules(base, strings)
    // Pages call the same few endpoints again and again: remember each URL's decision, unless
    // a function rule could answer differently next time.
    memo = !js.some((r) => r.kind == 'function') && new Map()
  }
  build()

  // Values that change only with the session or the page, formatted by the engine when they do.
  let lastSid, lastPage, tracestate, baggage, sw8mid
  function context(needSw8) {
    const s = text(live(sid), 'sessionId', '')
    if (s !== lastSid) {
      lastSid = s
      tracestate = baggage = ''
      if (cfg.tracestate && !(tracestate = engine.ctx(CTX_TRACESTATE, app, pid, s))) warn('tracestate left out: pid and session id exceed its 256-character limit')
      if (cfg.baggage && !(baggage = engine.ctx(CTX_BAGGAGE, app, pid, s))) warn('baggage left out: it would exceed 8192 bytes')
    }
    const p = needSw8 && text(live(page), 'page', '/')
    if (needSw8 && p !== lastPage) sw8mid = engine.ctx(CTX_SW8, app, pid, version, lastPage = p)
  }

  // Record layout (src/tw.h tw_fmt_record): traceparent (55), then the sw8 ids head (94).
  const SW8 = 55
  let buf = '', len = 0, at = 0
  const next = source || (() => {
    if (at >= buf.length) {
      const b = engine.batch(0, cfg.sample, parts)
      buf = b.text
      len = b.len
      at = 0
    }
    return buf.substr((at += len) - len, len)
  })

  // The first matching rule for url, and its sw8 peer; null when nothing matches.
  function decide(url) {
    const k = engine.req(set, url)
    if (k == -2) return null
    let rule = k >= 0 ? byIndex[k] : null
    const abs = engine.abs()
    if (js.length && (!rule || js[0].i < rule.i)) {
      for (const r of js) {
        if (rule && r.i > rule.i) break
        let hit
        try {
          hit = r.kind == 'regexp' ? (r.match.lastIndex = 0, r.match.test(abs)) : r.match(abs)
        } catch (e) {
          warn('a tracing.allowedUrls function threw; counting it as no match')
        }
        if (hit) { rule = r; break }
      }
    }
    // read before the next crossing reuses the engine's output region; url: the absolute URL
    // (credentials dropped), for the request's span (SPEC §4)
    return rule && { rule, peer: rule.sw8 ? engine.peer() : '', url: abs }
  }

  function cached(url) {
    if (!memo) return decide(url)
    let d = memo.get(url)
    if (d === undefined) {
      if (memo.size >= 256) memo.clear()
      memo.set(url, d = decide(url))
    }
    return d
  }

  function headers(url) {
    if (typeof o.baseURI == 'function') {
      const b = baseOf()
      if (b !== rawBase) {
        rawBase = b
        build()
      }
    }
    const u = urlText(url)
    const d = u != null && cached(u)
    if (!d) return null
    const rule = d.rule, rec = next(), h = {}
    const tid = rec.substring(3, 35), spid = rec.substring(36, 52), s = rec[54]
    context(rule.sw8)
    // sw8 without its middle (pid, version and page past the engine's 16 KiB input) would be
    // a broken header: such a request goes untraced rather than malformed (SPEC §3).
    if (rule.sw8 && !sw8mid) return warn('sw8 left out: pid, version and page are too long'), null
    for (const p of rule.propagators) {
      if (p == 'tracecontext') {
        h.traceparent = rec.substring(0, 55)
        if (tracestate) h.tracestate = tracestate
      } else if (p == 'b3') {
        h.b3 = tid + '-' + spid + '-' + s
      } else if (p == 'b3multi') {
        h['X-B3-TraceId'] = tid
        h['X-B3-SpanId'] = spid
        h['X-B3-Sampled'] = s
      } else if (p == 'jaeger') {
        h['uber-trace-id'] = tid + ':' + spid + ':0:' + s
      } else {
        h.sw8 = rec.substr(SW8, 94) + sw8mid + d.peer
      }
    }
    if (baggage) h.baggage = baggage
    return { traceId: tid, spanId: spid, sampled: s == '1', headers: h, url: d.url }
  }

  return {
    config: cfg,
    parts,
    headers(url) {
      try {
        return headers(url)
      } catch (e) {
        warn('could not trace a request; it is sent without trace headers (' + e + ')')
        return null
      }
    }
  }
}
