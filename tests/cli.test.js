// `tracewire check` (SPEC §8): the preflight a browser would send before a traced request,
// sent from Node to local backends (tests/backend/cors.js) that record what they receive.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { startCorsBackend, deadOrigin } from './backend/cors.js'
import { serve } from './backend/serve.js'

const CLI = fileURLToPath(new URL('../bin/tracewire.js', import.meta.url))
const PAGE = 'https://shop.example.com'
const LIMIT = { timeout: 20_000 }

// Asynchronous, so that the backends of this process keep answering while the command runs.
const cli = (...args) => new Promise((resolve) => {
  execFile(process.execPath, [CLI, ...args], { timeout: 15_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }))
})

let accept, refuse, other, star
before(async () => {
  ;[accept, refuse, other] = await Promise.all([startCorsBackend('accept'), startCorsBackend('refuse'), startCorsBackend('origin')])
  // Answers every preflight with `*` for the origin, methods and headers, and no credentials.
  star = await serve(http.createServer((req, res) => {
    res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' })
    res.end()
  }))
})
after(() => Promise.all([accept, refuse, other, star].map((s) => s.close())))

const traced = (origin) => JSON.stringify({ allowedUrls: [origin] })

test('check sends the preflight a browser sends: OPTIONS with Origin, the method and the sorted lower-case header names', LIMIT, async () => {
  const r = await cli('check', accept.origin + '/api/items?x=1', '--origin', PAGE, '--tracing',
    JSON.stringify({ propagatorTypes: ['b3multi', 'tracecontext'], allowedUrls: [accept.origin] }), '--method', 'put')
  assert.equal(r.code, 0, r.stdout + r.stderr)
  const [got] = accept.under('/api/items?x=1')
  assert.equal(got.method, 'OPTIONS')
  assert.equal(got.headers.origin, PAGE)
  assert.equal(got.headers['access-control-request-method'], 'PUT')
  assert.equal(got.headers['access-control-request-headers'], 'traceparent,tracestate,x-b3-sampled,x-b3-spanid,x-b3-traceid')
  assert.equal(accept.requests.length, 1, 'one request, the preflight alone')
})

test('check against a backend that allows the trace headers says so and exits 0', LIMIT, async () => {
  const r = await cli('check', accept.origin + '/api/ok', '--origin', PAGE, '--tracing', traced(accept.origin))
  assert.equal(r.code, 0)
  assert.equal(r.stderr, '')
  assert.equal(r.stdout.trim().split('\n').pop(), `accepted: ${accept.origin}/api/ok allows traceparent, tracestate from ${PAGE}`)
  assert.match(r.stdout, /^preflight: OPTIONS .*\n {2}Origin: https:\/\/shop\.example\.com\n {2}Access-Control-Request-Method: GET\n {2}Access-Control-Request-Headers: traceparent,tracestate\nanswer: 204\n/)
})

test('check against a backend that refuses them prints the exact line to send, its own names kept, and exits 1', LIMIT, async () => {
  const r = await cli('check', refuse.origin + '/api/no', '--origin', PAGE, '--tracing', traced(refuse.origin))
  assert.equal(r.code, 1)
  const tail = r.stdout.slice(r.stdout.indexOf('refused:'))
  assert.equal(tail, 'refused:\n  Access-Control-Allow-Headers does not list traceparent, tracestate\n' +
    `the backend's preflight answers (OPTIONS /api/no, from ${PAGE}) must carry this line:\n` +
    '  Access-Control-Allow-Headers: content-type, traceparent, tracestate\n')
})

test('check names a refused origin as the backend\'s own problem, not the trace headers\'', LIMIT, async () => {
  const r = await cli('check', other.origin + '/api/x', '--origin', PAGE, '--tracing', traced(other.origin))
  assert.equal(r.code, 1)
  assert.match(r.stdout, /Access-Control-Allow-Origin is https:\/\/elsewhere\.example, not https:\/\/shop\.example\.com: the backend refuses the page's origin itself, trace headers or not/)
})

test('check reports a dead port and an unknown host in one clear line, exit 1', LIMIT, async () => {
  const dead = await deadOrigin()
  const r = await cli('check', dead + '/api/x', '--origin', PAGE)
  assert.equal(r.code, 1)
  assert.equal(r.stdout.trim().split('\n').pop(), `cannot reach ${dead}/api/x: connection refused: nothing listens on 127.0.0.1:${new URL(dead).port}`)
  const h = await cli('check', 'http://no-such-host.invalid/x', '--origin', PAGE)
  assert.equal(h.code, 1)
  // Not found, or (a resolver that cannot answer at all) not resolved: either way, named.
  assert.match(h.stdout.trim().split('\n').pop(), /^cannot reach http:\/\/no-such-host\.invalid\/x: host no-such-host\.invalid (not found|could not be resolved)$/)
})

test('a `*` answer accepts a request without credentials, and is refused with --credentials as browsers refuse it', LIMIT, async () => {
  const plain = await cli('check', star.origin + '/x', '--origin', PAGE, '--tracing', traced(star.origin))
  assert.equal(plain.code, 0, plain.stdout)
  const cred = await cli('check', star.origin + '/x', '--origin', PAGE, '--tracing', traced(star.origin), '--credentials')
  assert.equal(cred.code, 1)
  assert.match(cred.stdout, /Access-Control-Allow-Origin is \*, not https:\/\/shop\.example\.com \(a credentialed request needs its origin echoed\)/)
  assert.match(cred.stdout, /no Access-Control-Allow-Credentials: true/)
  assert.match(cred.stdout, /Access-Control-Allow-Headers does not list traceparent, tracestate/)
  assert.match(cred.stdout, / {2}Access-Control-Allow-Headers: traceparent, tracestate\n$/, "'*' is not carried into the line")
})

test('check with a config that does not trace the URL says so and checks every header the config can send', LIMIT, async () => {
  const r = await cli('check', accept.origin + '/api/untraced', '--origin', PAGE)
  assert.equal(r.code, 0)
  assert.match(r.stdout, /^note: with this config tracewire would not trace .* \(add it to tracing\.allowedUrls\)/)
  assert.match(r.stdout, /Origin: https:\/\/shop\.example\.com\n/)
  const d = await cli('check', accept.origin + '/api/default')
  assert.match(d.stdout, /Origin: https:\/\/example\.com {3}\(the default: pass --origin with your page's origin\)/)
  const off = await cli('check', accept.origin + '/api/off', '--tracing', 'false')
  assert.deepEqual([off.code, off.stdout], [0, 'this tracing config sends no trace headers (tracing is off): there is nothing to check\n'])
  assert.equal(accept.under('/api/off').length, 0)
})

test('check refuses bad arguments with the usage and exit 2, sending nothing', LIMIT, async () => {
  const before = refuse.requests.length
  for (const args of [[], ['ftp://x/y'], ['not a url'], [refuse.origin, '--origin'], [refuse.origin, '--origin', 'file:///x'],
    [refuse.origin, '--bogus'], [refuse.origin, refuse.origin + '/b'], [refuse.origin, '--tracing', '{nope'], [refuse.origin, '--method', 'G T']]) {
    const r = await cli('check', ...args)
    assert.equal(r.code, 2, JSON.stringify(args))
    assert.equal(r.stdout, '', JSON.stringify(args))
    assert.match(r.stderr, /tracewire: /, JSON.stringify(args))
  }
  assert.equal(refuse.requests.length, before)
})
