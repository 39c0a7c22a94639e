// Reads the user's `tracing` option (SPEC §2) into one normalised object of tracewire's own:
//   { _sample, _tracestate, _baggage, _corsGuard, _propagators, _rules }
// where each rule is { _kind: 'string' | 'regexp' | 'function', _match, _propagators, _path }.
// SPEC §6: this runs inside other people's pages, so it never throws and never writes to
// what it is given: every read of a user value is guarded, and a read that throws counts as
// an invalid value (default + one warning, SPEC §2). User functions are only stored.
import { invalid, safe, THREW, toStr } from './log.js'

export const PROPAGATORS = ['tracecontext', 'b3', 'b3multi', 'jaeger', 'sw8']

// Bounds the work done on hostile input (100 000-item or sparse 2^32 arrays).
const MAX = 64
const TOP = 'tracing.propagatorTypes'
const KNOWN = 'one of ' + PROPAGATORS.join(', ')

const get = (o, k) => safe(() => o[k], THREW)
// Cross-realm safe (instanceof fails for an iframe's RegExp).
const isRe = (v) => safe(() => toStr.call(v) == '[object RegExp]')

// Up to MAX items of a user array (holes read as undefined), or undefined when v is not one.
function items(v, path) {
  let n = safe(() => Array.isArray(v) && v.length >>> 0)
  if (typeof n != 'number') return
  if (n > MAX) invalid(path, v, `at most ${MAX} items`, `using the first ${n = MAX}`)
  return Array.from({ length: n }, (_, i) => get(v, i))
}

// Known names, deduplicated, in the user's order; `fallback` when absent, of a wrong type or
// empty (SPEC §2: a rule without propagatorTypes, or with an empty or all-unknown list, uses
// the top-level list). Without a fallback, as at the top level, an empty list is warned about too.
function propagators(v, path, fallback) {
  if (v === undefined) return fallback
  const one = typeof v == 'string', list = one ? [v] : items(v, path)
  const instead = 'using ' + (fallback ? TOP : 'tracecontext')
  if (!list) return invalid(path, v, 'a propagator name or a list', instead), fallback
  const out = []
  list.forEach((p, i) => {
    if (!PROPAGATORS.includes(p)) invalid(one ? path : `${path}[${i}]`, p, KNOWN, one ? instead : 'ignoring it')
    else if (!out.includes(p)) out.push(p)
  })
  // SPEC §2: sw8 takes precedence, only sw8 is sent.
  if (out.includes('sw8')) return ['sw8']
  if (out.length) return out
  if (!fallback && !one) invalid(path, v, 'a list with ' + KNOWN, instead)
  return fallback
}

// The rule of allowedUrls[i]; undefined (warned) when the item is not one.
function rule(v, i, top) {
  const path = `tracing.allowedUrls[${i}]`
  const obj = v && typeof v == 'object' && !isRe(v)
  const m = obj ? get(v, 'match') : v
  // A RegExp is copied, so resetting its lastIndex (SPEC §2 URL matching) never touches the
  // user's; a fake with a forged Symbol.toStringTag has no string source/flags and is refused.
  const re = typeof m == 'object' && safe(() => {
    const s = isRe(m) && m.source, f = s && m.flags
    return typeof s == 'string' && typeof f == 'string' && new RegExp(s, f)
  })
  const kind = re ? 'regexp' : (typeof m == 'string' ? m : typeof m == 'function') && typeof m
  const at = obj ? path + '.match' : path
  if (!kind) return invalid(at, m, 'a non-empty string, a RegExp or a function', 'ignoring it')
  return { _kind: kind, _match: re || m, _propagators: obj ? propagators(get(v, 'propagatorTypes'), path + '.propagatorTypes', top) : top, _path: at }
}

// A value of d's type; for numbers, from 0 to 100 (NaN and ±Infinity fail; booleans always
// pass the range test). Anything else but undefined is warned about.
function field(t, k, d, expected) {
  const v = get(t, k)
  if (typeof v == typeof d && v >= 0 && v <= 100) return v
  if (v !== undefined) invalid('tracing.' + k, v, expected, 'using ' + d)
  return d
}

// null when tracing is off. The web-only same-origin rule is the tracer's to add (SPEC §2).
export function readTracing(t) {
  if (!t) return null
  if (typeof t != 'object' || safe(() => Array.isArray(t))) {
    if (t !== true) invalid('tracing', t, 'true, false or an object', 'using true')
    t = {}
  }
  if (!field(t, 'enable', true, 'a boolean')) return null
  const sample = field(t, 'sample', 100, 'a number from 0 to 100')
  const tracestate = field(t, 'tracestate', true, 'a boolean')
  const baggage = field(t, 'baggage', false, 'a boolean')
  const corsGuard = field(t, 'corsGuard', true, 'a boolean') // SPEC §8, web only

  const top = propagators(get(t, 'propagatorTypes'), TOP) || ['tracecontext']

  const rules = []
  const urls = get(t, 'allowedUrls')
  const list = urls === undefined ? [] : items(urls, 'tracing.allowedUrls')
  if (!list) invalid('tracing.allowedUrls', urls, 'an array', 'using []')
  else list.forEach((v, i) => (v = rule(v, i, top)) && rules.push(v))

  return {
    _sample: sample + 0, // -0 -> 0
    _tracestate: tracestate,
    _baggage: baggage,
    _corsGuard: corsGuard,
    _propagators: top,
    _rules: rules
  }
}
