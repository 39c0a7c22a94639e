// Load in Node (issue: hardening): 100,000 createTracer().headers() calls on distinct URLs;
// the heap after them, garbage collected, is within 1 MB of the heap before.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createTracer } from '../js/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')

function heap() {
  for (let i = 0; i < 4; i++) gc()
  return process.memoryUsage().heapUsed
}

test('100,000 headers() calls on distinct URLs leave the heap within 1 MB of where it was', () => {
  const t = createTracer({ pid: 'load', baseURI: 'https://shop.example/app/', tracing: { propagatorTypes: ['tracecontext', 'b3', 'jaeger'], baggage: true } })
  for (let i = 0; i < 5000; i++) t.headers('/warm/' + i) // JIT, batches, the decision cache
  const before = heap()
  const ids = new Set()
  for (let i = 0; i < 100000; i++) {
    const r = t.headers('/api/items?i=' + i)
    if (i % 10 == 0) ids.add(r.traceId)
  }
  assert.equal(ids.size, 10000, 'every sampled trace id distinct')
  ids.clear() // the test's own Set is not the SDK's memory
  const settled = heap() - before
  console.log(`# heap before ${before} B, difference after ${settled} B`)
  assert.ok(Math.abs(settled) <= 1024 * 1024, `heap changed by ${settled} bytes`)
})
