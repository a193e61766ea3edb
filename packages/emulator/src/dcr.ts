/**
 * The data collection rule the emulator enforces. The default is generated from @watchpost/core
 * (one `Custom-Watchpost<Schema>` stream per ASIM table, and the custom stream to
 * `WatchpostSecurityEvents_CL`), never written by hand.
 */
import { dcrStreams } from '@watchpost/core/sdk'
import { EmulatorError } from './errors.js'
import type { DcrColumn, DcrColumnType, DcrDefinition, StreamInfo } from './types.js'

const COLUMN_TYPES: ReadonlySet<string> = new Set<DcrColumnType>([
  'string',
  'int',
  'long',
  'real',
  'boolean',
  'datetime',
  'dynamic',
])

/** Column-name rule of the overview doc: a letter, then up to 44 letters, digits or `_`. */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,44}$/
/** Table names may also start with `_`-free letters and end in `_CL`; same character set. */
const TABLE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/

/** The default DCR: ASIM streams → `Microsoft-ASim…Logs`, custom stream → `Custom-WatchpostSecurityEvents_CL`. */
export function defaultDcr(): DcrDefinition {
  const streams = [...dcrStreams('asim'), ...dcrStreams('custom')]
  return {
    streamDeclarations: Object.fromEntries(
      streams.map((s) => [s.stream, { columns: s.columns.map(({ name, type }) => ({ name, type })) }]),
    ),
    dataFlows: streams.map((s) => ({
      streams: [s.stream],
      outputStream: s.outputStream,
      transformKql: 'source',
    })),
  }
}

function invalid(message: string): EmulatorError {
  return new EmulatorError('ERR_WATCHPOST_EMULATOR_DCR_INVALID', message)
}

/** Checks a DCR once at start-up and returns its streams with their output tables. */
export function compileDcr(
  input: DcrDefinition | { readonly properties: DcrDefinition },
): Record<string, StreamInfo> {
  const dcr: DcrDefinition = 'properties' in input ? input.properties : input
  if (typeof dcr !== 'object' || dcr === null || typeof dcr.streamDeclarations !== 'object') {
    throw invalid('the DCR needs `streamDeclarations`')
  }
  if (!Array.isArray(dcr.dataFlows)) throw invalid('the DCR needs `dataFlows`')
  const tablesByStream = new Map<string, string[]>()
  for (const [i, flow] of dcr.dataFlows.entries()) {
    const transform = (flow.transformKql ?? 'source').trim()
    if (transform !== 'source') {
      throw invalid(
        `dataFlows[${i}]: only transformKql "source" is supported, got ${JSON.stringify(transform)}`,
      )
    }
    const output = flow.outputStream
    if (typeof output !== 'string') throw invalid(`dataFlows[${i}]: outputStream is required`)
    const match = /^(?:Microsoft|Custom)-(.+)$/.exec(output)
    const table = match?.[1]
    if (table === undefined || !TABLE.test(table)) {
      throw invalid(
        `dataFlows[${i}]: outputStream ${JSON.stringify(output)} is not Microsoft-<Table> or Custom-<Table>`,
      )
    }
    for (const stream of flow.streams) {
      if (!(stream in dcr.streamDeclarations)) {
        throw invalid(
          `dataFlows[${i}]: stream ${JSON.stringify(stream)} is not declared in streamDeclarations`,
        )
      }
      const tables = tablesByStream.get(stream) ?? []
      if (!tables.includes(table)) tables.push(table)
      tablesByStream.set(stream, tables)
    }
  }
  const streams: Record<string, StreamInfo> = {}
  for (const [name, declaration] of Object.entries(dcr.streamDeclarations)) {
    if (!name.startsWith('Custom-')) throw invalid(`stream ${JSON.stringify(name)} must be named Custom-…`)
    const seen = new Set<string>()
    const columns: DcrColumn[] = []
    for (const column of declaration.columns ?? []) {
      if (typeof column?.name !== 'string' || !NAME.test(column.name)) {
        throw invalid(
          `stream ${name}: column name ${JSON.stringify(column?.name)} breaks the column-name rules`,
        )
      }
      if (!COLUMN_TYPES.has(column.type)) {
        throw invalid(`stream ${name}: column ${column.name} has unknown type ${JSON.stringify(column.type)}`)
      }
      if (seen.has(column.name)) throw invalid(`stream ${name}: column ${column.name} is declared twice`)
      seen.add(column.name)
      columns.push({ name: column.name, type: column.type })
    }
    streams[name] = Object.freeze({
      name,
      columns: Object.freeze(columns),
      tables: Object.freeze(tablesByStream.get(name) ?? []),
    })
  }
  return streams
}
