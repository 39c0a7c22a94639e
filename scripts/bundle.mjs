// Builds the distribution into dist/ (build output, git-ignored) from js/ and wasm/, prints
// every file's size and gzip size, and checks the size budgets (STYLE: size is a feature with
// a budget).
//
//   dist/index.js      the npm entry as one ES module, the engine inlined
//   dist/index.cjs     the same as CommonJS, for require('tracewire')
//   dist/index.d.ts    its types: js/index.d.ts as written (and .d.cts, the same, for require)
//   dist/tracewire.js  the CDN file: one minified IIFE (js/cdn.js), the engine inlined
//   dist/miniprogram.js, .cjs, .d.ts, .d.cts   the mini-program entry, 'tracewire/miniprogram'
//   dist/miniprogram/  the folder the mini-program tool chains' npm build copies (package.json
//                      "miniprogram"): CommonJS index.js (+ miniprogram.js, the same) and the .wasm
//   dist/miniprogram-plugin/  a WeChat plugin's folder: plugin.json, index.js, tracewire.js
//
// Usage: node scripts/bundle.mjs   (npm pack runs it as prepack; build.sh calls it last)
// Exits 1 when a budget is passed, or when a createTracer-only bundle carries patching code.
// With TRACEWIRE_SIZE_BUDGET=warn an exceeded budget is reported and the exit code stays 0:
// the packaging tests use it, so they test packaging while tests/dist.test.js tests size.
import esbuild from 'esbuild'
import UglifyJS from 'uglify-js'
import { gzipSync } from 'node:zlib'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIST = join(ROOT, 'dist')

// The npm entry points, name -> source. Each becomes dist/<name>.js, .cjs, .d.ts and .d.cts
// (its types are js/<name>.d.ts), next to "." and "./miniprogram" in package.json's exports;
// the ES builds share their common code through dist/chunks/.
export const ENTRIES = { index: 'js/index.js', miniprogram: 'js/miniprogram.js' }
// What the mini-program tool chains take (SPEC §1): their npm build copies the folder named by
// package.json's "miniprogram" field to miniprogram_npm/tracewire/, so require('tracewire') and
// 'tracewire/miniprogram' both resolve there, and js/miniprogram.js loads the .wasm from it.
export const MINIPROGRAM = { dir: 'dist/miniprogram', plugin: 'dist/miniprogram-plugin' }
// A WeChat plugin: the host calls requirePlugin('tracewire').init({ platform: wx, ... }) with its
// own wx, which the plugin cannot otherwise reach. The plugin runs the JavaScript engine: where
// WXWebAssembly resolves a plugin's paths is not documented, so no path is guessed.
const PLUGIN = {
  'plugin.json': JSON.stringify({ publicComponents: {}, main: 'index.js' }, null, 2) + '\n',
  'index.js': `// tracewire as a WeChat plugin: requirePlugin('tracewire').init({ platform: wx, pid, tracing })
var tracewire = require('./tracewire.js')
exports.init = function (options) { return tracewire.init(Object.assign({ wasm: false }, options)) }
`,
}
export const CDN = { source: 'js/cdn.js', file: 'dist/tracewire.js' }

// Bytes after gzip -9 (Node's zlib; 1 KB = 1000 bytes). The CDN file holds the SDK, the
// engine (the packed wasm), its wasm2js twin and the span exporter.
export const BUDGET = {
  cdn: 10_000, // fail above
  cdnAim: 8_000, // reported, not enforced
  tracerOnly: 5_000, // an app bundle that imports only createTracer from the npm entry
}
// Not met yet (see the README's "Size"): until they are, the sizes may not grow. CEILING is what
// the files weighed when it was last lowered, plus about 1 %; tests/dist.test.js fails above it.
// Lower it whenever a change makes the files smaller; never raise it to make a change pass.
export const CEILING = {
  cdn: 12_380,
  tracerOnly: 9_880,
}

// The lowest syntax level of every file: see "Browser support" in the README.
export const TARGET = 'es2017'

// Properties that only tracewire's own objects carry (the normalised config and its rules, the
// engine API, per-request and per-XHR state, the exporter's options) are written with a
// leading underscore, `rule._index`, and every build renames them to short names, as Preact's
// mangle.json does: the source names things for what they are, the build pays no bytes for it.
// Public names (options, results, platform objects' properties) never take the underscore;
// nor do the platform's own `__route__`, `__bl` and `__rum`, which the second character keeps out.
export const mangleProps = /^_[a-zA-Z]/

const common = {
  absWorkingDir: ROOT, bundle: true, write: false, target: TARGET, platform: 'neutral',
  mangleProps, logLevel: 'warning', legalComments: 'none',
}

const gz = (data) => gzipSync(data, { level: 9 }).length

// The CDN file's second pass: esbuild bundles, renames the SDK's own properties and minifies;
// UglifyJS (safe options only) then finds what one pass leaves: about 6 % of the gzipped
// file (arrows: false, because its arrow functions gzip worse here). The npm builds stay
// esbuild's alone: the application's bundler minifies them.
function squeeze(code) {
  const r = UglifyJS.minify(code, { compress: { passes: 5, arrows: false }, mangle: true, output: { comments: /^!/ } })
  if (r.error) throw r.error
  return r.code
}

// The CDN file without the engine modules, to tell the SDK's share from the engine's.
const noEngine = {
  name: 'no-engine',
  setup(b) {
    b.onResolve({ filter: /\/wasm\// }, (a) => ({ path: a.path, namespace: 'no-engine' }))
    b.onLoad({ filter: /.*/, namespace: 'no-engine' }, () => ({ contents: 'export default 0; export const segment = 0, unpack = 0' }))
  },
}

export async function build() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const entryPoints = Object.entries(ENTRIES).map(([out, src]) => ({ in: src, out }))
  const cdn = {
    ...common, entryPoints: [CDN.source], format: 'iife', minify: true, platform: 'browser',
    banner: { js: `/*! tracewire ${pkg.version} | ${pkg.license} */` },
  }
  const [esm, cjs, iife, sdkOnly, mp] = await Promise.all([
    esbuild.build({ ...common, entryPoints, outdir: DIST, format: 'esm', splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
    esbuild.build({ ...common, entryPoints, outdir: DIST, format: 'cjs', outExtension: { '.js': '.cjs' } }),
    esbuild.build({ ...cdn, outfile: join(ROOT, CDN.file) }),
    esbuild.build({ ...cdn, outfile: join(ROOT, CDN.file), plugins: [noEngine] }),
    esbuild.build({ ...common, entryPoints: [ENTRIES.miniprogram], format: 'cjs', outfile: join(ROOT, MINIPROGRAM.dir, 'index.js') }),
  ])

  const files = [...esm.outputFiles, ...cjs.outputFiles].map((f) => ({ path: f.path, data: f.contents }))
  files.push({ path: iife.outputFiles[0].path, data: Buffer.from(squeeze(iife.outputFiles[0].text)) })
  for (const name of Object.keys(ENTRIES)) {
    const types = readFileSync(join(ROOT, 'js', `${name}.d.ts`))
    files.push({ path: join(DIST, `${name}.d.ts`), data: types }, { path: join(DIST, `${name}.d.cts`), data: types })
  }
  const mpCode = mp.outputFiles[0].contents, wasm = readFileSync(join(ROOT, 'wasm/tracewire.wasm'))
  // package.json: these .js files are CommonJS for Node too, inside a "type": "module" package.
  const cjsDir = JSON.stringify({ type: 'commonjs' }) + '\n'
  const mpFiles = {
    [MINIPROGRAM.dir]: { 'index.js': mpCode, 'miniprogram.js': "module.exports = require('./index.js')\n", 'tracewire.wasm': wasm, 'package.json': cjsDir },
    [MINIPROGRAM.plugin]: { ...PLUGIN, 'tracewire.js': mpCode, 'package.json': cjsDir },
  }
  for (const [dir, list] of Object.entries(mpFiles)) {
    for (const [name, data] of Object.entries(list)) files.push({ path: join(ROOT, dir, name), data: Buffer.from(data) })
  }
  rmSync(DIST, { recursive: true, force: true })
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true })
    writeFileSync(f.path, f.data)
  }

  // What an application bundler makes of the npm entry when only createTracer is used:
  // esbuild, minified, resolving the built file as the package would.
  const app = {
    absWorkingDir: ROOT, bundle: true, write: false, minify: true, format: 'esm', target: TARGET, logLevel: 'warning',
    stdin: { contents: "export { createTracer } from './dist/index.js'", resolveDir: ROOT, loader: 'js' },
  }
  const tracerOnly = (await esbuild.build(app)).outputFiles[0].text
  // The same from the sources without the engine modules: the SDK's share.
  const tracerSdk = await esbuild.build({ ...app, mangleProps, plugins: [noEngine], stdin: { ...app.stdin, contents: "export { createTracer } from './js/index.js'" } })

  const rows = files.map((f) => ({ name: relative(ROOT, f.path), raw: f.data.length, gzip: gz(f.data) }))
  const cdnRow = rows.find((r) => r.name == CDN.file)
  const sdkGzip = gz(squeeze(sdkOnly.outputFiles[0].text))
  rows.push({ name: 'createTracer only (app bundle)', raw: tracerOnly.length, gzip: gz(tracerOnly) })
  return { rows, cdn: cdnRow, sdkGzip, tracerOnly, tracerSdkGzip: gz(tracerSdk.outputFiles[0].contents) }
}

// Code that only fetch/XHR patching has: none of it may reach a createTracer-only bundle.
export const PATCHING = ['XMLHttpRequest', 'setRequestHeader', 'tracewire.web', 'sessionStorage']

async function main() {
  const { rows, cdn, sdkGzip, tracerOnly, tracerSdkGzip } = await build()
  for (const r of rows) console.log(`${r.name.padEnd(32)} ${String(r.raw).padStart(7)} B  gzip ${String(r.gzip).padStart(6)} B`)
  const tracer = rows.at(-1)
  // gzip sizes do not add up exactly: the engine's share is what the SDK alone does not explain.
  console.log(`${CDN.file}: SDK ${sdkGzip} B + engine and twin ~${cdn.gzip - sdkGzip} B (budget ${BUDGET.cdn} B, aim ${BUDGET.cdnAim} B)`)
  console.log(`createTracer only: SDK ${tracerSdkGzip} B + engine and twin ~${tracer.gzip - tracerSdkGzip} B (budget ${BUDGET.tracerOnly} B)`)
  console.log(`ceilings until the budgets are met: ${CDN.file} ${CEILING.cdn} B, createTracer only ${CEILING.tracerOnly} B`)
  const over = []
  if (cdn.gzip > BUDGET.cdn) over.push(`${CDN.file} is ${cdn.gzip} B gzipped; the budget is ${BUDGET.cdn} B`)
  if (tracer.gzip > BUDGET.tracerOnly) over.push(`a createTracer-only bundle is ${tracer.gzip} B gzipped; the budget is ${BUDGET.tracerOnly} B`)
  for (const m of over) console.error(`bundle: ${m}`)
  if (over.length && process.env.TRACEWIRE_SIZE_BUDGET != 'warn') process.exitCode = 1
  // Not a size matter: always fatal.
  const leaked = PATCHING.filter((s) => tracerOnly.includes(s))
  if (leaked.length) {
    console.error(`bundle: a createTracer-only bundle carries patching code (${leaked.join(', ')})`)
    process.exitCode = 1
  }
}

if (process.argv[1] && import.meta.url == pathToFileURL(process.argv[1]).href) await main()
