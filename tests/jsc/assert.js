// node:assert/strict for the mini-program tests in JavaScriptCore's shell (SPEC §5: jsc with and
// without JIT), where tests/jsc/bundle.js puts this module in its place. Only the methods those
// tests call, each with Node's strict semantics: Object.is for equality, and deepEqual as
// Node's deepStrictEqual (same prototypes and [[Class]], own enumerable string and symbol keys,
// Date, RegExp, Error, boxed primitives, typed arrays, Map and Set by content, cycles).
// tests/jsc/assert.test.js checks every method against node:assert/strict, case by case.

export class AssertionError extends Error {
  constructor({ message, actual, expected, operator, generated }) {
    super(message)
    this.name = 'AssertionError'
    this.code = 'ERR_ASSERTION'
    this.actual = actual
    this.expected = expected
    this.operator = operator
    this.generatedMessage = generated
  }
}

// A short, cycle-safe rendering of a value for failure messages (no util.inspect here).
export function show(v, depth = 0, seen = []) {
  if (typeof v == 'string') return JSON.stringify(v)
  if (typeof v == 'bigint') return `${v}n`
  if (typeof v == 'symbol' || typeof v == 'function') return String(v)
  if (Object.is(v, -0)) return '-0'
  if (v === null || typeof v != 'object') return String(v)
  if (seen.indexOf(v) >= 0) return '[Circular]'
  if (depth > 4) return Array.isArray(v) ? '[Array]' : '[Object]'
  const s = seen.concat([v])
  const tag = Object.prototype.toString.call(v).slice(8, -1)
  if (v instanceof Error) return `[${v.name}: ${v.message}]`
  if (tag == 'Date') return `Date(${isNaN(v) ? 'Invalid' : v.toISOString()})`
  if (tag == 'RegExp') return String(v)
  if (Array.isArray(v)) return `[${v.map((x) => show(x, depth + 1, s)).join(', ')}]`
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return `${tag}(${v.length}) [${Array.from(v).join(', ')}]`
  if (tag == 'Map') return `Map(${v.size}) {${Array.from(v, ([k, x]) => `${show(k, depth + 1, s)} => ${show(x, depth + 1, s)}`).join(', ')}}`
  if (tag == 'Set') return `Set(${v.size}) {${Array.from(v, (x) => show(x, depth + 1, s)).join(', ')}}`
  const keys = Reflect.ownKeys(v).filter((k) => Object.prototype.propertyIsEnumerable.call(v, k))
  return `{${keys.map((k) => `${typeof k == 'symbol' ? `[${String(k)}]` : k}: ${show(v[k], depth + 1, s)}`).join(', ')}}`
}

function fail(message, actual, expected, operator, text) {
  if (message instanceof Error) throw message
  throw new AssertionError({ message: message != null ? String(message) : text, actual, expected, operator, generated: message == null })
}

const tagOf = (v) => Object.prototype.toString.call(v)
const ownEnumerable = (o) => Reflect.ownKeys(o).filter((k) => Object.prototype.propertyIsEnumerable.call(o, k))

// Node's isDeepStrictEqual, for the kinds of values listed at the top. `memo` holds the pairs
// being compared further up, so a cycle compares equal when both sides close it alike.
function deep(a, b, memo) {
  if (Object.is(a, b)) return true
  if (typeof a != 'object' || typeof b != 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || tagOf(a) !== tagOf(b)) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  for (const [x, y] of memo) if (x === a) return y === b
  const inner = memo.concat([[a, b]])
  const tag = tagOf(a)
  if (tag == '[object Date]' && a.getTime() !== b.getTime()) return false // Node: two invalid dates differ
  if (tag == '[object RegExp]' && (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex)) return false
  if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false
  for (const [T, read] of [[Number, 'valueOf'], [String, 'valueOf'], [Boolean, 'valueOf'], [Symbol, 'valueOf'], [BigInt, 'valueOf']]) {
    let ok = true, x, y
    try { x = T.prototype[read].call(a) } catch (e) { ok = false }
    if (ok && !Object.is(x, (y = T.prototype[read].call(b)))) return false
  }
  if (tag == '[object ArrayBuffer]' || tag == '[object SharedArrayBuffer]') {
    if (a.byteLength !== b.byteLength) return false
    const x = new Uint8Array(a), y = new Uint8Array(b)
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  } else if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== b.byteLength) return false
    if (a instanceof DataView) {
      for (let i = 0; i < a.byteLength; i++) if (a.getUint8(i) !== b.getUint8(i)) return false
    } else {
      if (a.length !== b.length) return false
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false
    }
  }
  if (Array.isArray(a) && a.length !== b.length) return false
  if (tag == '[object Map]') {
    if (a.size !== b.size) return false
    const rest = new Map(b)
    outer: for (const [k, v] of a) {
      if (rest.has(k)) {
        if (!deep(v, rest.get(k), inner)) return false
        rest.delete(k)
        continue
      }
      if (typeof k != 'object' || k === null) return false
      for (const [k2, v2] of rest) {
        if (deep(k, k2, inner) && deep(v, v2, inner)) { rest.delete(k2); continue outer }
      }
      return false
    }
  }
  if (tag == '[object Set]') {
    if (a.size !== b.size) return false
    const rest = new Set(b)
    outer: for (const v of a) {
      if (rest.has(v)) { rest.delete(v); continue }
      if (typeof v != 'object' || v === null) return false
      for (const v2 of rest) if (deep(v, v2, inner)) { rest.delete(v2); continue outer }
      return false
    }
  }
  // Own enumerable keys, strings and symbols; for arrays and typed arrays the indices too.
  const ka = ownEnumerable(a), kb = ownEnumerable(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!Object.prototype.propertyIsEnumerable.call(b, k)) return false
    if (ArrayBuffer.isView(a) && typeof k == 'string' && /^\d+$/.test(k)) continue // compared above
    if (!deep(a[k], b[k], inner)) return false
  }
  return true
}

export const isDeepStrictEqual = (a, b) => deep(a, b, [])

export function ok(value, message) {
  if (!value) fail(message, value, true, '==', `The expression evaluated to a falsy value: ${show(value)}`)
}
export function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) fail(message, actual, expected, 'strictEqual', `Expected values to be strictly equal:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`)
}
export function notEqual(actual, expected, message) {
  if (Object.is(actual, expected)) fail(message, actual, expected, 'notStrictEqual', `Expected "actual" to be strictly unequal to: ${show(expected)}`)
}
export function deepEqual(actual, expected, message) {
  if (!deep(actual, expected, [])) fail(message, actual, expected, 'deepStrictEqual', `Expected values to be strictly deep-equal:\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`)
}
export function notDeepEqual(actual, expected, message) {
  if (deep(actual, expected, [])) fail(message, actual, expected, 'notDeepStrictEqual', `Expected "actual" not to be strictly deep-equal to: ${show(expected)}`)
}
function regexp(r, name) {
  if (!(r instanceof RegExp)) throw new TypeError(`The "regexp" argument of assert.${name} must be an instance of RegExp`)
}
export function match(string, r, message) {
  regexp(r, 'match')
  if (typeof string != 'string') fail(message, string, r, 'match', `The "string" argument must be of type string. Received ${show(string)}`)
  if (!r.test(string)) fail(message, string, r, 'match', `The input did not match the regular expression ${r}. Input:\n${show(string)}`)
}
export function doesNotMatch(string, r, message) {
  regexp(r, 'doesNotMatch')
  if (typeof string != 'string') fail(message, string, r, 'doesNotMatch', `The "string" argument must be of type string. Received ${show(string)}`)
  if (r.test(string)) fail(message, string, r, 'doesNotMatch', `The input was expected to not match the regular expression ${r}. Input:\n${show(string)}`)
}
export function doesNotThrow(fn, expected, message) {
  if (typeof fn != 'function') throw new TypeError('The "fn" argument of assert.doesNotThrow must be a function')
  if (typeof expected == 'string') [message, expected] = [expected, undefined]
  try { fn() } catch (e) {
    fail(message, e, expected, 'doesNotThrow', `Got unwanted exception.\nActual message: "${e && e.message}"`)
  }
}
export function throws(fn, expected, message) {
  if (typeof fn != 'function') throw new TypeError('The "fn" argument of assert.throws must be a function')
  if (typeof expected == 'string') [message, expected] = [expected, undefined]
  try { fn() } catch (e) {
    if (expected instanceof RegExp && !expected.test(String(e))) fail(message, e, expected, 'throws', `The error did not match ${expected}: ${show(e)}`)
    if (typeof expected == 'function' && expected.prototype !== undefined && !(e instanceof expected)) fail(message, e, expected, 'throws', `The error is not an instance of ${expected.name}: ${show(e)}`)
    return
  }
  fail(message, undefined, expected, 'throws', 'Missing expected exception.')
}

// node:assert/strict's export is the assert function itself, its methods as properties.
function assert(value, message) { ok(value, message) }
Object.assign(assert, {
  ok, equal, notEqual, deepEqual, notDeepEqual, match, doesNotMatch, doesNotThrow, throws, AssertionError,
  strictEqual: equal, notStrictEqual: notEqual, deepStrictEqual: deepEqual, notDeepStrictEqual: notDeepEqual
})
assert.strict = assert
export { equal as strictEqual, notEqual as notStrictEqual, deepEqual as deepStrictEqual, notDeepEqual as notDeepStrictEqual }
export default assert
