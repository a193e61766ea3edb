/**
 * `watchpost init`: writes a commented `watchpost.config.yaml` for the app's framework and says
 * what to do next. The framework comes from `--framework`, else from the dependencies in the
 * working directory's package.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { type Command, Option } from 'commander'
import { configTemplate, FRAMEWORKS, type Framework, nextSteps } from '../config-template.js'
import { CliError, EXIT, outputFor } from '../output.js'

interface InitOptions {
  readonly framework?: Framework
  readonly out: string
  readonly force?: boolean
}

interface PackageJson {
  readonly name?: unknown
  readonly dependencies?: Record<string, unknown>
  readonly devDependencies?: Record<string, unknown>
  readonly peerDependencies?: Record<string, unknown>
}

function readPackageJson(cwd: string): PackageJson | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(resolve(cwd, 'package.json'), 'utf8'))
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : undefined
  } catch {
    return undefined
  }
}

/** The framework the package depends on; `undefined` when it names neither or both. */
export function detectFramework(pkg: PackageJson | undefined): Framework | undefined {
  if (pkg === undefined) return undefined
  const names = new Set(
    [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((deps) =>
      typeof deps === 'object' && deps !== null ? Object.keys(deps) : [],
    ),
  )
  const found = FRAMEWORKS.filter((framework) => names.has(framework))
  return found.length === 1 ? found[0] : undefined
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a commented watchpost.config.yaml for the app in the working directory')
    .addOption(
      new Option('--framework <name>', "the app's framework (default: from package.json)").choices(
        FRAMEWORKS,
      ),
    )
    .option('--out <file>', 'where to write it', 'watchpost.config.yaml')
    .option('--force', 'overwrite an existing file')
    .action((options: InitOptions, command: Command) => {
      const out = outputFor(command)
      const cwd = process.cwd()
      const pkg = readPackageJson(cwd)
      const framework = options.framework ?? detectFramework(pkg)
      if (framework === undefined) {
        throw new CliError(
          'cannot tell the framework from package.json (it should depend on fastify or express); pass --framework fastify or --framework express',
          EXIT.usage,
        )
      }
      const file = resolve(cwd, options.out)
      if (existsSync(file) && options.force !== true) {
        throw new CliError(`${options.out} exists already; pass --force to overwrite it`)
      }
      const appName = typeof pkg?.name === 'string' && pkg.name !== '' ? pkg.name : 'app'
      try {
        writeFileSync(file, configTemplate(framework, appName))
      } catch (err) {
        throw new CliError(`cannot write ${options.out}: ${(err as Error).message}`)
      }
      const shown = relative(cwd, file) || file
      const steps = nextSteps(framework, shown)
      out.say(
        `${out.paint('ok', 'Wrote')} ${shown} (${framework})`,
        '',
        'Next:',
        ...steps.map((s) => `  ${s}`),
      )
      out.result({ file, framework, next: steps })
    })
}
