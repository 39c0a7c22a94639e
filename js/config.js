// Reads the user's `tracing` option (SPEC §2) into one normalised object.
// SPEC §6: this runs inside other people's pages, so it never throws and never writes to
// what it is given: every read of a user value is guarded, and a read that throws counts as
// an invalid value (default + one warning, SPEC §2). User functions are only stored.
import { warn } from './log.js'

export const PROPAGATORS = ['tracecontext', 'b3', 'b3multi', 'jaeger', 'sw8']

// Bounds the work done on hostile input (100 000-item or sparse 2^32 arrays).
const MAX = 64
const P = 'tracing.propagatorTypes'
const toStr = Object.prototype.toString // taken before the page can patch it

// f(), or null when it throws (a getter, a Proxy trap, a revoked Proxy): for a read, a value
// invalid for every check below.
const safe = (f) => {
  try { return f() } catch (e) { return null }
}
const get = (o, k) => safe(() => o[k])
// Cross-realm safe (instanceof fails for an iframe's RegExp).
const isRe = (v) => safe(() => toStr.call(v) == '[object RegExp]')

// Up to MAX items of a user array (holes read as undefined), or undefined when v is not one.
function items(v, path) {
  let n = safe(() => Array.isArray(v) && v.length >>> 0)
  if (typeof n != 'number') return
  if (n > MAX) warn(path + ' has more than ' + MAX + ' items; using the first ' + (n = MAX))
  return Array.from({ length: n }, (_, i) => get(v, i))
}

// Known names, deduplicated, in the user's order; d when absent, of a wrong type or empty
// (SPEC §2: a rule without propagatorTypes, or with an empty or all-unknown list, uses the
// top-level list). Without d, as at the top level, an empty list is warned about too.
function types(v, path, using, d) {
  if (v === undefined) return d
  const list = typeof v == 'string' ? [v] : items(v, path)
  if (!list) return warn(path + ' must be a propagator name or a list of them; using ' + using), d
  const out = []
  for (const p of list) {
    if (!PROPAGATORS.includes(p)) warn(path + ' has unknown propagator ' + (typeof p == 'string' ? JSON.stringify(p.slice(0, 40)) : 'of type ' + typeof p) + '; ignoring it')
    else if (!out.includes(p)) out.push(p)
  }
  // SPEC §2: sw8 takes precedence, only sw8 is sent.
  return out.includes('sw8') ? ['sw8'] : out.length ? out : d || warn(path + ' has no known propagator; using ' + using)
}

// A rule from an allowedUrls item.
function rule(v, i, top) {
  const path = 'tracing.allowedUrls[' + i + ']'
  const obj = v && typeof v == 'object' && !isRe(v)
  const m = obj ? get(v, 'match') : v
  // A RegExp is copied, so resetting its lastIndex (SPEC §2 URL matching) never touches the
  // user's; a fake with a forged Symbol.toStringTag has no string source/flags and is refused.
  const re = typeof m == 'object' && safe(() => {
    const s = isRe(m) && m.source, f = s && m.flags
    return typeof s == 'string' && typeof f == 'string' && new RegExp(s, f)
  })
  const kind = re ? 'regexp' : (typeof m == 'string' ? m : typeof m == 'function') && typeof m
  if (!kind) return warn(path + ' must be a non-empty string, a RegExp, a function or { match }; ignoring it')
  return { kind, match: re || m, propagators: obj ? types(get(v, 'propagatorTypes'), path + '.propagatorTypes', P, top) : top }
}

// A value of d's type; for numbers, from 0 to 100 (NaN and ±Infinity fail; booleans always
// pass the range test). Anything else but undefined is warned about.
function field(t, k, d, what) {
  const v = get(t, k)
  if (typeof v == typeof d && v >= 0 && v <= 100) return v
  if (v !== undefined) warn('tracing.' + k + ' must be ' + what + '; using ' + d)
  return d
}

// appType is accepted for future use: the web-only same-origin rule is added by the tracer (SPEC §2).
export function readTracing(t, appType) {
  if (!t) return null
  if (typeof t != 'object' || safe(() => Array.isArray(t))) {
    if (t !== true) warn('tracing must be true, false or an object; using true')
    t = {}
  }
  if (!field(t, 'enable', true, 'a boolean')) return null
  const sample = field(t, 'sample', 100, 'a number from 0 to 100')
  const tracestate = field(t, 'tracestate', true, 'a boolean')
  const baggage = field(t, 'baggage', false, 'a boolean')

  const top = types(get(t, 'propagatorTypes'), P, 'tracecontext') || ['tracecontext']

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
