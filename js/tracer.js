// createTracer (SPEC §1): the per-request decision and header set, on top of the engine.
// Shared by the web SDK, the mini-program SDK and any other HTTP client.
import { readTracing, PROPAGATORS } from './config.js'
import { invalid, show, warn } from './log.js'
import { randomHex } from './random.js'
import { REC_SW8, AT_TRACE, AT_SW8, CTX_TRACESTATE, CTX_BAGGAGE, CTX_SW8 } from './engine.js'

// The headers each propagator writes (SPEC §3), lower case as CORS lists them (SPEC §8).
const NAMES = {
  tracecontext: ['traceparent'],
  b3: ['b3'],
  b3multi: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'],
  jaeger: ['uber-trace-id'],
  sw8: ['sw8']
}

// Every propagator a config can send: its rules', and the top-level list (the default rule's).
const used = (cfg) => cfg._rules.reduce((all, r) => all.concat(r._propagators), cfg._propagators)

// Header names a tracing config can emit (SPEC §8), in a stable order.
export function headerNames(cfg) {
  const out = []
  if (!cfg) return out
  const all = used(cfg)
  for (const p in NAMES) {
    if (all.indexOf(p) < 0) continue
    out.push(...NAMES[p])
    if (p == 'tracecontext' && cfg._tracestate) out.push('tracestate')
  }
  if (cfg._baggage) out.push('baggage')
  return out
}

// A user option as text, read with the config: when it is not a string, its text (or the
// fallback when it has none), and a warning naming the option and the value (SPEC §2).
function text(v, path, fallback) {
  if (typeof v == 'string') return v
  if (v == null) return fallback
  try {
    const s = String(v)
    invalid(path, v, 'a string', 'using ' + show(s))
    return s
  } catch (e) {
    invalid(path, v, 'a string', 'ignoring it')
    return fallback
  }
}

// A value read again on every request: the answer of a function of tracewire's own (the web
// SDK's document.baseURI, session and path, which move with the page; the mini program's
// route), '' when it throws and the fallback when it is not a string; or a user's value,
// read once with the config.
function reader(v, path, fallback) {
  if (typeof v != 'function') {
    v = text(v, path, fallback)
    return () => v
  }
  return () => {
    let s = ''
    try { s = v() } catch (e) {}
    return typeof s == 'string' ? s : fallback
  }
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
    return warn("a request URL's toString threw; request not traced"), null
  }
  return /^\[object [^\]]*\]$/.test(s) ? null : s
}

// The rules for one page URL, in SPEC §2 order: the user's, then (web, with a page URL) same
// origin. String rules are resolved against the page and handed to the engine, which tests
// all of them in the same call that resolves the request URL; RegExp and function rules stay here.
function ruleTable(engine, cfg, base, app) {
  const rules = cfg._rules.slice(), strings = []
  const table = {
    // SPEC §3: the sw8 endpoint by default, the page URL's path
    _path: base ? base.replace(/^[^/]*\/\/[^/]*|[?#].*$/g, '') : '/',
    _origin: base.slice(0, base.indexOf('/', 8)),
    _byIndex: [], // engine rule index -> rule
    _scripted: [] // RegExp and function rules, with their place in the order
  }
  if (base && !app) rules.push({ _kind: 'string', _match: table._origin + '/', _propagators: cfg._propagators })
  rules.forEach((r, i) => {
    r._index = i
    // the propagators as bits of PROPAGATORS' order: tracecontext 1, b3 2, b3multi 4, jaeger 8,
    // sw8 16 (config.js applied the precedence: sw8 comes alone)
    r._bits = r._propagators.reduce((b, p) => b | 1 << PROPAGATORS.indexOf(p), 0)
    if (r._kind != 'string') return table._scripted.push(r)
    const abs = engine._norm(r._match, base)
    if (!abs) return invalid(r._path, r._match, 'an http(s) URL', base ? 'ignoring it' : 'ignoring it (no baseURI)')
    strings.push(abs)
    table._byIndex.push(r)
  })
  table._set = engine._rules(base, strings)
  // Pages call the same few endpoints again and again: remember each URL's decision, unless
  // a function rule could answer differently next time.
  table._memo = !table._scripted.some((r) => r._kind == 'function') && new Map()
  return table
}

// The first rule of the table that url matches, with the absolute URL and the sw8 peer the
// engine found for it; null when none does, or url is not traceable.
function match(engine, table, url) {
  const k = engine._req(table._set, url)
  if (k == -2) return null
  let rule = k >= 0 ? table._byIndex[k] : null
  const abs = engine._abs(url[0] == '/' && url[1] != '/' ? table._origin + url : url), scripted = table._scripted
  if (scripted.length && (!rule || scripted[0]._index < rule._index)) {
    for (const r of scripted) {
      if (rule && r._index > rule._index) break
      let hit
      try {
        hit = r._kind == 'regexp' ? (r._match.lastIndex = 0, r._match.test(abs)) : r._match(abs)
      } catch (e) {
        warn(r._path + ' threw; counting it as no match')
      }
      if (hit) { rule = r; break }
    }
  }
  // Read now: the next crossing reuses the engine's output region. url: the absolute URL
  // (credentials dropped), for the request's span (SPEC §4).
  return rule && { _rule: rule, _peer: rule._bits & SW8 ? engine._peer(abs) : '', _url: abs }
}

const TRACECONTEXT = 1, B3 = 2, B3MULTI = 4, JAEGER = 8, SW8 = 16

// engine: from engine.js; options: { pid, tracing, version, baseURI, appType, sessionId, page },
// each read once; baseURI, sessionId and page may be functions of tracewire's own, read again
// on every request. `source` (tests only) replaces the engine's batches of id records.
export function makeTracer(engine, options, random, source) {
  const { pid: pidOption, tracing, version: versionOption, baseURI, appType, sessionId, page: pageOption } = options
  const app = appType === 'miniapp' ? 1 : 0
  const cfg = readTracing(tracing)
  if (!cfg) return { headers: () => null, _config: null }
  const pid = text(pidOption, 'pid', '')
  if (!pid) invalid('pid', pidOption, 'a non-empty string', 'using ""')
  const version = text(versionOption, 'version', '') || '1.0.0' // sw8's instance (SPEC §3)
  const session = reader(sessionId == null ? randomHex(random) : sessionId, 'sessionId', '')
  // The page URL may be live (the web passes document.baseURI, which follows history
  // navigation); the rule table is rebuilt when it changes.
  const pageURL = baseURI == null ? () => '' : reader(baseURI, 'baseURI', '')
  const page = pageOption == null ? () => table._path : reader(pageOption, 'page', '/')
  // Records carry traceparent, and the sw8 ids head when some rule sends sw8.
  const parts = used(cfg).includes('sw8') ? REC_SW8 : 0
  const batch = source || (() => engine._batch(0, cfg._sample, parts))
  // the rule table and the last URL's decision; the id records, and the next one's offset;
  // the context values, and the session and page they were formatted for
  let rawBase, table, lastURL, lastDecision, buf = '', at = 0, len = 0, raw
  let sid, tracestate, baggage, pageNow, sw8Middle

  function rules() {
    const b = pageURL()
    if (b !== rawBase) {
      rawBase = b
      lastURL = undefined
      table = ruleTable(engine, cfg, b && engine._norm(b, ''), app)
    }
  }

  // The decision for a URL text: the memo's (pages call the same few endpoints again and
  // again), else the engine's (SPEC §2).
  function decide(url) {
    const memo = table._memo
    let d = memo ? memo.get(url) : undefined
    if (d === undefined) {
      d = match(engine, table, url)
      if (memo) {
        if (memo.size >= 256) memo.clear()
        memo.set(url, d)
      }
    }
    if (memo) lastURL = url, lastDecision = d
    return d
  }

  // Values that change only with the session, formatted by the engine when it does.
  function context() {
    const s = session()
    if (s !== sid) {
      sid = s
      tracestate = cfg._tracestate && engine._ctx(CTX_TRACESTATE, app, pid, s)
      baggage = cfg._baggage && engine._ctx(CTX_BAGGAGE, app, pid, s)
      if (tracestate === '') warn('tracestate left out: pid and session id too long')
      if (baggage === '') warn('baggage left out: pid and session id too long')
    }
  }

  rules()
  let failed
  // headers answers SPEC §1's four fields; _url is the absolute URL of the request it last
  // traced, which init and the mini program put on the span.
  const tracer = {
    _config: cfg,
    _parts: parts,
    // SPEC §1: { traceId, spanId, sampled, headers } or null. The call that repeats the last
    // URL, the common one, makes no call of its own but the string slicing (SPEC §5: under an
    // interpreter every call and operation is paid for).
    headers(url) {
      try {
        rules()
        const u = typeof url == 'string' ? url : urlText(url)
        const d = u === lastURL ? lastDecision : u != null && decide(u)
        if (!d) return null
        const bits = d._rule._bits
        context()
        if (bits & SW8) {
          const p = page()
          if (p !== pageNow) sw8Middle = engine._ctx(CTX_SW8, app, pid, version, pageNow = p)
          // sw8 without its middle (pid, version and page past the engine's 16 KiB input)
          // would be a broken header: such a request goes untraced rather than malformed
          // (SPEC §3).
          if (!sw8Middle) return warn('sw8 left out: pid, version and page too long'), null
        }
        // One record a request, sliced from the batch's text (src/tw_w.h layout): the trace
        // and span ids of the traceparent, and sw8's ids; or, raw, the two ids alone, all
        // with the batch's flag (js/engine.js). The headers take the ids in their shapes.
        if (at >= buf.length) {
          const b = batch()
          buf = b._text
          len = b._length
          raw = b._raw
          at = 0
        }
        const r = at, t = raw ? r : r + AT_TRACE, h = {}
        at += len
        const traceId = buf.substring(t, t + 32), spanId = buf.substring(t + 32 + !raw, t + 48 + !raw), s = raw || buf[t + 51]
        if (bits & TRACECONTEXT) {
          h.traceparent = '00-' + traceId + '-' + spanId + '-0' + s
          if (tracestate) h.tracestate = tracestate
        }
        if (bits & B3) h.b3 = traceId + '-' + spanId + '-' + s
        if (bits & B3MULTI) {
          h['X-B3-TraceId'] = traceId
          h['X-B3-SpanId'] = spanId
          h['X-B3-Sampled'] = s
        }
        if (bits & JAEGER) h['uber-trace-id'] = traceId + ':' + spanId + ':0:' + s
        if (bits & SW8) {
          // SkyWalking: the base64 trace and segment ids, then the segment's parent span id 0
          // (the browser span is its first)
          const q = r + AT_SW8
          h.sw8 = s + '-' + buf.substring(q, q + 44) + '-' + buf.substring(q + 44, q + 88) + '-0-' + sw8Middle + d._peer
        }
        if (baggage) h.baggage = baggage
        // SPEC §4: the absolute URL (credentials dropped), for the request's span.
        tracer._url = d._url
        return { traceId, spanId, sampled: s == '1', headers: h }
      } catch (e) {
        // Once, with the first error: the same fault would fail every request after it.
        if (!failed) {
          failed = 1
          warn('a request could not be traced: ' + show(e))
        }
        return null
      }
    }
  }
  return tracer
}
