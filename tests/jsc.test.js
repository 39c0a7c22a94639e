// The mini-program tests, the very files and platform fakes that run in Node, also run in
// JavaScriptCore: SPEC §5 names JavaScriptCore with JIT and without it (iOS mini programs run
// its interpreter alone) among the engines the SDK must be correct on, and Debian's jsc
// (libjavascriptcoregtk-4.0-bin) is that engine, `jsc --useJIT=false` its interpreter.
// tests/jsc/bundle.js makes one script of each test file for the shell, tests/jsc/run.js runs it
// and reads back each result, reported here as a subtest `jsc: <name>` or
// `jsc --useJIT=false: <name>`. Each file also runs in Node here, for the list of tests that
// jsc must run alike: same names, same order, same count.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, basename } from 'node:path'
import { bundleForJsc, scriptForJsc, ROOT } from './jsc/bundle.js'
import { runJsc, runNode, JSC } from './jsc/run.js'

const FILES = ['tests/miniprogram.test.js', 'tests/miniprogram-spans.test.js']
const MODES = [
  { label: 'jsc', flags: [], jit: true },
  { label: 'jsc --useJIT=false', flags: ['--useJIT=false'], jit: false }
]

let dir, bundles, node
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-jsc-'))
  node = Promise.all(FILES.map((f) => runNode(join(ROOT, f))))
  node.catch(() => {}) // awaited by the tests below, which report it
  bundles = {}
  for (const f of FILES) {
    const file = join(dir, basename(f, '.test.js') + '.js')
    const { code, map } = await bundleForJsc(f, file)
    writeFileSync(file, code)
    bundles[f] = { file, map }
  }
})
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }) })

const counts = (runs) => `${runs.reduce((n, r) => n + r.tests.length, 0)} tests (` +
  FILES.map((f, i) => `${basename(f)} ${runs[i].tests.length}`).join(', ') + ')'

test('Node runs the mini-program tests that JavaScriptCore runs below', async (t) => {
  const runs = await node
  for (const [i, f] of FILES.entries()) assert.ok(runs[i].tests.length > 0, `${f} reported its tests`)
  const failed = runs.flatMap((r) => r.tests.filter((x) => !x.ok))
  t.diagnostic(`Node: ${counts(runs)}, ${failed.length} failing, in ${Math.max(...runs.map((r) => r.ms))} ms`)
})

for (const mode of MODES) {
  test(`every mini-program test passes in ${mode.label}, the same tests as in Node`, async (t) => {
    const runs = []
    for (const f of FILES) {
      const r = await runJsc(bundles[f].file, mode.flags, { map: bundles[f].map })
      runs.push(r)
      for (const x of r.tests) {
        await t.test(`${mode.label}: ${x.name}`, () => {
          if (x.ok) return
          // jsc's stack (fn@file:line:column, mapped back to the sources) in the message, as
          // Node's reporters keep only V8's own stack lines.
          throw new Error(`in ${mode.label}: ${x.message}\n${x.stack}`)
        })
      }
      assert.equal(r.tests.length, r.declared, `${f}: every test declared in jsc reported a result`)
      // The control: the flag reached the VM (jscOptions() inside the shell).
      assert.equal(!!r.options.useJIT, mode.jit, `${mode.label}: useJIT inside the shell`)
    }
    const nodeRuns = await node
    for (const [i, f] of FILES.entries()) {
      assert.deepEqual(runs[i].tests.map((x) => x.name), nodeRuns[i].tests.map((x) => x.name), `${f}: jsc ran the tests Node ran, in the same order`)
    }
    t.diagnostic(`${mode.label}: ${counts(runs)} in ${runs.reduce((n, r) => n + r.ms, 0)} ms`)
  })
}

// tests/jsc/timers.js in the shell itself, against Node's own timers on the same script: timers
// fire by due time, then by order of creation, with promise jobs drained between two of them;
// clearTimeout cancels; extra arguments pass; in jsc nothing fires before its time (Node's
// timers count from the event loop's cached clock, which may be older than the script's Date.now:
// there only the order is compared).
test('the setTimeout and clearTimeout stand-in keeps Node\'s order in jsc, with and without JIT', async () => {
  const file = join(dir, 'timers.js')
  const { code } = await scriptForJsc(`
    import ${JSON.stringify(join(ROOT, 'tests/jsc/timers.js'))}
    const seen = [], early = [], t0 = Date.now()
    const at = (tag, ms) => () => { seen.push(tag); if (Date.now() - t0 < ms) early.push(tag) }
    setTimeout(at('40ms', 40), 40)
    setTimeout(() => { at('10ms a', 10)(); Promise.resolve().then(() => seen.push('job of 10ms a')) }, 10)
    const gone = setTimeout(at('cleared', 0), 5)
    setTimeout(() => { seen.push('1ms'); Promise.resolve().then(() => seen.push('job of 1ms')) })
    setTimeout(at('10ms b', 10), 10)
    setTimeout((a, b) => seen.push(['args', a, b]), 20, 'x', 2)
    clearTimeout(gone)
    setTimeout(() => print(JSON.stringify({ seen, early })), 60)`, file)
  writeFileSync(file, code)
  writeFileSync(file + '.cjs', `globalThis.print = (s) => console.log(s);\n${code}`) // Node: its own timers
  const last = (r) => JSON.parse(r.stdout.trim().split('\n').at(-1))
  const inNode = last(spawnSync(process.execPath, [file + '.cjs'], { encoding: 'utf8', timeout: 30000 }))
  assert.deepEqual(inNode.seen, ['1ms', 'job of 1ms', '10ms a', 'job of 10ms a', '10ms b', ['args', 'x', 2], '40ms'])
  for (const mode of MODES) {
    const r = spawnSync(JSC, [...mode.flags, file], { encoding: 'utf8', timeout: 30000 })
    assert.equal(r.error, undefined, `${mode.label} ran`)
    assert.deepEqual(last(r), { seen: inNode.seen, early: [] }, mode.label)
  }
})
