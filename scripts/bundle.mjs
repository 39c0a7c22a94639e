// Builds the distribution into dist/ (build output, git-ignored) from js/ and wasm/ and prints
// every file's size, gzip size and brotli size. The size budgets (SPEC §5; STYLE: size is a
// feature with a budget) are tests/dist.test.js's to enforce: building never refuses.
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
import esbuild from 'esbuild'
import UglifyJS from 'uglify-js'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
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

// SPEC §5: bytes after gzip -9 (Node's zlib; 1 KB = 1000 bytes), at most. The CDN file holds
// the SDK, the engine (the packed wasm), its wasm2js twin and the span exporter; tracerOnly is
// an application's esbuild --minify bundle that imports only createTracer from the npm entry.
export const BUDGET = { cdn: 12_000, tracerOnly: 9_500 }

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

export const gz = (data) => gzipSync(data, { level: 9 }).length
export const brotli = (data) => brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }).length

// The CDN file's second pass: esbuild bundles, renames the SDK's own properties and minifies;
// UglifyJS (safe options only) then finds what one pass leaves: about 6 % of the gzipped
// file. arrows: false and varify: false because its arrow functions, and the `var` it would
// put for `let` and `const`, gzip worse here. Never toplevel: it unwraps the IIFE, and the
// SDK's names would become the page's globals. The npm builds stay esbuild's alone: the
// application's bundler minifies them.
function squeeze(code) {
  const r = UglifyJS.minify(code, { compress: { passes: 5, arrows: false, varify: false }, mangle: true, output: { comments: /^!/ } })
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

  const row = (name, data) => ({ name, raw: data.length, gzip: gz(data), brotli: brotli(data) })
  const rows = files.map((f) => row(relative(ROOT, f.path), f.data))
  const cdnRow = rows.find((r) => r.name == CDN.file)
  const sdkGzip = gz(squeeze(sdkOnly.outputFiles[0].text))
  rows.push(row('createTracer only (app bundle)', Buffer.from(tracerOnly)))
  return { rows, cdn: cdnRow, sdkGzip, tracerOnly, tracerSdkGzip: gz(tracerSdk.outputFiles[0].contents) }
}

// Code that only fetch/XHR patching has: none of it may reach a createTracer-only bundle
// (tests/dist.test.js checks the installed package's).
export const PATCHING = ['XMLHttpRequest', 'setRequestHeader', 'tracewire.web', 'sessionStorage']

async function main() {
  const { rows, cdn, sdkGzip, tracerSdkGzip } = await build()
  const n = (v, w) => String(v).padStart(w)
  for (const r of rows) console.log(`${r.name.padEnd(36)} ${n(r.raw, 7)} B  gzip ${n(r.gzip, 6)} B  brotli ${n(r.brotli, 6)} B`)
  const tracer = rows.at(-1)
  // gzip sizes do not add up exactly: the engine's share is what the SDK alone does not explain.
  console.log(`${CDN.file}: SDK ${sdkGzip} B + engine and twin ~${cdn.gzip - sdkGzip} B gzipped (budget ${BUDGET.cdn} B)`)
  console.log(`createTracer only: SDK ${tracerSdkGzip} B + engine and twin ~${tracer.gzip - tracerSdkGzip} B gzipped (budget ${BUDGET.tracerOnly} B)`)
}

if (process.argv[1] && import.meta.url == pathToFileURL(process.argv[1]).href) await main()
