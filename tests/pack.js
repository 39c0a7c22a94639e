// The package as a user gets it: `npm pack` of a scratch copy of this checkout (its prepack
// builds dist/ there, so tests running side by side never rebuild the working tree under each
// other), then `npm install <tarball>` into a scratch consumer project under the temp dir.
// tracewire has no runtime dependency, so the install runs --offline: nothing comes from a
// registry. Packing never refuses: prepack prints the sizes, tests/dist.test.js enforces the
// budgets on the installed files.
//
//   const pkg = await packAndInstall()
//   pkg.files      paths in the tarball;  pkg.dir  node_modules/tracewire of the consumer
//   pkg.run(file, args)  runs a command in the consumer; await pkg.close() removes it all
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
// What the package is built from: everything prepack and the allow-list can need.
const SOURCES = ['package.json', 'README.md', 'js', 'wasm', 'scripts', 'bin']

// Resolves { code, stdout, stderr }; never rejects, never outlives its timeout.
export function run(file, args, options = {}) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 120_000, maxBuffer: 16 << 20, ...options }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code ?? err.signal ?? 1 : 0, stdout, stderr })
    })
  })
}

async function must(what, p) {
  const r = await p
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`)
  return r
}

export async function packAndInstall() {
  const tmp = mkdtempSync(join(tmpdir(), 'tracewire-pack-'))
  try {
    const src = join(tmp, 'src')
    for (const f of SOURCES) cpSync(join(ROOT, f), join(src, f), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir') // esbuild for prepack
    const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' }
    const packed = await must('npm pack', run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: src, env }))
    // npm prints the prepack script's output before the JSON report.
    const report = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)))[0]
    const tarball = join(tmp, report.filename)

    const consumer = join(tmp, 'consumer')
    mkdirSync(consumer)
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }))
    await must('npm install', run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball],
      { cwd: consumer, env: { ...env, npm_config_cache: join(tmp, 'npm-cache') } }))
    const dir = join(consumer, 'node_modules', 'tracewire')
    return {
      tmp, tarball, consumer, dir,
      build: packed.stdout.slice(0, packed.stdout.search(/^\[/m)),
      files: report.files.map((f) => f.path).sort(),
      manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
      run: (file, args, options) => run(file, args, { cwd: consumer, ...options }),
      close: () => rmSync(tmp, { recursive: true, force: true }),
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
}
