import { test } from 'node:test'
import assert from 'node:assert/strict'
import { webSession } from '../js/session.js'

const MIN = 60e3
const HEX32 = /^[0-9a-f]{32}$/

// sessionStorage-like: string values, like the real one.
const fakeStorage = () => {
  const m = new Map()
  return {
    m,
    getItem: k => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
  }
}
const clock = (t = 1_700_000_000_000) => {
  const c = () => t
  c.add = ms => (t += ms)
  return c
}

test('a session id is 32 lower-case hex chars and stays the same between calls', () => {
  const now = clock()
  const sid = webSession(fakeStorage(), now)
  const a = sid()
  assert.match(a, HEX32)
  now.add(1000)
  assert.equal(sid(), a)
})

test('the id and the last activity are kept in storage under tracewire.sid as "id|ms"', () => {
  const s = fakeStorage(), now = clock(5000)
  const id = webSession(s, now)()
  assert.equal(s.m.get('tracewire.sid'), `${id}|5000`)
  assert.equal(s.m.size, 1)
})

test('the session is renewed after 30 minutes without activity, not before', () => {
  const now = clock()
  const sid = webSession(fakeStorage(), now)
  const a = sid()
  now.add(30 * MIN - 1)
  assert.equal(sid(), a, 'just under 30 minutes idle keeps the session')
  now.add(30 * MIN)
  const b = sid()
  assert.notEqual(b, a, '30 minutes idle starts a new session')
  assert.match(b, HEX32)
})

test('each call counts as activity, so a busy session lives longer than 30 minutes', () => {
  const now = clock()
  const sid = webSession(fakeStorage(), now)
  const a = sid()
  for (let i = 0; i < 10; i++) { now.add(20 * MIN); assert.equal(sid(), a) }
})

test('two copies of the SDK sharing the storage share the session', () => {
  const s = fakeStorage(), now = clock()
  const one = webSession(s, now), two = webSession(s, now)
  const a = one()
  assert.equal(two(), a)
  now.add(31 * MIN)
  const b = two() // renewed by the second copy...
  assert.notEqual(b, a)
  assert.equal(one(), b) // ...and adopted by the first, which stored an older id in memory
})

test('a session id found in storage from an earlier page load is continued', () => {
  const s = fakeStorage(), now = clock(100 * MIN)
  s.setItem('tracewire.sid', `${'ab'.repeat(16)}|${100 * MIN - 5 * MIN}`)
  assert.equal(webSession(s, now)(), 'ab'.repeat(16))
  s.setItem('tracewire.sid', `${'cd'.repeat(16)}|${100 * MIN - 31 * MIN}`)
  assert.notEqual(webSession(s, now)(), 'cd'.repeat(16), 'an expired stored session is not continued')
})

test('garbage under the key is replaced by a fresh session', () => {
  for (const junk of ['', 'x', '{"id":1}', 'ABCDEF0123456789ABCDEF0123456789|1', `${'a'.repeat(31)}|1`, `${'a'.repeat(32)}|soon`]) {
    const s = fakeStorage(), now = clock()
    s.setItem('tracewire.sid', junk)
    const id = webSession(s, now)()
    assert.match(id, HEX32)
    assert.notEqual(id.toUpperCase(), junk.split('|')[0].toUpperCase())
    assert.equal(s.m.get('tracewire.sid'), `${id}|${now()}`)
  }
})

test('without storage, or with a storage that throws, the session lives in memory', () => {
  const throwing = {
    getItem() { throw new Error('SecurityError') },
    setItem() { throw new Error('QuotaExceededError') },
  }
  for (const storage of [undefined, null, {}, throwing]) {
    const now = clock()
    const sid = webSession(storage, now)
    const a = sid()
    assert.match(a, HEX32)
    now.add(29 * MIN)
    assert.equal(sid(), a)
    now.add(31 * MIN)
    assert.notEqual(sid(), a)
  }
})

test('a storage that can be read but not written still keeps one session', () => {
  const s = fakeStorage(), now = clock()
  s.setItem = () => { throw new Error('QuotaExceededError') }
  const sid = webSession(s, now)
  const a = sid()
  now.add(MIN)
  assert.equal(sid(), a)
})

test('a broken clock never throws and never renews the session on every call', () => {
  for (const now of [() => { throw new Error('no clock') }, () => NaN, () => undefined, 'not a function']) {
    const sid = webSession(fakeStorage(), now)
    const a = sid()
    assert.match(a, HEX32)
    assert.equal(sid(), a)
  }
})

test('ids are unique and their hex digits are evenly spread', () => {
  const ids = new Set(), counts = new Array(16).fill(0)
  for (let i = 0; i < 2000; i++) {
    const id = webSession(undefined, clock())()
    ids.add(id)
    for (const c of id) counts[parseInt(c, 16)]++
  }
  assert.equal(ids.size, 2000)
  const mean = (2000 * 32) / 16 // 4000 per digit; a 10% band is > 6 standard deviations
  for (const n of counts) assert.ok(Math.abs(n - mean) < mean * 0.1, `digit count ${n} far from ${mean}`)
})

test('crypto.getRandomValues is used when present, Math.random only without it', (t) => {
  const desc = Object.getOwnPropertyDescriptor(globalThis, 'crypto')
  const random = t.mock.method(Math, 'random')
  try {
    webSession(undefined, clock())()
    assert.equal(random.mock.callCount(), 0, 'crypto present: Math.random untouched')

    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true })
    const id = webSession(undefined, clock())()
    assert.match(id, HEX32)
    assert.equal(random.mock.callCount(), 16, 'crypto missing: one Math.random per byte')

    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues() { throw new Error('no entropy') } }, configurable: true })
    assert.match(webSession(undefined, clock())(), HEX32)
  } finally {
    Object.defineProperty(globalThis, 'crypto', desc)
  }
})
