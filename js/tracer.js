// createTracer (SPEC §1): the per-request decision and header set, on top of the engine.
// Shared by the web SDK, the mini-program SDK and any other HTTP client.
import { readTracing } from './config.js'
import { invalid, show, warn } from './log.js'
import { randomHex } from './random.js'
import { REC_SW8, CTX_TRACESTATE, CTX_BAGGAGE, CTX_SW8 } from './engine.js'

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
    _base: base,
    _byIndex: [], // engine rule index -> rule
    _scripted: [] // RegExp and function rules, with their place in the order
  }
  if (base && !app) rules.push({ _kind: 'string', _match: base.slice(0, base.indexOf('/', 8) + 1), _propagators: cfg._propagators })
  rules.forEach((r, i) => {
    r._index = i
    r._sw8 = r._propagators[0] == 'sw8' // config.js applied the precedence: sw8 comes alone
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
  const abs = engine._abs(), scripted = table._scripted
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
  return rule && { _rule: rule, _peer: rule._sw8 ? engine._peer() : '', _url: abs }
}

// Record layout (src/tw.h tw_fmt_record): traceparent (55 characters), then the sw8 ids head (94).
const SW8 = 55

// The headers of one request (SPEC §3) from its rule, record and context values. b3 and
// uber-trace-id are the traceparent's hex ids in another order: slicing its text costs a few
// string operations, formatting and decoding them again in the engine far more.
function headerSet(decision, rec, ctx) {
  const h = {}, tid = rec.substring(3, 35), spid = rec.substring(36, 52), s = rec[54]
  for (const p of decision._rule._propagators) {
    if (p == 'tracecontext') {
      h.traceparent = rec.substring(0, SW8)
      if (ctx._tracestate) h.tracestate = ctx._tracestate
    } else if (p == 'b3') {
      h.b3 = tid + '-' + spid + '-' + s
    } else if (p == 'b3multi') {
      h['X-B3-TraceId'] = tid
      h['X-B3-SpanId'] = spid
      h['X-B3-Sampled'] = s
    } else if (p == 'jaeger') {
      h['uber-trace-id'] = tid + ':' + spid + ':0:' + s
    } else {
      h.sw8 = rec.substr(SW8, 94) + ctx._sw8 + decision._peer
    }
  }
  if (ctx._baggage) h.baggage = ctx._baggage
  return { traceId: tid, spanId: spid, sampled: s == '1', headers: h }
}

// engine: from engine.js; options: { pid, tracing, version, baseURI, appType, sessionId, page },
// each read once. `source` (tests only) replaces the random id records.
export function makeTracer(engine, options, random, source) {
  const { pid: pidOption, tracing, version: versionOption, baseURI, appType, sessionId, page: pageOption } = options
  const app = appType === 'miniapp' ? 1 : 0
  const cfg = readTracing(tracing)
  if (!cfg) return { headers: () => null, _config: null }
  const pid = text(pidOption, 'pid', '')
  if (!pid) invalid('pid', pidOption, 'a non-empty string', 'using ""')
  const version = text(versionOption, 'version', '')
  const session = reader(sessionId == null ? randomHex(random) : sessionId, 'sessionId', '')
  // The page URL may be live (the web passes document.baseURI, which follows history
  // navigation); the rule table is rebuilt when it changes.
  const pageURL = baseURI == null ? () => '' : reader(baseURI, 'baseURI', '')
  const page = pageOption == null ? () => (table._base ? table._base.replace(/^[^/]*\/\/[^/]*|[?#].*$/g, '') : '/') : reader(pageOption, 'page', '/')
  // Records carry traceparent, and the sw8 ids head when some rule sends sw8.
  const parts = used(cfg).includes('sw8') ? REC_SW8 : 0
  const next = source || records(engine, cfg._sample, parts)
  const ctx = {} // the context values, and the session and page they were formatted for
  let rawBase, table

  function rules() {
    const b = pageURL()
    if (b !== rawBase) {
      rawBase = b
      table = ruleTable(engine, cfg, b && engine._norm(b, ''), app)
    }
  }

  function decide(url) {
    const memo = table._memo
    if (!memo) return match(engine, table, url)
    let d = memo.get(url)
    if (d === undefined) {
      if (memo.size >= 256) memo.clear()
      memo.set(url, d = match(engine, table, url))
    }
    return d
  }

  // Values that change only with the session or the page, formatted by the engine when they do.
  function context(sw8) {
    const s = session()
    if (s !== ctx._session) {
      ctx._session = s
      ctx._tracestate = cfg._tracestate && engine._ctx(CTX_TRACESTATE, app, pid, s)
      ctx._baggage = cfg._baggage && engine._ctx(CTX_BAGGAGE, app, pid, s)
      if (ctx._tracestate === '') warn('tracestate left out: pid and session id too long')
      if (ctx._baggage === '') warn('baggage left out: pid and session id too long')
    }
    const p = sw8 && page()
    if (sw8 && p !== ctx._page) ctx._sw8 = engine._ctx(CTX_SW8, app, pid, version, ctx._page = p)
  }

  function headers(url) {
    rules()
    const u = urlText(url)
    const d = u != null && decide(u)
    if (!d) return null
    const sw8 = d._rule._sw8, rec = next()
    context(sw8)
    // sw8 without its middle (pid, version and page past the engine's 16 KiB input) would be
    // a broken header: such a request goes untraced rather than malformed (SPEC §3).
    if (sw8 && !ctx._sw8) return warn('sw8 left out: pid, version and page too long'), null
    // SPEC §4: the absolute URL (credentials dropped), for the request's span.
    tracer._url = d._url
    return headerSet(d, rec, ctx)
  }

  rules()
  let failed
  // headers answers SPEC §1's four fields; _url is the absolute URL of the request it last
  // traced, which init and the mini program put on the span.
  const tracer = {
    _config: cfg,
    _parts: parts,
    headers(url) {
      try {
        return headers(url)
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

// Records from the engine, a batch at a time: one crossing per 64 requests.
function records(engine, sample, parts) {
  let buf = '', len = 0, at = 0
  return () => {
    if (at >= buf.length) {
      const b = engine._batch(0, sample, parts)
      buf = b._text
      len = b._length
      at = 0
    }
    return buf.substr((at += len) - len, len)
  }
}
