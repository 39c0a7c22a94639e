// The SDK's one prefixed logger. SPEC §2: each problem is printed once, and a config problem
// names the field, where it is and the value received; SPEC §6: logging must never throw
// into the page, whatever the console or the value looks like.

// Distinct messages already printed. Capped so a caller that warns with ever-new text
// (URLs, user values) cannot grow memory or flood the console for the life of the page.
const MAX = 100
let seen = new Set()
let sink = null
// f(), or `otherwise` when it throws.
export const safe = (f, otherwise) => {
  try { return f() } catch (e) { return otherwise }
}
export const toStr = Object.prototype.toString // taken before the page can patch it

export function warn(message) {
  try {
    const m = '[tracewire] ' + safe(() => '' + message, typeof message) // Symbol, throwing toString: its type
    if (seen.has(m) || seen.size >= MAX) return
    seen.add(m) // before printing, so a console wrapper that warns back cannot loop
    sink ? sink(m) : console.warn(m) // console read now: it may be missing, replaced or polyfilled later
  } catch (e) {}
}

// What a read of a user value answers when it throws (a getter, a Proxy trap, a revoked
// Proxy): invalid for every config check, and shown as such.
export const THREW = Symbol()

// Any value as a short text for a warning, never throwing: strings quoted and cut at 40
// characters, numbers as written (-0, NaN, Infinity, 5n), booleans, null and undefined,
// functions by their source, RegExps and errors as they print, other objects by their tag
// alone. Whatever throws on the way (a Proxy, a toString of the value's own) leaves the best
// text found so far, and no text passes 60 characters.
export function show(v) {
  let s = typeof v
  try {
    s = v === THREW ? 'a getter that throws'
      : s == 'string' ? JSON.stringify(v.slice(0, 40)) + (v[40] ? '...' : '')
      : v && s == 'object' && !/RegExp|Error/.test(s = toStr.call(v)) ? s
      : Object.is(v, -0) ? '-0' : String(v) + (s == 'bigint' ? 'n' : '')
  } catch (e) {}
  return s.slice(0, 60)
}

// SPEC §2: a config value that cannot be used, where it is, what was received and what is
// used instead.
export const invalid = (path, value, expected, instead) => warn(`${path} must be ${expected}, got ${show(value)}; ${instead}`)

// For tests: capture output instead of console.warn; null restores it. Forgets what was printed.
export function setSink(fn) {
  sink = typeof fn == 'function' ? fn : null
  seen = new Set()
}
