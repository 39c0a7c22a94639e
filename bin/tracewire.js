#!/usr/bin/env node
// npx tracewire cors '<tracing as JSON>': the Access-Control-Allow-Headers value a
// cross-origin backend needs for that config (SPEC §8), on one line.
import { existsSync } from 'node:fs'

// From the sources in a checkout; from the build in the installed package, which ships dist/ only.
const source = new URL('../js/index.js', import.meta.url)
const { corsHeaders } = await import(existsSync(source) ? source.href : '../dist/index.js')

const [cmd, json] = process.argv.slice(2)
if (cmd !== 'cors') {
  console.error("usage: tracewire cors '<tracing config as JSON>'   (no config means true)")
  process.exit(2)
}
let tracing = true
if (json !== undefined) {
  try {
    tracing = JSON.parse(json)
  } catch (e) {
    console.error(`tracewire: the config is not JSON: ${e.message}`)
    process.exit(2)
  }
}
console.log(corsHeaders(tracing).join(', '))
