// The SDK's one prefixed logger. SPEC §2: each problem is printed once; SPEC §6: logging
// must never throw into the page, whatever the console looks like.

// Distinct messages already printed. Capped so a caller that warns with ever-new text
// (URLs, user values) cannot grow memory or flood the console for the life of the page.
const MAX = 100
let seen = new Set()
let sink = null

export function warn(message) {
  try {
    let m
    try { m = '[tracewire] ' + message } catch (e) { m = '[tracewire] ' + typeof message } // Symbol, throwing toString
    if (seen.has(m) || seen.size >= MAX) return
    seen.add(m) // before printing, so a console wrapper that warns back cannot loop
    sink ? sink(m) : console.warn(m) // console read now: it may be missing, replaced or polyfilled later
  } catch (e) {}
}

// For tests: capture output instead of console.warn; null restores it. Forgets what was printed.
export function setSink(fn) {
  sink = typeof fn == 'function' ? fn : null
  seen = new Set()
}
