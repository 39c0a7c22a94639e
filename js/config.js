// Reads the user's `tracing` option (SPEC §2) into one normalised object.
// SPEC §6: this runs inside other people's pages, so it never throws and never writes to
// what it is given: every read of a user value is guarded, and a read that throws counts as
// an invalid value (default + one warning, SPEC §2). User functions are only stored.
import { warn } from './log.js'

export const PROPAGATORS = ['tracecontext', 'b3', 'b3multi', 'jaeger', 'sw8']

// Bounds the work done on hostile input (100 000-item or sparse 2^32 arrays).
const MAX = 64
const BAD = {} // a read that threw: invalid for every check below
const toStr = Object.prototype.toString // taken before the page can patch it

// f(), or d when it throws (a getter, a Proxy trap, a revoked Proxy).
const safe = (f, d) => {
  try { return f() } catch (e) { return d }
}
const get = (o, k) => safe(() => o[k], BAD)
// Cross-realm safe (instanceof fails for an iframe's RegExp).
const isRe = (v) => safe(() => toStr.call(v) == '[object RegExp]')

// Up to MAX items of a user array (holes read as undefined), or null when v is not one.
function items(v, path) {
  let n = safe(() => Array.isArray(v) ? v.length >>> 0 : -1, -1)
  if (n < 0) return null
  if (n > MAX) warn(path + ' has more than ' + MAX + ' items; using the first ' + (n = MAX))
  const out = []
  for (let i = 0; i < n; i++) out.push(get(v, i))
  return out
}

// Known names, deduplicated, in the user's order; null when absent or of a wrong type.
function types(v, path, using) {
  if (v === undefined) return null
  const list = typeof v == 'string' ? [v] : items(v, path)
  if (!list) return warn(path + ' must be a propagator name or a list of them; using ' + using), null
  const out = []
  for (const p of list) {
    if (PROPAGATORS.indexOf(p) < 0) warn(path + ' has unknown propagator ' + (typeof p == 'string' ? JSON.stringify(p.slice(0, 40)) : 'of type ' + typeof p) + '; ignoring it')
    else if (out.indexOf(p) < 0) out.push(p)
  }
  // SPEC §2: sw8 takes precedence, only sw8 is sent.
  return out.indexOf('sw8') < 0 ? out : ['sw8']
}

// A rule from an allowedUrls item; SPEC §2: a rule without propagatorTypes, or with an empty
// or all-unknown list, uses the top-level list.
function rule(v, i, top) {
  const path = 'tracing.allowedUrls[' + i + ']'
  const obj = v !== null && typeof v == 'object' && !isRe(v)
  const m = obj ? get(v, 'match') : v
  // A RegExp is copied, so resetting its lastIndex (SPEC §2 URL matching) never touches the
  // user's; a fake with a forged Symbol.toStringTag has no string source/flags and is refused.
  const re = typeof m == 'object' && safe(() => {
    const s = isRe(m) && m.source, f = s && m.flags
    return typeof s == 'string' && typeof f == 'string' && new RegExp(s, f)
  })
  const kind = typeof m == 'string' ? m && 'string' : typeof m == 'function' ? 'function' : re && 'regexp'
  if (!kind) return warn(path + ' must be a non-empty string, a RegExp, a function or { match }; ignoring it')
  const own = obj && types(get(v, 'propagatorTypes'), path + '.propagatorTypes', 'tracing.propagatorTypes')
  return { kind, match: re || m, propagators: own && own.length ? own : top }
}

function bool(t, k, d) {
  const v = get(t, k)
  if (typeof v == 'boolean') return v
  if (v !== undefined) warn('tracing.' + k + ' must be a boolean; using ' + d)
  return d
}

// appType is accepted for future use: the web-only same-origin rule is added by the tracer (SPEC §2).
export function readTracing(tracing, appType) {
  if (!tracing) return null
  let t = tracing
  if (typeof t != 'object' || safe(() => Array.isArray(t))) {
    if (t !== true) warn('tracing must be true, false or an object; using true')
    t = {}
  }
  if (!bool(t, 'enable', true)) return null

  let sample = get(t, 'sample')
  if (sample === undefined) sample = 100
  else if (!(typeof sample == 'number' && sample >= 0 && sample <= 100)) { // NaN and ±Infinity fail too
    warn('tracing.sample must be a number from 0 to 100; using 100')
    sample = 100
  }
  const tracestate = bool(t, 'tracestate', true)
  const baggage = bool(t, 'baggage', false)

  const P = 'tracing.propagatorTypes'
  let top = types(get(t, 'propagatorTypes'), P, 'tracecontext')
  if (top && !top.length) warn(P + ' has no known propagator; using tracecontext')
  if (!top || !top.length) top = ['tracecontext']

  const rules = []
  const urls = get(t, 'allowedUrls')
  const list = urls === undefined ? [] : items(urls, 'tracing.allowedUrls')
  if (!list) warn('tracing.allowedUrls must be an array; using []')
  else list.forEach((v, i) => (v = rule(v, i, top)) && rules.push(v))

  return {
    sample: sample + 0, // -0 -> 0
    tracestate,
    baggage,
    propagators: top,
    rules
  }
}
