// tests/jsc/assert.js, the node:assert/strict of the jsc runs, against Node's own: for every case
// below, both pass or both throw an AssertionError, and a given message is the one thrown.
import { test } from 'node:test'
import node from 'node:assert/strict'
import { inspect } from 'node:util'
import mine from './assert.js'

const sym = Symbol('k')
const cycle = () => { const o = { a: [1] }; o.self = o; o.a.push(o); return o }
const withExtra = (a, k, v) => Object.assign(a, { [k]: v })
const hidden = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: false })
class Point { constructor(x) { this.x = x } }
const sparse = [1, , 3] // eslint-disable-line no-sparse-arrays

// [a, b] pairs for deepEqual and notDeepEqual; equal and notEqual take them too.
const PAIRS = [
  [1, 1], [1, '1'], [NaN, NaN], [0, -0], [null, undefined], ['a', 'a'], [1n, 1n], [true, 1],
  [{ a: 1 }, { a: 1 }], [{ a: 1 }, { a: 1, b: undefined }], [{ a: undefined }, { b: undefined }],
  [{ a: { b: [1, { c: 'd' }] } }, { a: { b: [1, { c: 'd' }] } }], [{ a: { b: [1, { c: 'd' }] } }, { a: { b: [1, { c: 'e' }] } }],
  [[1, 2], [1, 2]], [[1, 2], [2, 1]], [sparse, [1, undefined, 3]], [[], {}], [[1], [1, 2]],
  [Object.assign(Object.create(null), { a: 1 }), { a: 1 }], [new Point(1), { x: 1 }], [new Point(1), new Point(1)],
  [new Date(0), new Date(0)], [new Date(0), new Date(1)], [new Date(NaN), new Date(NaN)], [new Date(0), {}],
  [/a/g, /a/g], [/a/g, /a/i], [/a/, /b/],
  [new Error('x'), new Error('x')], [new Error('x'), new TypeError('x')], [new Error('x'), new Error('y')],
  [new Number(1), new Number(1)], [new Number(1), new Number(2)], [new String('a'), 'a'], [new String('ab'), new String('ab')],
  [new Boolean(true), new Boolean(false)], [Object(sym), Object(sym)], [Object(1n), Object(2n)],
  [new Uint8Array([1, 2]), new Uint8Array([1, 2])], [new Uint8Array([1, 2]), new Uint8Array([1, 3])],
  [new Uint8Array([1, 2]), new Int8Array([1, 2])], [new Uint8Array([1]), [1]], [new Float64Array([0]), new Float64Array([-0])],
  [new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]).buffer], [new Uint8Array([1, 2]).buffer, new Uint8Array([1, 3]).buffer],
  [new DataView(new Uint8Array([1]).buffer), new DataView(new Uint8Array([1]).buffer)], [new DataView(new Uint8Array([1]).buffer), new DataView(new Uint8Array([2]).buffer)],
  [new Map([[1, { a: 1 }], [2, 'b']]), new Map([[2, 'b'], [1, { a: 1 }]])], [new Map([[1, { a: 1 }]]), new Map([[1, { a: 2 }]])],
  [new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 1 }, 'v']])], [new Map([[{ k: 1 }, 'v']]), new Map([[{ k: 2 }, 'v']])], [new Map([[1, 'a']]), new Map([[2, 'a']])],
  [new Set([1, 2]), new Set([2, 1])], [new Set([1, 2]), new Set([1, 3])], [new Set([{ a: 1 }]), new Set([{ a: 1 }])], [new Set([{ a: 1 }]), new Set([{ a: 2 }])],
  [new Set([1]), new Map([[1, 1]])],
  [{ [sym]: 1 }, { [sym]: 1 }], [{ [sym]: 1 }, {}], [{ [sym]: 1 }, { [sym]: 2 }],
  [hidden({ a: 1 }, 'b', 1), { a: 1 }], [withExtra([1], 'x', 1), [1]], [withExtra([1], 'x', 1), withExtra([1], 'x', 1)],
  [cycle(), cycle()], [cycle(), { a: [1], self: {} }],
  [Math.max, Math.max], [Math.max, Math.min], [{ f: Math.max }, { f: Math.max }],
  [new WeakMap(), new WeakMap()], [Promise.resolve(1), Promise.resolve(2)]
]
const show = (v) => inspect(v, { depth: 3, breakLength: Infinity })

// What a call of one implementation did: 'pass', 'assertion' (AssertionError, ERR_ASSERTION,
// with its message), or the error's constructor's name for anything else.
function outcome(f) {
  try { f(); return 'pass' } catch (e) {
    return e && e.name == 'AssertionError' && e.code == 'ERR_ASSERTION' ? 'assertion' : e && e.constructor && e.constructor.name
  }
}
function same(method, ...args) {
  const want = outcome(() => node[method](...args))
  node.equal(outcome(() => mine[method](...args)), want, `${method}(${args.map(show).join(', ')}): Node's gives ${want}`)
  return want
}

test('deepEqual and notDeepEqual agree with Node\'s strict ones on every pair, and each pair fails one of them', () => {
  const seen = new Set()
  for (const [a, b] of PAIRS) {
    const x = same('deepEqual', a, b), y = same('notDeepEqual', a, b)
    node.notEqual(x, y, `exactly one of deepEqual and notDeepEqual passes on ${show(a)}, ${show(b)}`)
    seen.add(x)
  }
  node.deepEqual([...seen].sort(), ['assertion', 'pass'], 'the control: the table has pairs of both kinds')
})

test('equal, notEqual, strictEqual and ok agree with Node\'s on every pair', () => {
  for (const [a, b] of PAIRS) {
    for (const m of ['equal', 'notEqual', 'strictEqual', 'notStrictEqual']) same(m, a, b)
    same('ok', a)
  }
  for (const v of [0, '', null, undefined, NaN, 0n, false, -0, 'x', 1, {}, []]) same('ok', v)
})

test('match and doesNotMatch agree with Node\'s, non-strings fail, and a non-RegExp is a TypeError', () => {
  for (const s of ['abc', 'ABC', '', 'a\nb', 1, null, undefined, { toString: () => 'abc' }]) {
    for (const r of [/b/, /^b/, /b$/m, /B/i, /^$/]) {
      same('match', s, r)
      same('doesNotMatch', s, r)
    }
  }
  node.equal(same('match', 'abc', 'b'), 'TypeError')
  node.equal(same('doesNotMatch', 'abc', 'b'), 'TypeError')
})

test('doesNotThrow and throws agree with Node\'s on throwing and quiet functions', () => {
  const boom = () => { throw new TypeError('boom') }
  const quiet = () => 1
  for (const f of [boom, quiet]) {
    same('doesNotThrow', f)
    same('doesNotThrow', f, 'with a message')
    same('throws', f)
    same('throws', f, TypeError)
    same('throws', f, /boom/)
  }
  same('throws', boom, RangeError)
  same('throws', boom, /nothing/)
  node.equal(same('doesNotThrow', 'not a function'), 'TypeError')
})

test('a message given is the message thrown, an Error given is thrown itself, and a generated message shows both values', () => {
  const e = new RangeError('mine')
  for (const impl of [node, mine]) {
    node.throws(() => impl.equal(1, 2, 'one is not two'), { message: /^one is not two/, actual: 1, expected: 2, operator: 'strictEqual' })
    node.throws(() => impl.deepEqual({ a: 1 }, {}, e), (x) => x === e)
    node.throws(() => impl.ok(0, 'falsy'), { message: 'falsy', generatedMessage: false })
  }
  node.throws(() => mine.deepEqual({ a: [1, 'x'] }, { a: [2] }), (x) => /\{a: \[1, "x"\]\}/.test(x.message) && /\{a: \[2\]\}/.test(x.message) && x.generatedMessage)
  node.throws(() => mine.deepEqual(cycle(), {}), /\[Circular\]/)
  node.equal(mine.strict, mine)
  node.equal(typeof mine, 'function')
  node.throws(() => mine(false), { code: 'ERR_ASSERTION' })
})
