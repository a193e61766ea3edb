/**
 * `watchpost templates --out DIR`: writes the deployment templates of `@watchpost/sentinel/content`
 * (Bicep and/or ARM JSON, and a parameters file) and prints the `az` commands that deploy them and
 * print the sink's configuration from the deployment's outputs. Files are written only when none
 * would overwrite an existing one, unless `--force`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  armParameters,
  armTemplate,
  bicepTemplate,
  type TemplateFormat,
  type TemplateTables,
} from '@watchpost/sentinel/content'
import { type Command, Option } from 'commander'
import { CliError, EXIT, outputFor } from '../output.js'
import type { Register } from '../program.js'

/** The deployment name the printed commands share, so `show` finds what `create` made. */
const DEPLOYMENT = 'watchpost'

interface TemplatesOptions {
  readonly out: string
  readonly tables: TemplateTables
  readonly format: TemplateFormat | 'both'
  readonly force?: boolean
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/** The files for the options, by path, in the order they are listed. */
function filesFor(options: TemplatesOptions): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = []
  if (options.format !== 'arm')
    files.push({ path: join(options.out, 'watchpost.bicep'), text: bicepTemplate() })
  if (options.format !== 'bicep')
    files.push({ path: join(options.out, 'watchpost.json'), text: json(armTemplate()) })
  files.push({
    path: join(options.out, 'watchpost.parameters.json'),
    text: json(armParameters(options.tables)),
  })
  return files
}

/** The `az` commands, with the placeholders the user fills in, in parts that fit a line each. */
function commandsFor(templateFile: string, parametersFile: string) {
  return {
    deploy: [
      `az deployment group create --resource-group <resource-group> --name ${DEPLOYMENT}`,
      `--template-file ${templateFile} --parameters @${parametersFile}`,
      '--parameters workspaceName=<workspace-name> principalId=<app-identity-object-id>',
    ],
    config: [
      `az deployment group show --resource-group <resource-group> --name ${DEPLOYMENT}`,
      '--query properties.outputs.watchpostConfig.value -o tsv',
    ],
  }
}

/** A command for a terminal: its parts on continued lines. */
const shell = (parts: readonly string[]) => `  ${parts.join(' \\\n      ')}`

function run(options: TemplatesOptions, command: Command): void {
  const out = outputFor(command)
  const files = filesFor(options)
  const existing = files.map((f) => f.path).filter((path) => existsSync(path))
  if (existing.length > 0 && options.force !== true) {
    throw new CliError(
      `${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'}; nothing was written (--force overwrites)`,
      EXIT.problems,
      { existing },
    )
  }
  mkdirSync(options.out, { recursive: true })
  for (const file of files) writeFileSync(file.path, file.text)

  const paths = files.map((f) => f.path)
  const commands = commandsFor(paths[0] as string, paths.at(-1) as string)
  out.result({
    ok: true,
    tables: options.tables,
    format: options.format,
    files: paths,
    commands: { deploy: commands.deploy.join(' '), config: commands.config.join(' ') },
  })
  out.say(
    out.paint('ok', `Wrote the deployment templates (tables: ${options.tables}):`),
    ...paths.map((p) => `  ${p}`),
    '',
    'Deploy them into the resource group of your Log Analytics workspace (the app identity gets',
    'Monitoring Metrics Publisher on the data collection rule):',
    shell(commands.deploy),
    '',
    "Then print the sink's configuration for watchpost.config.yaml:",
    shell(commands.config),
    '',
    out.paint('dim', 'The role can take up to 30 minutes to take effect; docs/deploy.md has every step.'),
  )
}

export const registerTemplates: Register = (program) => {
  program
    .command('templates')
    .description(
      'write the Azure deployment templates (data collection rule, table, role) for the sentinel sink',
    )
    .requiredOption('--out <dir>', 'directory to write the files to (created if missing)')
    .addOption(
      new Option('--tables <mode>', "the sink's tables option: which streams and tables to deploy")
        .choices(['asim', 'custom'])
        .default('asim'),
    )
    .addOption(
      new Option('--format <format>', 'Bicep, ARM JSON, or both')
        .choices(['arm', 'bicep', 'both'])
        .default('both'),
    )
    .option('--force', 'overwrite files that exist')
    .action(run)
}
