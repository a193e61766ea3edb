/**
 * KQL validation with Microsoft's Kusto language service (`@kusto/language-service-next`, the
 * Bridge.NET build of Kusto.Language — what the Azure-Sentinel repository checks its rules with):
 * parse and bind a query against the schemas of the tables Watchpost's content reads, and return
 * the diagnostics. A dev dependency: 30 MB of JavaScript that the published package does not need.
 *
 * Loading: the package's main file defines its types on a global `Bridge` runtime, which
 * `bridge.js` (in the same package) installs on `global` when it sees CommonJS; both are loaded
 * with `require`, in that order, and publish `Kusto` as a global.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { CUSTOM_COLUMNS, CUSTOM_TABLE } from '@watchpost/core/sdk'

export interface KqlDiagnostic {
  readonly code: string
  readonly severity: string
  readonly message: string
  /** The text the diagnostic points at. */
  readonly text: string
}

// The few members of Kusto.Language this module calls (its typings describe the whole .NET API).
interface KustoList<T> {
  readonly Count: number
  getItem(index: number): T
}
interface KustoDiagnostic {
  readonly Code: string
  readonly Severity: string
  readonly Message: string
  readonly Start: number
  readonly Length: number
}
interface KustoLanguage {
  readonly GlobalState: { readonly Default: KustoGlobalState }
  readonly KustoCode: {
    ParseAndAnalyze(text: string, globals: KustoGlobalState): { GetDiagnostics(): KustoList<KustoDiagnostic> }
  }
  readonly Symbols: {
    readonly TableSymbol: {
      $ctor7: new (name: string, schema: string, description: string | null) => unknown
    }
    readonly DatabaseSymbol: { $ctor1: new (name: string, members: unknown[], isOpen: boolean) => unknown }
    readonly ClusterSymbol: { ctor: new (name: string, databases: unknown[], isOpen: boolean) => unknown }
  }
}
interface KustoGlobalState {
  WithCluster(cluster: unknown): KustoGlobalState
  WithDatabase(database: unknown): KustoGlobalState
}

let language: KustoLanguage | undefined
function load(): KustoLanguage {
  if (language === undefined) {
    const require = createRequire(import.meta.url)
    require('@kusto/language-service-next/bridge.js')
    require('@kusto/language-service-next')
    language = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language
  }
  return language
}

/** Columns every Log Analytics table has besides its own (the ASIM tables list them too). */
const LOG_ANALYTICS_COLUMNS: Readonly<Record<string, string>> = {
  TenantId: 'string',
  Type: 'string',
  SourceSystem: 'string',
  _ResourceId: 'string',
  _SubscriptionId: 'string',
  _BilledSize: 'real',
  _IsBillable: 'string',
}

interface AsimTablesFile {
  readonly tables: Record<string, { readonly columns: ReadonlyArray<{ name: string; type: string }> }>
}

/** Table name → column name → Kusto type: the four ASIM tables (spec/azure/asim-tables.json) and the custom table. */
export function workspaceTables(): Record<string, Record<string, string>> {
  const file = JSON.parse(
    readFileSync(new URL('../../../../spec/azure/asim-tables.json', import.meta.url), 'utf8'),
  ) as AsimTablesFile
  const tables: Record<string, Record<string, string>> = {}
  for (const [name, table] of Object.entries(file.tables))
    tables[name] = Object.fromEntries(table.columns.map((c) => [c.name, c.type]))
  tables[CUSTOM_TABLE] = {
    ...Object.fromEntries(CUSTOM_COLUMNS.map((c) => [c.name, c.type === 'boolean' ? 'bool' : c.type])),
    ...LOG_ANALYTICS_COLUMNS,
  }
  return tables
}

let globals: KustoGlobalState | undefined
function workspace(): KustoGlobalState {
  if (globals === undefined) {
    const { Symbols, GlobalState } = load()
    const symbols = Object.entries(workspaceTables()).map(
      ([name, columns]) =>
        new Symbols.TableSymbol.$ctor7(
          name,
          `(${Object.entries(columns)
            .map(([column, type]) => `['${column}']:${type}`)
            .join(', ')})`,
          null,
        ),
    )
    const database = new Symbols.DatabaseSymbol.$ctor1('workspace', symbols, false)
    const cluster = new Symbols.ClusterSymbol.ctor('workspace', [database], false)
    globals = GlobalState.Default.WithCluster(cluster).WithDatabase(database)
  }
  return globals
}

/** The errors (and warnings) the Kusto language service finds in `query` against the workspace's tables. */
export function kqlDiagnostics(query: string): KqlDiagnostic[] {
  const list = load().KustoCode.ParseAndAnalyze(query, workspace()).GetDiagnostics()
  const out: KqlDiagnostic[] = []
  for (let i = 0; i < list.Count; i++) {
    const d = list.getItem(i)
    out.push({
      code: d.Code,
      severity: String(d.Severity),
      message: d.Message,
      text: query.slice(d.Start, d.Start + d.Length),
    })
  }
  return out
}

/** Only the errors. */
export function kqlErrors(query: string): KqlDiagnostic[] {
  return kqlDiagnostics(query).filter((d) => d.severity === 'Error')
}
