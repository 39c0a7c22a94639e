// Bundles one mini-program test file for JavaScriptCore's shell (SPEC §5: jsc, with and without
// JIT), as one classic script: the shell has no module loader for npm packages and no Node
// modules. The test file and its platform fakes are bundled unchanged; what only Node has is
// swapped for a stand-in of tests/jsc/:
//   node:test            -> harness.js (runs the tests, prints one line per result)
//   node:assert/strict   -> assert.js  (strict semantics, checked against Node's in assert.test.js)
//   tests/fakes/host.js  -> host.js    (fresh SDK copies, the repository's files through readFile)
// Any other node: import fails the bundle, so nothing Node-only slips in unnoticed.
//
//   const { code, map } = await bundleForJsc('tests/miniprogram.test.js', '/tmp/x/bundle.js')
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '')
const HERE = join(ROOT, 'tests/jsc')
const SWAP = {
  'node:test': join(HERE, 'harness.js'),
  'node:assert/strict': join(HERE, 'assert.js')
}
const NODE_HOST = join(ROOT, 'tests/fakes/host.js')
const COPY = 'tracewire-copy:'

// The module at `path` as a factory: `export default function copy()` evaluates the module's own
// body anew at each call and answers its exports; the modules it imports are imported once, by
// the bundle around it, and so are shared with the tests (log.js's sink, the engine's code). It
// is what Node does for `import('./m.js?copy=N')`. esbuild writes the module alone (its imports
// left external) in its plain ES module form: imports on top, one `export { … }` at the end.
export async function factory(path) {
  const r = await build({
    entryPoints: [path], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
    outfile: path, sourcemap: 'external', sourcesContent: false,
    plugins: [{
      name: 'imports-stay-outside',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (a) => a.kind == 'entry-point' ? undefined
          : { path: a.path.startsWith('.') ? resolve(a.resolveDir, a.path) : a.path, external: true })
      }
    }]
  })
  const out = (ext) => r.outputFiles.find((f) => f.path.endsWith(ext)).text
  // Statements taken out leave their line breaks, so the body keeps esbuild's lines and its
  // source map stays true but for the one line put on top.
  const blank = (m) => m.replace(/[^\n]/g, '')
  let body = out('.js').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n')
  const imports = []
  body = body.replace(/^import\b[^;]*?\bfrom\s*"[^"]*";|^import\s*"[^"]*";/gm, (m) => (imports.push(m), blank(m)))
  let exported = null
  body = body.replace(/^export\s*\{([^}]*)\};?/m, (m, list) => (exported = list, blank(m)))
  if (exported == null || /^\s*(import|export)\b/m.test(body)) {
    throw new Error(`${path}: esbuild's output is not in the form tests/jsc/bundle.js turns into a factory (imports on top, one export list)`)
  }
  // Getters, so that an exported `let` reads as it is now, like an ES module binding.
  const getters = exported.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [local, name = local] = s.split(/\s+as\s+/)
    return `get ${JSON.stringify(name)}() { return ${local} }`
  })
  const map = JSON.parse(out('.map'))
  map.sources = map.sources.map((f) => resolve(dirname(path), f))
  map.mappings = ';' + map.mappings
  return `${imports.map((i) => i.replace(/\n/g, ' ')).join(' ')} export default function copy() {\n${body}\n` +
    `return { ${getters.join(', ')} }\n}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`
}

const standIns = {
  name: 'jsc-stand-ins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => SWAP[a.path] ? { path: SWAP[a.path] }
      : { errors: [{ text: `${a.path} has no JavaScriptCore stand-in in tests/jsc/bundle.js` }] })
    b.onResolve({ filter: /\/host\.js$/ }, (a) => resolve(a.resolveDir, a.path) == NODE_HOST ? { path: join(HERE, 'host.js') } : undefined)
    b.onResolve({ filter: new RegExp('^' + COPY) }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(COPY.length)), namespace: 'copy' }))
    b.onLoad({ filter: /.*/, namespace: 'copy' }, async (a) => ({ contents: await factory(a.path), resolveDir: dirname(a.path), loader: 'js' }))
  }
}

// One classic script for the shell from `entry`, the text of an ES module whose imports are
// resolved from the repository's root. outfile: where the script will be written (its source
// map's paths are relative to it). Answers the script and its source map, as text.
export async function scriptForJsc(entry, outfile) {
  const r = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'jsc-entry.js', loader: 'js' },
    bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent',
    outfile, sourcemap: 'external', sourcesContent: false,
    // 'browser': npm packages' builds for engines without Node's modules (OpenTelemetry's
    // platform/browser); the shell has none of them either.
    define: { REPO_ROOT: JSON.stringify(ROOT) },
    // package.json's "sideEffects" is for the package's users: here test files, fakes/bare.js
    // and timers.js are imported for their effects alone, and must stay.
    ignoreAnnotations: true,
    plugins: [standIns]
  })
  const out = (ext) => r.outputFiles.find((f) => f.path.endsWith(ext)).text
  return { code: out('.js'), map: out('.js.map') }
}

// testFile: relative to the repository's root; its tests run when the script is evaluated.
export const bundleForJsc = (testFile, outfile) => scriptForJsc(
  `import { run } from ${JSON.stringify(join(HERE, 'harness.js'))}\n` +
  `import ${JSON.stringify(join(ROOT, testFile))}\nrun()\n`, outfile)
