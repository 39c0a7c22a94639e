import { test, beforeEach, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import vm from 'node:vm'
import { warn, setSink, show } from '../js/log.js'
import { readTracing, PROPAGATORS } from '../js/config.js'

let out
beforeEach(() => { out = []; setSink((m) => out.push(m)) })
afterEach(() => setSink(null))

const DEFAULTS = { _sample: 100, _tracestate: true, _baggage: false, _corsGuard: true, _propagators: ['tracecontext'], _rules: [] }
const boom = () => { throw new Error('boom') }
const throwing = (key) => Object.defineProperty({}, key, { get: boom, enumerable: true })
const deepFreeze = (o) => { if (!Object.isFrozen(o)) { Object.freeze(o); Object.values(o).forEach((v) => v && typeof v == 'object' && deepFreeze(v)) } return o }
// Every trap throws: the worst object a page can hand us.
const hostile = () => new Proxy({}, Object.fromEntries(
  ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf'].map((k) => [k, boom])))
const BAD_GETTER = Symbol('throwing getter')
const revoked = () => { const p = Proxy.revocable([], {}); p.revoke(); return p.proxy }

// ---- defaults and on/off ----

test('tracing: true gives exactly the documented defaults with no warning', () => {
  assert.deepEqual(readTracing(true, 'web'), DEFAULTS)
  assert.deepEqual(out, [])
})

test('an empty object and the literal documented object both equal tracing: true', () => {
  assert.deepEqual(readTracing({}, 'web'), DEFAULTS)
  assert.deepEqual(readTracing({ enable: true, sample: 100, tracestate: true, allowedUrls: [], baggage: false }, 'web'), DEFAULTS)
  assert.deepEqual(out, [])
})

test('falsy values turn tracing off without a warning', () => {
  for (const v of [false, undefined, null, 0, -0, '', NaN, 0n]) assert.equal(readTracing(v, 'web'), null, String(v))
  assert.equal(readTracing(), null)
  assert.deepEqual(out, [])
})

test('a non-object truthy value counts as true with one warning naming the value', () => {
  for (const [v, shown] of [[1, '1'], ['yes', '"yes"'], [() => true, '() => true'], [Symbol('x'), 'Symbol(x)'], [1n, '1n'], [['b3'], '[object Array]'],
    [new Proxy(function () {}, { get: boom }), 'function']]) {
    setSink((m) => out.push(m)); out = []
    assert.deepEqual(readTracing(v, 'web'), DEFAULTS)
    assert.deepEqual(out, [`[tracewire] tracing must be true, false or an object, got ${shown}; using true`])
  }
})

test('enable: false turns tracing off without reading or warning about other fields', () => {
  assert.equal(readTracing({ enable: false, sample: 'bad', propagatorTypes: 5 }, 'web'), null)
  assert.deepEqual(out, [])
})

test('an invalid enable counts as true with one warning naming tracing.enable and the value', () => {
  for (const [t, shown] of [[{ enable: 0 }, '0'], [{ enable: 'false' }, '"false"'], [{ enable: null }, 'null'], [throwing('enable'), 'a getter that throws']]) {
    setSink((m) => out.push(m)); out = []
    assert.deepEqual(readTracing(t, 'web'), DEFAULTS)
    assert.deepEqual(out, [`[tracewire] tracing.enable must be a boolean, got ${shown}; using true`])
  }
})

// ---- scalar fields ----

test('sample keeps any finite number from 0 to 100 and turns -0 into 0', () => {
  for (const s of [0, 0.5, 37, 99.99, 100]) assert.equal(readTracing({ sample: s })._sample, s)
  assert.ok(Object.is(readTracing({ sample: -0 })._sample, 0))
  assert.deepEqual(out, [])
})

test('an invalid sample becomes 100 with one warning naming tracing.sample and the value', () => {
  for (const [t, shown] of [[{ sample: NaN }, 'NaN'], [{ sample: Infinity }, 'Infinity'], [{ sample: -Infinity }, '-Infinity'], [{ sample: -1 }, '-1'],
    [{ sample: 100.5 }, '100.5'], [{ sample: '50' }, '"50"'], [{ sample: null }, 'null'], [{ sample: true }, 'true'],
    [{ sample: new Number(5) }, '[object Number]'], [{ sample: 5n }, '5n'], [throwing('sample'), 'a getter that throws']]) {
    setSink((m) => out.push(m)); out = []
    assert.equal(readTracing(t)._sample, 100)
    assert.deepEqual(out, [`[tracewire] tracing.sample must be a number from 0 to 100, got ${shown}; using 100`])
  }
})

test('tracestate, baggage and corsGuard keep booleans', () => {
  const r = readTracing({ tracestate: false, baggage: true, corsGuard: false })
  assert.equal(r._tracestate, false)
  assert.equal(r._baggage, true)
  assert.equal(r._corsGuard, false)
  assert.deepEqual(out, [])
})

test('an invalid tracestate, baggage or corsGuard falls back to its default with one warning naming the field', () => {
  for (const [k, d] of [['tracestate', true], ['baggage', false], ['corsGuard', true]]) {
    for (const [v, shown] of [[1, '1'], ['false', '"false"'], [null, 'null'], [{}, '[object Object]'], [BAD_GETTER, 'a getter that throws']]) {
      setSink((m) => out.push(m)); out = []
      const r = readTracing(v === BAD_GETTER ? throwing(k) : { [k]: v })
      assert.deepEqual(r, DEFAULTS)
      assert.deepEqual(out, [`[tracewire] tracing.${k} must be a boolean, got ${shown}; using ${d}`])
    }
  }
})

// ---- propagatorTypes ----

test('PROPAGATORS lists the five supported names', () => {
  assert.deepEqual(PROPAGATORS, ['tracecontext', 'b3', 'b3multi', 'jaeger', 'sw8'])
})

test('propagatorTypes accepts one name or a list, keeps the user order and drops duplicates', () => {
  assert.deepEqual(readTracing({ propagatorTypes: 'b3' })._propagators, ['b3'])
  assert.deepEqual(readTracing({ propagatorTypes: ['jaeger', 'b3multi', 'tracecontext'] })._propagators, ['jaeger', 'b3multi', 'tracecontext'])
  assert.deepEqual(readTracing({ propagatorTypes: ['b3', 'jaeger', 'b3', 'jaeger'] })._propagators, ['b3', 'jaeger'])
  assert.deepEqual(out, [])
})

const KNOWN = 'one of tracecontext, b3, b3multi, jaeger, sw8'

test('unknown propagator names are dropped with one warning each, naming the item and the value', () => {
  const r = readTracing({ propagatorTypes: ['B3', 'b3', 'zipkin', 7, 'jaeger', 'zipkin'] })
  assert.deepEqual(r._propagators, ['b3', 'jaeger'])
  assert.deepEqual(out, [
    `[tracewire] tracing.propagatorTypes[0] must be ${KNOWN}, got "B3"; ignoring it`,
    `[tracewire] tracing.propagatorTypes[2] must be ${KNOWN}, got "zipkin"; ignoring it`,
    `[tracewire] tracing.propagatorTypes[3] must be ${KNOWN}, got 7; ignoring it`,
    `[tracewire] tracing.propagatorTypes[5] must be ${KNOWN}, got "zipkin"; ignoring it`
  ])
})

test('propagatorTypes with no known name left falls back to tracecontext with a warning', () => {
  assert.deepEqual(readTracing({ propagatorTypes: ['otlp'] })._propagators, ['tracecontext'])
  assert.deepEqual(out, [
    `[tracewire] tracing.propagatorTypes[0] must be ${KNOWN}, got "otlp"; ignoring it`,
    `[tracewire] tracing.propagatorTypes must be a list with ${KNOWN}, got [object Array]; using tracecontext`
  ])
  out = []; setSink((m) => out.push(m))
  assert.deepEqual(readTracing({ propagatorTypes: [] })._propagators, ['tracecontext'])
  assert.deepEqual(out, [`[tracewire] tracing.propagatorTypes must be a list with ${KNOWN}, got [object Array]; using tracecontext`])
  out = []; setSink((m) => out.push(m))
  assert.deepEqual(readTracing({ propagatorTypes: 'otlp' })._propagators, ['tracecontext'])
  assert.deepEqual(out, [`[tracewire] tracing.propagatorTypes must be ${KNOWN}, got "otlp"; using tracecontext`])
})

test('propagatorTypes of a wrong type falls back to tracecontext with one warning naming the value', () => {
  for (const [t, shown] of [[{ propagatorTypes: 5 }, '5'], [{ propagatorTypes: null }, 'null'], [{ propagatorTypes: { 0: 'b3', length: 1 } }, '[object Object]'],
    [{ propagatorTypes: revoked() }, 'object'], [throwing('propagatorTypes'), 'a getter that throws']]) {
    setSink((m) => out.push(m)); out = []
    assert.deepEqual(readTracing(t)._propagators, ['tracecontext'])
    assert.deepEqual(out, [`[tracewire] tracing.propagatorTypes must be a propagator name or a list, got ${shown}; using tracecontext`])
  }
})

test('two different bad propagatorTypes print two distinct warnings, each naming its value and place', () => {
  readTracing({ propagatorTypes: 'zipkin' })
  readTracing({ propagatorTypes: ['b3', 'zipkin'] })
  assert.deepEqual(out, [
    `[tracewire] tracing.propagatorTypes must be ${KNOWN}, got "zipkin"; using tracecontext`,
    `[tracewire] tracing.propagatorTypes[1] must be ${KNOWN}, got "zipkin"; ignoring it`
  ])
})

test('a top-level list containing sw8 becomes only sw8', () => {
  assert.deepEqual(readTracing({ propagatorTypes: ['b3', 'sw8', 'tracecontext'] })._propagators, ['sw8'])
  assert.deepEqual(readTracing({ propagatorTypes: 'sw8' })._propagators, ['sw8'])
  assert.deepEqual(out, [])
})

// ---- allowedUrls ----

test('rules keep the user order and each resolves its own propagators or the top-level list', () => {
  const fn = () => true
  const r = readTracing({
    propagatorTypes: ['b3', 'jaeger'],
    allowedUrls: [
      'https://a.example',
      /b\.example/,
      fn,
      { match: 'https://c.example', propagatorTypes: 'tracecontext' },
      { match: 'https://d.example', propagatorTypes: [] },
      { match: 'https://e.example' },
      { match: 'https://f.example', propagatorTypes: ['b3multi', 'b3multi', 'jaeger'] }
    ]
  })
  const top = ['b3', 'jaeger']
  assert.deepEqual(r._rules.map((x) => [x._kind, String(x._match), x._propagators]), [
    ['string', 'https://a.example', top],
    ['regexp', '/b\\.example/', top],
    ['function', String(fn), top],
    ['string', 'https://c.example', ['tracecontext']],
    ['string', 'https://d.example', top],
    ['string', 'https://e.example', top],
    ['string', 'https://f.example', ['b3multi', 'jaeger']]
  ])
  assert.equal(r._rules[2]._match, fn)
  assert.deepEqual(out, [])
})

test('a rule whose names are all unknown uses the top-level list and warns about each name where it is', () => {
  const r = readTracing({ propagatorTypes: 'jaeger', allowedUrls: ['https://z', { match: 'https://a', propagatorTypes: ['x', 'y'] }, { match: 'https://b', propagatorTypes: 'w' }] })
  assert.deepEqual(r._rules.map((x) => x._propagators), [['jaeger'], ['jaeger'], ['jaeger']])
  assert.deepEqual(out, [
    `[tracewire] tracing.allowedUrls[1].propagatorTypes[0] must be ${KNOWN}, got "x"; ignoring it`,
    `[tracewire] tracing.allowedUrls[1].propagatorTypes[1] must be ${KNOWN}, got "y"; ignoring it`,
    `[tracewire] tracing.allowedUrls[2].propagatorTypes must be ${KNOWN}, got "w"; using tracing.propagatorTypes`
  ])
})

test('a rule whose propagatorTypes has a wrong type uses the top-level list with one warning', () => {
  const r = readTracing({ propagatorTypes: 'b3', allowedUrls: [{ match: 'https://a', propagatorTypes: 3 }] })
  assert.deepEqual(r._rules[0]._propagators, ['b3'])
  assert.deepEqual(out, ['[tracewire] tracing.allowedUrls[0].propagatorTypes must be a propagator name or a list, got 3; using tracing.propagatorTypes'])
})

test('sw8 takes precedence inside a rule and through the top-level fallback', () => {
  const r = readTracing({ propagatorTypes: ['sw8', 'b3'], allowedUrls: [{ match: 'https://a', propagatorTypes: ['tracecontext', 'sw8'] }, 'https://b', { match: 'https://c', propagatorTypes: 'b3' }] })
  assert.deepEqual(r._rules.map((x) => x._propagators), [['sw8'], ['sw8'], ['b3']])
})

test('a RegExp rule is a fresh copy, so the caller\'s regexp and its lastIndex are never touched', () => {
  const re = /api/gi
  re.lastIndex = 5
  const r = readTracing({ allowedUrls: [re, { match: re }] })
  for (const { _kind: kind, _match: match } of r._rules) {
    assert.equal(kind, 'regexp')
    assert.notEqual(match, re)
    assert.equal(match.source, 'api')
    assert.equal(match.flags, 'gi')
    match.lastIndex = 0
    assert.equal(match.test('https://API.example'), true)
  }
  assert.equal(re.lastIndex, 5)
  assert.deepEqual(Object.keys(re), [])
})

test('a RegExp from another realm is recognised and a forged one is refused', () => {
  const other = vm.runInNewContext('/x+/y')
  const forged = { [Symbol.toStringTag]: 'RegExp' }
  const r = readTracing({ allowedUrls: [other, forged] })
  assert.equal(r._rules.length, 1)
  assert.ok(r._rules[0]._match instanceof RegExp)
  assert.equal(String(r._rules[0]._match), '/x+/y')
  assert.deepEqual(out, ['[tracewire] tracing.allowedUrls[1] must be a non-empty string, a RegExp or a function, got [object RegExp]; ignoring it'])
})

test('invalid allowedUrls items are dropped with a warning naming the item, or its match, and the value', () => {
  const bad = [['', '', '""'], [5, '', '5'], [null, '', 'null'], [undefined, '', 'undefined'], [true, '', 'true'], [{}, '.match', 'undefined'],
    [{ match: '' }, '.match', '""'], [{ match: 5 }, '.match', '5'], [{ match: { match: 'x' } }, '.match', '[object Object]'],
    [['https://x'], '.match', 'undefined'], [Symbol('s'), '', 'Symbol(s)'], [hostile(), '.match', 'a getter that throws']]
  const r = readTracing({ allowedUrls: ['https://first', ...bad.map((b) => b[0]), 'https://last'] })
  assert.deepEqual(r._rules.map((x) => x._match), ['https://first', 'https://last'])
  assert.deepEqual(out, bad.map(([, at, shown], i) => `[tracewire] tracing.allowedUrls[${i + 1}]${at} must be a non-empty string, a RegExp or a function, got ${shown}; ignoring it`))
})

test('a non-array allowedUrls counts as [] with one warning naming the value, and an absent one silently', () => {
  for (const [v, shown] of [['https://a', '"https://a"'], [{ 0: 'https://a', length: 1 }, '[object Object]'], [5, '5'], [null, 'null'], [/x/, '/x/'], [revoked(), 'object']]) {
    setSink((m) => out.push(m)); out = []
    assert.deepEqual(readTracing({ allowedUrls: v })._rules, [])
    assert.deepEqual(out, [`[tracewire] tracing.allowedUrls must be an array, got ${shown}; using []`])
  }
  out = []; setSink((m) => out.push(m))
  assert.deepEqual(readTracing({ allowedUrls: undefined })._rules, [])
  assert.deepEqual(out, [])
})

test('holes in allowedUrls are dropped like undefined items', () => {
  // eslint-disable-next-line no-sparse-arrays
  const r = readTracing({ allowedUrls: [, 'https://a', , 'https://b'] })
  assert.deepEqual(r._rules.map((x) => x._match), ['https://a', 'https://b'])
  assert.deepEqual(out.map((m) => m.match(/\[(\d+)\]/)[1]), ['0', '2'])
})

test('allowedUrls keeps the first 64 items of a 100 000-item array and warns once', () => {
  const urls = Array.from({ length: 100000 }, (_, i) => 'https://h' + i)
  let reads = 0
  const r = readTracing({ allowedUrls: new Proxy(urls, { get: (t, k) => (reads++, t[k]) }) })
  assert.equal(r._rules.length, 64)
  assert.equal(r._rules[63]._match, 'https://h63')
  assert.ok(reads < 70, 'read ' + reads + ' items')
  assert.deepEqual(out, ['[tracewire] tracing.allowedUrls must be at most 64 items, got [object Array]; using the first 64'])
})

test('a sparse array of length 2^32-1 is read in bounded time', { timeout: 5000 }, () => {
  const a = []
  a.length = 2 ** 32 - 1
  const r = readTracing({ propagatorTypes: a, allowedUrls: a })
  assert.deepEqual(r._propagators, ['tracecontext'])
  assert.deepEqual(r._rules, [])
})

// ---- hostile input ----

test('a tracing object whose every getter throws yields the defaults with one warning per field', () => {
  const t = {}
  for (const k of ['enable', 'sample', 'tracestate', 'baggage', 'corsGuard', 'propagatorTypes', 'allowedUrls']) Object.defineProperty(t, k, { get: boom })
  assert.deepEqual(readTracing(t), DEFAULTS)
  assert.equal(out.length, 7)
  for (const k of ['enable', 'sample', 'tracestate', 'baggage', 'corsGuard', 'propagatorTypes', 'allowedUrls']) {
    assert.ok(out.some((m) => m.startsWith(`[tracewire] tracing.${k} must be `) && m.includes(', got a getter that throws; ')), k)
  }
})

test('a Proxy whose traps all throw, or a revoked Proxy, never throws', () => {
  assert.deepEqual(readTracing(hostile()), DEFAULTS)
  assert.deepEqual(readTracing(Proxy.revocable({}, {}).proxy, 'web'), DEFAULTS)
  const r = Proxy.revocable({}, {}); r.revoke()
  assert.deepEqual(readTracing(r.proxy, 'miniapp'), DEFAULTS)
  assert.doesNotThrow(() => readTracing({ allowedUrls: [hostile(), { match: hostile(), propagatorTypes: hostile() }], propagatorTypes: [hostile()] }))
})

test('each field of tracing is read exactly once', () => {
  const reads = {}
  readTracing(new Proxy({ sample: 5, propagatorTypes: ['b3'], allowedUrls: ['https://a'] }, {
    get: (t, k) => { reads[String(k)] = (reads[String(k)] || 0) + 1; return t[k] }
  }))
  assert.deepEqual(reads, { enable: 1, sample: 1, tracestate: 1, baggage: 1, corsGuard: 1, propagatorTypes: 1, allowedUrls: 1 })
})

test('an array Proxy whose length or items throw counts as invalid instead of throwing', () => {
  const badLen = new Proxy([], { get: (t, k) => { if (k === 'length') throw new Error('len'); return t[k] } })
  const badItem = new Proxy(['https://a', 'https://b'], { get: (t, k) => { if (k === '0') throw new Error('item'); return t[k] } })
  const r = readTracing({ allowedUrls: badItem, propagatorTypes: badLen })
  assert.deepEqual(r._propagators, ['tracecontext'])
  assert.deepEqual(r._rules.map((x) => x._match), ['https://b'])
  assert.ok(out.includes('[tracewire] tracing.allowedUrls[0] must be a non-empty string, a RegExp or a function, got a getter that throws; ignoring it'))
})

test('a RegExp whose source or flags getter throws is dropped with a warning', () => {
  const re = /x/
  Object.defineProperty(re, 'flags', { get: boom })
  assert.deepEqual(readTracing({ allowedUrls: [re] })._rules, [])
  // The warning's rendering of the value meets the same getter and falls back to its tag.
  assert.deepEqual(out, ['[tracewire] tracing.allowedUrls[0] must be a non-empty string, a RegExp or a function, got [object RegExp]; ignoring it'])
})

test('frozen and cyclic inputs are read without throwing and are left unchanged', () => {
  const re = /z/g
  const t = { sample: 10, propagatorTypes: ['b3'], allowedUrls: [re, { match: 'https://a', propagatorTypes: ['jaeger'] }] }
  t.self = t
  t.allowedUrls.push(t.allowedUrls)
  const before = JSON.stringify({ ...t, self: 0, allowedUrls: t.allowedUrls.slice(0, 2) })
  deepFreeze(t)
  const r = readTracing(t, 'web')
  assert.equal(r._sample, 10)
  assert.equal(r._rules.length, 2)
  assert.equal(JSON.stringify({ ...t, self: 0, allowedUrls: t.allowedUrls.slice(0, 2) }), before)
  assert.deepEqual(Reflect.ownKeys(t), ['sample', 'propagatorTypes', 'allowedUrls', 'self'])
  assert.deepEqual(Reflect.ownKeys(re), ['lastIndex'])
})

test('user functions are stored, never called, while the config is read', () => {
  let calls = 0
  const fn = () => { calls++; return true }
  const notRe = { get source() { calls++; return 'x' }, get flags() { calls++; return '' } }
  const r = readTracing({ allowedUrls: [fn, { match: fn }, { match: notRe }] })
  assert.equal(calls, 0)
  assert.equal(r._rules.length, 2)
  assert.equal(r._rules[0]._match, fn)
  assert.equal(r._rules[1]._match, fn)
})

test('a throwing toString on a propagator name cannot break the warning', () => {
  const evil = { toString: boom, valueOf: boom }
  assert.deepEqual(readTracing({ propagatorTypes: [evil, Symbol('s'), 'b3'] })._propagators, ['b3'])
  assert.equal(out.length, 2)
})

test('appType adds no rule: mini programs and pages alike get only the user rules', () => {
  assert.deepEqual(readTracing(true, 'miniapp')._rules, [])
  assert.deepEqual(readTracing({ allowedUrls: ['https://a'] }, 'web')._rules.length, 1)
})

// ---- warnings ----

test('the same problem read again prints nothing new; the same field with another value prints its own warning', () => {
  readTracing({ sample: -1 })
  readTracing({ sample: 'x' })
  readTracing({ sample: -1, baggage: 1 })
  readTracing({ sample: 150 })
  readTracing({ sample: -5 })
  assert.deepEqual(out, [
    '[tracewire] tracing.sample must be a number from 0 to 100, got -1; using 100',
    '[tracewire] tracing.sample must be a number from 0 to 100, got "x"; using 100',
    '[tracewire] tracing.baggage must be a boolean, got 1; using false',
    '[tracewire] tracing.sample must be a number from 0 to 100, got 150; using 100',
    '[tracewire] tracing.sample must be a number from 0 to 100, got -5; using 100'
  ])
})

// ---- log.js ----

test('show renders every kind of value as a short text', () => {
  function named(url) { return url }
  const cases = [
    ['https://api.example', '"https://api.example"'],
    ['x'.repeat(100), `"${'x'.repeat(40)}"...`],
    ['a\r\nb"', '"a\\r\\nb\\""'],
    [0, '0'], [-0, '-0'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [1.5e300, '1.5e+300'], [12n, '12n'],
    [true, 'true'], [false, 'false'], [null, 'null'], [undefined, 'undefined'],
    [Symbol('s'), 'Symbol(s)'], [Symbol(), 'Symbol()'],
    [named, 'function named(url) { return url }'], [(u) => u.length > 0, '(u) => u.length > 0'],
    [/api\.example/gi, '/api\\.example/gi'], [new TypeError('bad'), 'TypeError: bad'],
    [{ a: 1 }, '[object Object]'], [[1, 2], '[object Array]'], [new Map(), '[object Map]'], [Object.create(null), '[object Object]'],
    [new Number(5), '[object Number]']
  ]
  for (const [v, want] of cases) assert.equal(show(v), want)
})

test('show never throws on hostile values, never runs an object\'s own toString, and stays short', () => {
  let calls = 0
  const counted = { toString() { calls++; return 'x' }, valueOf() { calls++; return 1 } }
  const long = { [Symbol.toStringTag]: 'T'.repeat(1000) }
  const hostiles = [
    hostile(), revoked(), new Proxy(function () {}, { get: boom }), new Proxy(/x/, { get: boom }),
    { toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom }, counted, long,
    Object.defineProperty(/x/, 'source', { get: boom }), Object.defineProperty(new Error('e'), 'message', { get: boom }),
    { [Symbol.toStringTag]: 'RegExp', toString: boom }, Object.assign(Symbol('d'.repeat(500)), {}),
    (() => { const f = () => 1; Object.defineProperty(f, 'toString', { value: boom }); return f })()
  ]
  for (const v of hostiles) {
    let s
    assert.doesNotThrow(() => { s = show(v) })
    assert.equal(typeof s, 'string')
    assert.ok(s.length > 0 && s.length <= 60, JSON.stringify(s))
  }
  assert.equal(calls, 0, 'an object is shown by its tag alone')
  assert.equal(show(hostile()), 'object')
  assert.equal(show(long), `[object ${'T'.repeat(52)}`)
})

test('a hostile value in a config field gives one warning that names the field, never an exception', () => {
  for (const v of [hostile(), revoked(), { toString: boom, [Symbol.toPrimitive]: boom }, new Proxy(/x/, { get: boom })]) {
    setSink((m) => out.push(m)); out = []
    assert.doesNotThrow(() => readTracing({ sample: v, propagatorTypes: [v, 'b3'], allowedUrls: [v] }))
    assert.equal(out.length, 3, JSON.stringify(out))
    assert.ok(out[0].startsWith('[tracewire] tracing.sample must be a number from 0 to 100, got '), out[0])
    assert.ok(out[1].startsWith('[tracewire] tracing.propagatorTypes[0] must be one of '), out[1])
    assert.ok(out[2].startsWith('[tracewire] tracing.allowedUrls[0]'), out[2])
  }
})

test('warn prefixes the message and prints each distinct message once', () => {
  warn('a'); warn('b'); warn('a')
  assert.deepEqual(out, ['[tracewire] a', '[tracewire] b'])
})

test('setSink clears the memory of printed messages', () => {
  warn('a')
  setSink((m) => out.push(m))
  warn('a')
  assert.deepEqual(out, ['[tracewire] a', '[tracewire] a'])
})

test('setSink(null) restores console.warn', () => {
  const saved = console.warn
  const seen = []
  console.warn = (m) => seen.push(m)
  try {
    setSink(null)
    warn('to console')
  } finally { console.warn = saved }
  assert.deepEqual(seen, ['[tracewire] to console'])
  assert.deepEqual(out, [])
})

test('warn never throws when console is missing, lacks warn, or warn throws', () => {
  setSink(null)
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'console')
  try {
    delete globalThis.console
    assert.doesNotThrow(() => warn('no console'))
    globalThis.console = undefined
    assert.doesNotThrow(() => warn('undefined console'))
    globalThis.console = {}
    assert.doesNotThrow(() => warn('no warn'))
    globalThis.console = { warn: boom }
    assert.doesNotThrow(() => warn('throwing warn'))
    globalThis.console = new Proxy({}, { get: boom })
    assert.doesNotThrow(() => warn('hostile console'))
    assert.doesNotThrow(() => readTracing({ sample: -5 }))
  } finally { Object.defineProperty(globalThis, 'console', saved) }
})

test('warn never throws for non-string messages or a throwing sink', () => {
  for (const m of [undefined, null, 42, {}, Symbol('s'), { toString: boom }]) assert.doesNotThrow(() => warn(m))
  // Unprintable messages fall back to their type, so they still print once.
  assert.deepEqual(out, ['undefined', 'null', '42', '[object Object]', 'symbol', 'object'].map((m) => '[tracewire] ' + m))
  setSink(boom)
  assert.doesNotThrow(() => warn('sink throws'))
})

test('warn stops printing after 100 distinct messages so memory stays bounded', () => {
  for (let i = 0; i < 150; i++) warn('m' + i)
  assert.equal(out.length, 100)
  assert.equal(out[99], '[tracewire] m99')
})
