/**
 * What a published tarball must and must not hold, judged from the file list `tar -t` prints and
 * the package's own package.json, so that a `files` entry dropped or a build artefact let in shows
 * up before anyone installs the package.
 */
import { posix } from 'node:path'

export interface PackageManifest {
  readonly name: string
  readonly main?: string
  readonly types?: string
  readonly bin?: string | Readonly<Record<string, string>>
  readonly exports?: unknown
}

/** Everything a package may ship; anything else (maps, tsbuildinfo, tests, sources) is junk. */
const ALLOWED: readonly RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^dist\/(?:[\w.-]+\/)*[\w.-]+(?<!\.test)\.(?:js|d\.ts)$/,
  /^schema\/[\w.-]+\.schema\.json$/,
  /^bin\/[\w.-]+\.js$/,
]

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports]
  if (exports === null || typeof exports !== 'object') return []
  return Object.values(exports).flatMap(exportTargets)
}

/** The files package.json points at: main, types, every bin and every `exports` target. */
export function manifestTargets(manifest: PackageManifest): string[] {
  const bins =
    typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? ({} as object))
  const targets = [manifest.main, manifest.types, ...bins, ...exportTargets(manifest.exports)]
  return [...new Set(targets.filter((t): t is string => t !== undefined).map((t) => posix.normalize(t)))]
}

/** The relative module specifiers of a compiled file (`from './x.js'`, `import('./x.js')`). */
export function relativeSpecifiers(source: string): string[] {
  const found: string[] = []
  for (const m of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.\.?\/[^'"]+)['"]/gm))
    found.push(m[1]!)
  return found
}

/**
 * Problems with a tarball holding `files` (paths inside `package/`), for `manifest`. `sources`
 * gives the text of compiled files, so that their relative imports can be followed; files it does
 * not cover are not followed.
 */
export function tarballProblems(
  manifest: PackageManifest,
  files: readonly string[],
  sources: ReadonlyMap<string, string> = new Map(),
): string[] {
  const problems: string[] = []
  const present = new Set(files)
  for (const file of files)
    if (!ALLOWED.some((re) => re.test(file))) problems.push(`${manifest.name}: ships ${file}`)
  for (const required of ['package.json', 'README.md', 'LICENSE', ...manifestTargets(manifest)]) {
    if (required.includes('*')) {
      const prefix = required.slice(0, required.indexOf('*'))
      if (!files.some((f) => f.startsWith(prefix)))
        problems.push(`${manifest.name}: nothing ships for ${required}`)
    } else if (!present.has(required)) {
      problems.push(`${manifest.name}: package.json names ${required}, which does not ship`)
    }
  }
  for (const [file, source] of sources) {
    for (const specifier of relativeSpecifiers(source)) {
      const target = posix.join(posix.dirname(file), specifier)
      // A declaration's './x.js' is resolved by TypeScript to './x.d.ts'.
      const resolved = file.endsWith('.d.ts') ? target.replace(/\.js$/, '.d.ts') : target
      if (!present.has(resolved))
        problems.push(`${manifest.name}: ${file} imports ${specifier}, which does not ship`)
    }
    if (/sourceMappingURL=/.test(source))
      problems.push(`${manifest.name}: ${file} points at a source map, which does not ship`)
  }
  return problems
}
