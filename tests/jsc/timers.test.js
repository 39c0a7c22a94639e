// tests/jsc/timers.js, the setTimeout and clearTimeout of the jsc runs, on a clock the test
// moves by hand: the shell's alarm (which can neither be cancelled nor tells an id) only wakes
// the queue, and the queue alone decides what runs. tests/jsc.test.js runs it in the shell too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeTimers } from './timers.js'

// A shell whose alarms fire when the test advances the clock, in order of their time.
function shell() {
  let now = 0
  const alarms = []
  return {
    now: () => now,
    alarm: (f, ms) => { alarms.push({ at: now + ms, f }) },
    alarms,
    // Moves the clock to `to`, firing each alarm due on the way, earliest first.
    advance(to) {
      for (;;) {
        alarms.sort((a, b) => a.at - b.at)
        if (!alarms.length || alarms[0].at > to) break
        const a = alarms.shift()
        now = Math.max(now, a.at)
        a.f()
      }
      now = to
    }
  }
}

test('timers run by due time, then in the order they were set, each with its arguments', () => {
  const s = shell(), seen = []
  const { setTimeout } = makeTimers(s.alarm, s.now)
  setTimeout(() => seen.push(['30', s.now()]), 30)
  setTimeout(() => seen.push(['10 first', s.now()]), 10)
  setTimeout((a, b) => seen.push(['10 second', a, b]), 10, 'x', 2)
  setTimeout(() => seen.push(['no delay', s.now()]))
  setTimeout(() => seen.push(['negative', s.now()]), -5)
  s.advance(100)
  assert.deepEqual(seen, [['no delay', 1], ['negative', 1], ['10 first', 10], ['10 second', 'x', 2], ['30', 30]])
})

test('nothing runs before its time: an alarm that comes early sleeps again', () => {
  const s = shell(), seen = []
  const { setTimeout } = makeTimers(s.alarm, s.now)
  setTimeout(() => seen.push('a'), 50)
  s.alarms[0].at = 20 // a shell that wakes too soon
  s.advance(49)
  assert.deepEqual(seen, [])
  s.advance(50)
  assert.deepEqual(seen, ['a'])
})

test('clearTimeout cancels a timer, whichever its place in the queue; an unknown id is ignored', () => {
  const s = shell(), seen = []
  const { setTimeout, clearTimeout, pending } = makeTimers(s.alarm, s.now)
  const a = setTimeout(() => seen.push('a'), 5)
  setTimeout(() => seen.push('b'), 10)
  const c = setTimeout(() => seen.push('c'), 15)
  assert.notEqual(a, c)
  clearTimeout(a)
  clearTimeout(c)
  clearTimeout(12345)
  clearTimeout(undefined)
  assert.equal(pending(), 1)
  s.advance(100)
  assert.deepEqual(seen, ['b'])
  assert.equal(pending(), 0)
})

test('a timer set from inside another runs after the ones already due, and the queue empties', () => {
  const s = shell(), seen = []
  const { setTimeout, pending } = makeTimers(s.alarm, s.now)
  setTimeout(() => { seen.push('outer'); setTimeout(() => seen.push('inner'), 0) }, 5)
  setTimeout(() => seen.push('sibling'), 10)
  s.advance(100)
  assert.deepEqual(seen, ['outer', 'inner', 'sibling'])
  assert.equal(pending(), 0)
  assert.throws(() => setTimeout('code as a string', 1), TypeError)
})
