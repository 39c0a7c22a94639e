// tests/jsc/harness.js, tests/jsc/bundle.js's copies and tests/jsc/run.js, checked on a file of
// known outcomes (tests/jsc/fixture/cases.js) in the jsc shell, and on stand-in shells that
// crash, hang or are missing: a jsc run must never pass by saying nothing.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleForJsc } from './bundle.js'
import { runJsc } from './run.js'

let dir
before(() => { dir = mkdtempSync(join(tmpdir(), 'tracewire-harness-')) })
after(() => rmSync(dir, { recursive: true, force: true }))

// A stand-in for jsc: a shell script printing `out`, then doing `then`.
function shell(name, out, then) {
  const file = join(dir, name)
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' ${out.map((l) => `'${l}'`).join(' ')}\n${then}\n`)
  chmodSync(file, 0o755)
  return file
}
const line = (o) => '@@tw ' + JSON.stringify(o)

test('in jsc, the harness reports each test of a file in order, with the message of what failed, and runs the hooks around each', async () => {
  const file = join(dir, 'cases.js')
  const { code, map } = await bundleForJsc('tests/jsc/fixture/cases.js', file)
  writeFileSync(file, code)
  const r = await runJsc(file, [], { map })
  assert.equal(r.declared, 9)
  assert.deepEqual(r.tests.map((t) => [t.name.split(':')[0], t.ok]), [
    ['passes', true], ['fails', false], ['fails', false], ['fails', false], ['fails', false],
    ['passes', true], ['passes', true], ['passes', true], ['fails', false]
  ], JSON.stringify(r.tests, null, 1))
  const [, assertion, late, plain, option] = r.tests
  assert.match(assertion.message, /^AssertionError: one is not two$/)
  assert.match(assertion.stack, /tests\/jsc\/fixture\/cases\.js:\d+:\d+/, 'the stack points into the test file')
  assert.equal(late.message, 'TypeError: late')
  assert.equal(plain.message, 'thrown: plain')
  assert.match(option.message, /test options skip are not supported/)
  const inCopy = r.tests.at(-1)
  assert.equal(inCopy.message, 'Error: thrown in a copy')
  assert.match(inCopy.stack, /^boom@tests\/jsc\/fixture\/copied\.js:11:\d+$/m, 'mapped through the copy\'s own source map')
  assert.equal(r.options.useJIT, 1)
})

test('a jsc that ends before its tests are done fails the run, naming the last test started and showing its output', async () => {
  const jsc = shell('crash', [line({ start: 'a' }), line({ name: 'a', ok: true, ms: 1 }), line({ start: 'b' })], 'echo "Exception: RangeError" >&2; exit 3')
  await assert.rejects(runJsc('x.js', [], { jsc }), (e) => /ended \(exit 3\) before its tests were done \(last test started: b\)/.test(e.message) && /Exception: RangeError/.test(e.message))
})

test('a jsc that hangs is killed at the timeout and fails the run', async () => {
  const jsc = shell('hang', [line({ start: 'a' })], 'exec sleep 30')
  const began = Date.now()
  await assert.rejects(runJsc('x.js', [], { jsc, timeout: 300 }), /did not finish in 0.3 s \(last test started: a\)/)
  assert.ok(Date.now() - began < 5000)
})

test('a missing jsc fails the run, saying which Debian package provides it', async () => {
  await assert.rejects(runJsc('x.js', [], { jsc: join(dir, 'no-such-jsc') }), /was not found: .*libjavascriptcoregtk-4\.0-bin/)
})

test('a failed after hook fails the run; a complete run answers its tests and the shell\'s options', async () => {
  const done = { done: 1, options: { useJIT: 0 } }
  const jsc = shell('after', [line({ start: 'a' }), line({ name: 'a', ok: true, ms: 1 }), line({ ...done, after: { message: 'Error: cleanup', stack: '' } })], 'exit 0')
  await assert.rejects(runJsc('x.js', [], { jsc }), /an after hook failed: Error: cleanup/)
  const ok = shell('ok', ['noise', line({ start: 'a' }), line({ name: 'a', ok: true, ms: 1 }), line(done)], 'exit 0')
  const r = await runJsc('x.js', [], { jsc: ok })
  assert.deepEqual([r.declared, r.tests.map((t) => t.name), r.options], [1, ['a'], { useJIT: 0 }])
})
