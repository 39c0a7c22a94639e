// Runs a bundle of tests/jsc/bundle.js in JavaScriptCore's shell and reads back the lines of
// tests/jsc/harness.js; runs a test file in Node for the list of its tests, to compare with.
//
//   const r = await runJsc('/tmp/x/bundle.js', ['--useJIT=false'], { map })  // JSC=path to use another shell
//   r: { tests: [{ name, ok, ms, message, stack }], declared, options: jscOptions(), ms }
//   a crash, a timeout or a missing jsc rejects, with the shell's output in the message.
import { spawn } from 'node:child_process'
import { SourceMap } from 'node:module'
import { relative } from 'node:path'
import { ROOT } from './bundle.js'

export const JSC = process.env.JSC || 'jsc'
const MARK = '@@tw '

function child(cmd, args, { timeout, env }) {
  return new Promise((resolve, reject) => {
    const began = Date.now()
    let out = '', err = '', timedOut = false
    let p
    try {
      p = spawn(cmd, args, { env: env || process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (e) { return reject(e) }
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL') }, timeout)
    p.stdout.setEncoding('utf8').on('data', (d) => { out += d })
    p.stderr.setEncoding('utf8').on('data', (d) => { err += d })
    p.on('error', (e) => {
      clearTimeout(timer)
      reject(e.code == 'ENOENT' ? new Error(`${cmd} was not found: on Debian, apt-get install libjavascriptcoregtk-4.0-bin provides /usr/bin/jsc`) : e)
    })
    p.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ out, err, code, signal, timedOut, ms: Date.now() - began })
    })
  })
}

// Stack lines of the bundle (`fn@/tmp/…/bundle.js:L:C`) as places in the sources.
function mapStack(stack, file, map) {
  if (!map || !stack) return stack
  const sm = new SourceMap(JSON.parse(map))
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return stack.replace(new RegExp(`${esc}:(\\d+):(\\d+)`, 'g'), (m, line, col) => {
    const e = sm.findEntry(line - 1, col - 1)
    if (!e || !e.originalSource) return m
    const src = e.originalSource.replace(/^file:\/\//, '')
    return `${relative(ROOT, src.startsWith('/') ? src : new URL(src, `file://${file}`).pathname)}:${e.originalLine + 1}:${e.originalColumn + 1}`
  })
}

const tail = (s, n = 2000) => s.length > n ? '…' + s.slice(-n) : s

export async function runJsc(file, flags, { map, timeout = 60000, jsc = JSC } = {}) {
  const r = await child(jsc, [...flags, file], { timeout })
  const tests = [], started = []
  let done = null
  for (const line of r.out.split('\n')) {
    if (!line.startsWith(MARK)) continue
    let ev
    try { ev = JSON.parse(line.slice(MARK.length)) } catch (e) { continue } // cut short by a crash
    if ('start' in ev) started.push(ev.start)
    else if ('done' in ev) done = ev
    else tests.push({ ...ev, stack: mapStack(ev.stack, file, map) })
  }
  const what = `${jsc} ${flags.join(' ')} ${file}`.replace(/ +/g, ' ')
  const output = `\n--- stdout ---\n${tail(r.out)}\n--- stderr ---\n${tail(r.err)}`
  if (r.timedOut) throw new Error(`${what} did not finish in ${timeout / 1000} s (last test started: ${started.at(-1)})${output}`)
  if (!done) {
    throw new Error(`${what} ended (exit ${r.code}${r.signal ? ', ' + r.signal : ''}) before its tests were done` +
      `${started.length ? ` (last test started: ${started.at(-1)})` : ''}${output}`)
  }
  if (done.after) throw new Error(`${what}: an after hook failed: ${done.after.message}\n${mapStack(done.after.stack, file, map)}`)
  return { tests, declared: done.done, options: done.options, ms: r.ms }
}

// Node's own run of a test file: the names of its top-level tests, in order, with their result.
export async function runNode(testFile, { timeout = 120000 } = {}) {
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // else a `node --test` around us would take this run's report
  const r = await child(process.execPath, ['--test-reporter=tap', testFile], { timeout, env })
  if (r.timedOut) throw new Error(`node ${testFile} did not finish in ${timeout / 1000} s`)
  const tests = []
  for (const line of r.out.split('\n')) {
    const m = line.match(/^(not )?ok \d+ - (.*?)(?: # (?:SKIP|TODO)\b.*)?$/)
    if (m) tests.push({ name: m[2].replace(/\\(.)/g, (x, c) => c == 'n' ? '\n' : c), ok: !m[1] })
  }
  return { tests, ms: r.ms }
}
