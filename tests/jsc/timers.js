// setTimeout and clearTimeout as a mini-program runtime has them, for JavaScriptCore's shell.
// The shell's own setTimeout(f, ms) waits ms but returns nothing and cannot be cancelled, and
// the shell has no clearTimeout; the SDK's exporter (js/miniprogram.js) needs both. Timers are
// kept here in order of due time (then of creation, as in Node and browsers); the shell's
// setTimeout is only the alarm clock that wakes the queue at the earliest due time, and each
// wake runs one callback, so the shell drains promise jobs between two timers as Node does.
//
//   const { setTimeout, clearTimeout } = makeTimers(alarm, now)
//   alarm(f, ms): calls f once, ms milliseconds later or more; now(): milliseconds
export function makeTimers(alarm, now) {
  let seq = 0
  const queue = [] // { id, due, f, args }, sorted by due then id
  const wake = () => {
    const t = queue[0]
    if (!t) return
    const late = t.due - now()
    if (late > 0) return alarm(wake, late) // an earlier alarm than needed: sleep again
    queue.shift()
    if (queue.length) alarm(wake, Math.max(0, queue[0].due - now()))
    t.f(...t.args)
  }
  function setTimeout(f, ms, ...args) {
    if (typeof f != 'function') throw new TypeError('setTimeout: callback must be a function')
    ms = Number(ms)
    // Node and browsers clamp a delay that is missing, below 1 or not a number to 1 ms.
    const t = { id: ++seq, due: now() + (ms >= 1 ? ms : 1), f, args }
    let i = queue.length
    while (i > 0 && queue[i - 1].due > t.due) i--
    queue.splice(i, 0, t)
    // Alarms are never cancelled: one that finds nothing due goes back to sleep.
    if (i == 0) alarm(wake, t.due - now())
    return t.id
  }
  function clearTimeout(id) {
    const i = queue.findIndex((t) => t.id === id)
    if (i >= 0) queue.splice(i, 1)
  }
  return { setTimeout, clearTimeout, pending: () => queue.length }
}

// In the shell (print and readFile are its functions): replace its setTimeout, once.
if (typeof print == 'function' && typeof readFile == 'function' && typeof clearTimeout == 'undefined') {
  const alarm = globalThis.setTimeout
  if (typeof alarm != 'function') throw new Error('this jsc has no setTimeout to wake timers with')
  Object.assign(globalThis, makeTimers((f, ms) => { alarm(() => f(), ms) }, () => Date.now()))
}
