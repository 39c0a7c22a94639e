// node:test as the mini-program tests use it, for JavaScriptCore's shell, where
// tests/jsc/bundle.js puts this module in its place. As under `node --test`, the file's tests
// run one after another in the order they were declared, each awaited, with its before / after /
// beforeEach / afterEach hooks; a test fails when it or one of its hooks throws or rejects.
// Each event is one line on standard output that tests/jsc.test.js reads back:
//   @@tw {"start":"name"}   @@tw {"name":"…","ok":false,"ms":3,"message":"…","stack":"…"}
//   @@tw {"done":36,"options":{"useJIT":0,…}}   (last, then the shell quits)
import './timers.js'

const tests = []
const hooks = { before: [], after: [], beforeEach: [], afterEach: [] }
const MARK = '@@tw '
const emit = (o) => print(MARK + JSON.stringify(o))

export function test(name, options, fn) {
  if (typeof options == 'function') [options, fn] = [{}, options]
  // Options that change what runs (skip, todo, only, timeout, concurrency) have no meaning here
  // yet: a test using one fails rather than running differently from Node.
  const unsupported = Object.keys(options || {})
  tests.push({ name: String(name), fn, unsupported })
}
export const it = test
export const before = (fn) => { hooks.before.push(fn) }
export const after = (fn) => { hooks.after.push(fn) }
export const beforeEach = (fn) => { hooks.beforeEach.push(fn) }
export const afterEach = (fn) => { hooks.afterEach.push(fn) }
export default test

// The error as text: jsc's stack lines are `fn@file:line:column`, mapped back to the sources on
// the Node side.
function describe(e) {
  let text
  try { text = e instanceof Error ? `${e.name}: ${e.message}` : `thrown: ${String(e)}` } catch (x) { text = 'thrown: (a value that cannot be printed)' }
  let stack = ''
  try { stack = e && typeof e.stack == 'string' ? e.stack : '' } catch (x) {}
  return { message: text, stack }
}

export async function run() {
  let failedBefore = null
  for (const h of hooks.before) {
    try { await h() } catch (e) { failedBefore = failedBefore || e }
  }
  for (const t of tests) {
    emit({ start: t.name })
    const began = Date.now()
    // A test that cannot run as under Node fails without running, nor its hooks.
    let error = failedBefore || (t.unsupported.length && new Error(`test options ${t.unsupported.join(', ')} are not supported by tests/jsc/harness.js`)) ||
      (typeof t.fn != 'function' && new TypeError('test body is not a function')) ||
      (t.fn.length > 1 && new Error('callback-style tests (done) are not supported by tests/jsc/harness.js')) || null
    if (!error) {
      try {
        for (const h of hooks.beforeEach) await h()
        await t.fn({ name: t.name })
      } catch (e) { error = e }
      for (const h of hooks.afterEach) {
        try { await h() } catch (e) { error = error || e }
      }
    }
    emit(error ? { name: t.name, ok: false, ms: Date.now() - began, ...describe(error) } : { name: t.name, ok: true, ms: Date.now() - began })
  }
  let afterError = null
  for (const h of hooks.after) {
    try { await h() } catch (e) { afterError = afterError || e }
  }
  // The shell's options as this run had them: which tiers ran (useJIT 0: the interpreter alone).
  const o = typeof jscOptions == 'function' ? jscOptions() : {}
  const options = { useJIT: o.useJIT, useBaselineJIT: o.useBaselineJIT, useDFGJIT: o.useDFGJIT, useFTLJIT: o.useFTLJIT }
  emit({ done: tests.length, options, ...(afterError ? { after: describe(afterError) } : {}) })
  // Timers still set (an exporter's batch alarm) must not keep the shell waiting.
  quit()
}
