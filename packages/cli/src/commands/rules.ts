/**
 * `watchpost rules --out DIR [--tables asim|custom] [--config FILE]`: the app's rules (its
 * configuration's, or the shipped ones when it has none) as Microsoft Sentinel content —
 * `DIR/analytics/<rule-id>.yaml` (one scheduled analytics rule per Watchpost rule, in the
 * Azure-Sentinel repository's YAML form), `DIR/hunting/<name>.yaml`, and `DIR/analytics-rules.json`
 * (an ARM template deploying all of it into a workspace). Nothing is written when the content
 * breaks a published constraint; a rule with no Sentinel counterpart is reported, and the command
 * then ends with exit code 1 after writing the others.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { ConfigError, loadConfig, type ResolvedConfig } from '@watchpost/core'
import { resolveRules } from '@watchpost/core/sdk'
import {
  analyticsRuleYaml,
  analyticsTemplate,
  checkContent,
  compileAnalyticsRules,
  huntingQueries,
  huntingQueryYaml,
  type TableMode,
} from '@watchpost/sentinel/content'
import { Option } from 'commander'
import { CliError, EXIT, outputFor } from '../output.js'
import type { Register } from '../program.js'

interface RulesOptions {
  readonly out: string
  readonly tables?: TableMode
  readonly config?: string
}

const TEMPLATE_FILE = 'analytics-rules.json'

function load(file: string | undefined): ResolvedConfig {
  try {
    return loadConfig(file === undefined ? {} : { config: file })
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError(err.message, EXIT.problems, {
        code: err.code,
        file: err.file,
        issues: err.issues,
      })
    throw err
  }
}

/** The table mode of the configuration's Sentinel sink, when it has one. */
function configuredTables(config: ResolvedConfig): TableMode | undefined {
  for (const sink of config.sinks) if (sink.type === 'sentinel') return sink.tables
  return undefined
}

/** Removes the `.yaml` files of `dir` this run did not write (rules since removed or renamed). */
async function removeStale(dir: string, written: ReadonlySet<string>): Promise<string[]> {
  const stale = (await readdir(dir)).filter((name) => name.endsWith('.yaml') && !written.has(name))
  await Promise.all(stale.map((name) => rm(join(dir, name))))
  return stale.map((name) => join(dir, name))
}

export const registerRules: Register = (program) => {
  program
    .command('rules')
    .description("write Microsoft Sentinel analytics rules and hunting queries compiled from the app's rules")
    .requiredOption('--out <dir>', 'directory to write analytics/, hunting/ and analytics-rules.json to')
    .addOption(
      new Option(
        '--tables <mode>',
        "tables the queries read: the ASIM tables or WatchpostSecurityEvents_CL (default: the configuration's sentinel sink, else asim)",
      ).choices(['asim', 'custom']),
    )
    .option('--config <file>', 'configuration file (default: watchpost.config.* found as the app finds it)')
    .action(async (options: RulesOptions, command) => {
      const out = outputFor(command)
      const config = load(options.config)
      const tables = options.tables ?? configuredTables(config) ?? 'asim'
      const compiled = compileAnalyticsRules(resolveRules(config), tables)
      const hunting = huntingQueries(tables)
      const problems = checkContent(
        compiled.rules.map((r) => r.analytics),
        hunting,
      )
      if (problems.length > 0)
        throw new CliError(
          [
            `the generated content breaks ${problems.length} Sentinel constraint${problems.length === 1 ? '' : 's'}; nothing written:`,
            ...problems.map((p) => `  ${p.subject} ${p.field}: ${p.message}`),
          ].join('\n'),
          EXIT.problems,
          { problems },
        )

      const dir = resolve(options.out)
      const analyticsDir = join(dir, 'analytics')
      const huntingDir = join(dir, 'hunting')
      await mkdir(analyticsDir, { recursive: true })
      await mkdir(huntingDir, { recursive: true })
      const rules = await Promise.all(
        compiled.rules.map(async ({ ruleId, analytics }) => {
          const file = join(analyticsDir, `${ruleId}.yaml`)
          await writeFile(file, analyticsRuleYaml(analytics))
          return {
            ruleId,
            id: analytics.id,
            name: analytics.name,
            severity: analytics.severity,
            queryFrequency: analytics.queryFrequency,
            queryPeriod: analytics.queryPeriod,
            tactics: analytics.tactics,
            file,
          }
        }),
      )
      const queries = await Promise.all(
        hunting.map(async (query) => {
          const file = join(huntingDir, `${query.slug}.yaml`)
          await writeFile(file, huntingQueryYaml(query))
          return { id: query.id, name: query.name, file }
        }),
      )
      const template = join(dir, TEMPLATE_FILE)
      await writeFile(
        template,
        `${JSON.stringify(
          analyticsTemplate(
            compiled.rules.map((r) => r.analytics),
            hunting,
          ),
          null,
          2,
        )}\n`,
      )
      const removed = [
        ...(await removeStale(analyticsDir, new Set(compiled.rules.map((r) => `${r.ruleId}.yaml`)))),
        ...(await removeStale(huntingDir, new Set(hunting.map((q) => `${q.slug}.yaml`)))),
      ]

      const ok = compiled.notCompilable.length === 0
      out.result({
        ok,
        tables,
        config: config.source.file ?? null,
        template,
        rules,
        hunting: queries,
        notCompilable: compiled.notCompilable,
        removed,
      })
      out.say(
        `${out.paint('bold', `${rules.length} analytics rule${rules.length === 1 ? '' : 's'}`)} and ${queries.length} hunting queries for the ${tables} tables, from ${config.source.file ?? 'the shipped rules (no configuration file)'}:`,
        ...rules.map(
          (r) =>
            `  ${r.name} ${out.paint('dim', `(${r.ruleId}, ${r.severity}, every ${r.queryFrequency} over ${r.queryPeriod})`)}`,
        ),
        ...queries.map((q) => `  ${q.name} ${out.paint('dim', '(hunting)')}`),
        `Written to ${dir}: analytics/, hunting/, ${TEMPLATE_FILE}`,
        ...(removed.length > 0 ? [`Removed stale files: ${removed.join(', ')}`] : []),
        `Deploy: az deployment group create --resource-group <group> --template-file ${template} --parameters workspace=<workspace>`,
      )
      if (!ok) {
        if (!out.json)
          out.note(
            out.paint('error', 'Rules with no Sentinel counterpart:'),
            ...compiled.notCompilable.map((n) => `  ${n.ruleId}: ${n.reason}`),
          )
        process.exitCode = EXIT.problems
      }
    })
}
