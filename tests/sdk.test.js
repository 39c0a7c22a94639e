// The public npm surface in Node (SPEC §1, §2, §8): createTracer, corsHeaders and the
// `tracewire cors` command, as a user of the package calls them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setSink } from '../js/log.js'

// SPEC §1: importing the entry patches nothing. Taken before the import below runs.
const before = { fetch: globalThis.fetch, keys: Reflect.ownKeys(globalThis) }
const TraceWire = (await import('../js/index.js')).default
const { createTracer, corsHeaders } = TraceWire
const after = { fetch: globalThis.fetch, keys: Reflect.ownKeys(globalThis) }

const CLI = fileURLToPath(new URL('../bin/tracewire.js', import.meta.url))
const TP = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[01]$/
const PAGE = 'https://shop.example/app/page.html'

// Warnings printed while fn runs (the logger's memory of earlier messages is reset first).
function warnings(fn) {
  const out = []
  setSink((m) => out.push(m))
  try { fn() } finally { setSink(null) }
  return out
}
const names = (r) => r && Object.keys(r.headers)

test('importing the package patches nothing: fetch and the global object are unchanged', () => {
  assert.equal(typeof before.fetch, 'function', 'Node 20 has a global fetch to patch')
  assert.equal(after.fetch, before.fetch)
  assert.deepEqual(after.keys, before.keys)
  assert.equal(Symbol.for('tracewire.web') in globalThis, false)
  assert.deepEqual(Object.keys(TraceWire).sort(), ['corsHeaders', 'createTracer', 'init'])
})

// ---- createTracer ----

test('createTracer with tracing: true traces same-origin URLs of its baseURI with traceparent and tracestate', () => {
  const t = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE, sessionId: 'abc' })
  const r = t.headers('https://shop.example/api/items?x=1', { method: 'GET' })
  assert.deepEqual(Object.keys(r).sort(), ['headers', 'sampled', 'spanId', 'traceId'])
  assert.match(r.headers.traceparent, TP)
  assert.equal(r.headers.traceparent, `00-${r.traceId}-${r.spanId}-01`)
  assert.equal(r.sampled, true)
  assert.equal(r.headers.tracestate, 'rum=2&web&shop&abc')
  assert.deepEqual(names(r), ['traceparent', 'tracestate'])
})

test('the default same-origin rule compares scheme, host and port, with default ports normalised', () => {
  const t = createTracer({ pid: 'shop', tracing: true, baseURI: 'https://shop.example:443/app/' })
  for (const u of ['https://shop.example/x', 'https://SHOP.example:443/x', 'https://shop.example?q', '/x', 'x', '//shop.example/x']) {
    assert.ok(t.headers(u), `${u} is same origin`)
  }
  for (const u of ['http://shop.example/x', 'https://shop.example:8443/x', 'https://shop.example.evil.io/x', 'https://api.shop.example/x']) {
    assert.equal(t.headers(u), null, `${u} is another origin`)
  }
})

test('createTracer returns null when the URL is not traced or tracing is off', () => {
  const on = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE })
  assert.equal(on.headers('https://api.other.example/x'), null, 'cross-origin without a rule')
  assert.equal(on.headers('ftp://shop.example/x'), null, 'not http(s)')
  for (const tracing of [false, undefined, 0, '', null, { enable: false }]) {
    assert.equal(createTracer({ pid: 'shop', tracing, baseURI: PAGE }).headers(PAGE), null, `tracing: ${JSON.stringify(tracing)}`)
  }
  assert.equal(createTracer().headers(PAGE), null, 'no options at all')
})

test('without baseURI there is no default rule: nothing is traced unless a rule matches', () => {
  const none = createTracer({ pid: 'shop', tracing: true })
  assert.equal(none.headers('https://shop.example/x'), null)
  assert.equal(none.headers('/x'), null)
  const ruled = createTracer({ pid: 'shop', tracing: { allowedUrls: ['https://shop.example/api/'] } })
  assert.match(ruled.headers('https://shop.example/api/x').headers.traceparent, TP)
  assert.equal(ruled.headers('https://shop.example/other'), null, 'no same-origin fallback')
  assert.equal(ruled.headers('/api/x'), null, 'a relative URL has nothing to resolve against')
})

test('relative string rules are resolved against baseURI, and each rule keeps its propagators', () => {
  const t = createTracer({
    pid: 'shop', baseURI: PAGE,
    tracing: { allowedUrls: [{ match: 'api/', propagatorTypes: 'b3' }, { match: '/root/', propagatorTypes: ['jaeger'] }] }
  })
  // 'api/' is https://shop.example/app/api/, '/root/' is https://shop.example/root/.
  assert.deepEqual(names(t.headers('https://shop.example/app/api/x')), ['b3'])
  assert.deepEqual(names(t.headers('api/x')), ['b3'])
  assert.deepEqual(names(t.headers('https://shop.example/root/x')), ['uber-trace-id'])
  // Not under the resolved rules: the default same-origin rule answers with tracecontext.
  assert.deepEqual(names(t.headers('https://shop.example/api/x')), ['traceparent', 'tracestate'])
  assert.deepEqual(names(t.headers('https://shop.example/app/root/x')), ['traceparent', 'tracestate'])
  assert.equal(t.headers('https://cdn.example/root/x'), null)
})

test('a relative rule without baseURI is dropped with one warning naming it, its place and why', () => {
  let t
  const w = warnings(() => { t = createTracer({ pid: 'shop', tracing: { allowedUrls: [/zzz/, { match: 'api/' }] } }) })
  assert.equal(t.headers('https://shop.example/api/x'), null)
  assert.deepEqual(w, ['[tracewire] tracing.allowedUrls[1].match must be an http(s) URL, got "api/"; ignoring it (no baseURI)'])
})

test('headers never throws on odd input: it answers null and warns at most once', () => {
  const t = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE })
  const odd = [undefined, null, {}, Object.create(null), { toString() { throw 1 } }, Symbol('url'), 42, true,
    () => '/x', 'x'.repeat(100_000), 'https://shop.example/' + 'x'.repeat(100_000), 'data:text/plain,hi',
    'javascript:fetch()', 'http://[bad', 'about:blank', 'blob:https://shop.example/0f2c']
  const w = warnings(() => {
    for (let round = 0; round < 3; round++) {
      for (const u of odd) {
        let r
        assert.doesNotThrow(() => { r = t.headers(u) })
        assert.equal(r, null, `${typeof u == 'string' ? JSON.stringify(u.slice(0, 30)) : String(u?.constructor?.name ?? typeof u)} is not traced`)
      }
    }
  })
  assert.ok(w.length <= 1, `at most one warning, got ${JSON.stringify(w)}`)
  // The tracer still works after all that, and so do URL-like objects.
  assert.match(t.headers('https://shop.example/ok').headers.traceparent, TP)
  assert.match(t.headers(new URL('https://shop.example/url')).headers.traceparent, TP)
  assert.match(t.headers({ toString: () => '/app/str' }).headers.traceparent, TP)
})

test('createTracer without a sessionId keeps one random session id for its lifetime', () => {
  const sid = (t) => /^rum=2&web&shop&([0-9a-f]{32})$/.exec(t.headers('/x').headers.tracestate)[1]
  const a = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE })
  const b = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE })
  assert.equal(sid(a), sid(a))
  assert.notEqual(sid(a), sid(b))
})

test('a fresh trace id and span id for every call', () => {
  const t = createTracer({ pid: 'shop', tracing: true, baseURI: PAGE })
  const traces = new Set(), spans = new Set()
  for (let i = 0; i < 1000; i++) {
    const r = t.headers('/x')
    traces.add(r.traceId)
    spans.add(r.spanId)
  }
  assert.equal(traces.size, 1000)
  assert.equal(spans.size, 1000)
})

// ---- corsHeaders and the CLI ----

const CORS = [
  [true, ['traceparent', 'tracestate']],
  [{}, ['traceparent', 'tracestate']],
  [{ tracestate: false }, ['traceparent']],
  [{ baggage: true }, ['traceparent', 'tracestate', 'baggage']],
  [{ propagatorTypes: 'b3' }, ['b3']],
  [{ propagatorTypes: ['b3multi'] }, ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']],
  [{ propagatorTypes: ['jaeger', 'tracecontext'], tracestate: false }, ['traceparent', 'uber-trace-id']],
  [{ propagatorTypes: ['tracecontext', 'b3', 'sw8'], baggage: true }, ['sw8', 'baggage']], // sw8 precedence
  [{ allowedUrls: [{ match: 'https://api.example', propagatorTypes: ['b3multi', 'jaeger'] }] },
    ['traceparent', 'tracestate', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id']],
  [{ propagatorTypes: 'b3', allowedUrls: [{ match: 'https://api.example', propagatorTypes: 'sw8' }] }, ['b3', 'sw8']],
  [{ propagatorTypes: ['tracecontext', 'b3', 'b3multi', 'jaeger'], baggage: true },
    ['traceparent', 'tracestate', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled', 'uber-trace-id', 'baggage']],
  [{ propagatorTypes: ['nope'] }, ['traceparent', 'tracestate']], // unknown dropped, default applies
  [false, []],
  [undefined, []],
  [{ enable: false, propagatorTypes: 'b3' }, []],
]

test('corsHeaders lists exactly the headers a config can send, and nothing when tracing is off', () => {
  const w = warnings(() => {
    for (const [tracing, want] of CORS) {
      assert.deepEqual(corsHeaders(tracing), want, JSON.stringify(tracing))
    }
  })
  assert.deepEqual(w, ['[tracewire] tracing.propagatorTypes[0] must be one of tracecontext, b3, b3multi, jaeger, sw8, got "nope"; ignoring it',
    '[tracewire] tracing.propagatorTypes must be a list with one of tracecontext, b3, b3multi, jaeger, sw8, got [object Array]; using tracecontext'])
})

function cli(...args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr })
    })
  })
}

test('tracewire cors prints the same list on one comma-separated line', { timeout: 30_000 }, async () => {
  const cases = CORS.filter(([t]) => t !== undefined)
  const runs = await Promise.all(cases.map(([t]) => cli('cors', JSON.stringify(t))))
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, JSON.stringify(cases[i][0]))
    assert.equal(r.stdout, cases[i][1].join(', ') + '\n', JSON.stringify(cases[i][0]))
  })
})

test('tracewire cors without a config means tracing: true', { timeout: 15_000 }, async () => {
  assert.deepEqual(await cli('cors'), { code: 0, stdout: 'traceparent, tracestate\n', stderr: '' })
})

test('tracewire cors with invalid JSON exits 2 with a message and prints no list', { timeout: 15_000 }, async () => {
  for (const bad of ['{propagatorTypes: b3}', "{'a':1}", '']) {
    const r = await cli('cors', bad)
    assert.equal(r.code, 2, JSON.stringify(bad))
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /not JSON/)
  }
  const usage = await cli('headers')
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /usage: tracewire cors/)
})

test('tracewire cors reports config problems on stderr, keeping stdout the bare list', { timeout: 15_000 }, async () => {
  const r = await cli('cors', '{"propagatorTypes":["b3","nope"],"sample":"all"}')
  assert.equal(r.code, 0)
  assert.equal(r.stdout, 'b3\n')
  assert.match(r.stderr, /tracing\.propagatorTypes\[1\] must be one of .*, got "nope"; ignoring it/)
  assert.match(r.stderr, /tracing\.sample must be a number from 0 to 100, got "all"; using 100/)
})
