/**
 * Accepted rows in SQLite: one table per output table, a column per declared column (the union of
 * the streams that feed it) plus `_Stream` and `_IngestionTime`. Rows are never de-duplicated, as in
 * Log Analytics (logs-ingestion-api.md §1).
 */
import Database from 'better-sqlite3'
import type { DcrColumnType, EmulatorStore, RowQuery, StoredRow, StreamInfo } from './types.js'

const SQL_TYPES: Record<DcrColumnType, string> = {
  string: 'TEXT',
  int: 'INTEGER',
  long: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  datetime: 'TEXT',
  dynamic: 'TEXT',
}

/** Names were checked against the column-name rules in dcr.ts; quoting is still done for SQLite. */
const q = (name: string): string => `"${name.replaceAll('"', '""')}"`

interface TableInfo {
  readonly name: string
  readonly columns: Map<string, DcrColumnType>
}

export interface SqliteStore extends EmulatorStore {
  insert(
    table: string,
    stream: string,
    rows: ReadonlyArray<Record<string, unknown>>,
    ingestionTime: string,
  ): void
  close(): void
}

export function openStore(
  streams: Readonly<Record<string, StreamInfo>>,
  path: string | undefined,
): SqliteStore {
  const db = new Database(path ?? ':memory:')
  if (path !== undefined) db.pragma('journal_mode = WAL')
  const tables = new Map<string, TableInfo>()
  for (const stream of Object.values(streams)) {
    for (const table of stream.tables) {
      const info = tables.get(table) ?? { name: table, columns: new Map() }
      for (const column of stream.columns) {
        if (!info.columns.has(column.name)) info.columns.set(column.name, column.type)
      }
      tables.set(table, info)
    }
  }
  for (const info of tables.values()) {
    const defs = [...info.columns].map(([name, type]) => `${q(name)} ${SQL_TYPES[type]}`)
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${q(info.name)} (_Seq INTEGER PRIMARY KEY AUTOINCREMENT, _Stream TEXT NOT NULL, _IngestionTime TEXT NOT NULL${defs.map((d) => `, ${d}`).join('')})`,
    )
    // A file store from an earlier DCR may lack columns added since.
    const present = new Set(
      (db.prepare(`PRAGMA table_info(${q(info.name)})`).all() as Array<{ name: string }>).map((c) => c.name),
    )
    for (const [name, type] of info.columns) {
      if (!present.has(name)) db.exec(`ALTER TABLE ${q(info.name)} ADD COLUMN ${q(name)} ${SQL_TYPES[type]}`)
    }
  }

  const toSql = (type: DcrColumnType, value: unknown): unknown => {
    if (value === undefined || value === null) return null
    if (type === 'dynamic') return JSON.stringify(value)
    if (type === 'boolean') return value ? 1 : 0
    return value
  }
  const fromSql = (type: DcrColumnType, value: unknown): unknown => {
    if (type === 'dynamic') return JSON.parse(value as string)
    if (type === 'boolean') return value === 1
    return value
  }
  const inserts = new Map<string, { stmt: Database.Statement; columns: Array<[string, DcrColumnType]> }>()
  for (const info of tables.values()) {
    const columns = [...info.columns]
    const names = ['_Stream', '_IngestionTime', ...columns.map(([n]) => n)]
    const stmt = db.prepare(
      `INSERT INTO ${q(info.name)} (${names.map(q).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    )
    inserts.set(info.name, { stmt, columns })
  }

  function readRows(info: TableInfo, eventUid: string | undefined): StoredRow[] {
    let sql = `SELECT * FROM ${q(info.name)}`
    const params: unknown[] = []
    if (eventUid !== undefined) {
      const uidColumns = ['EventUid', 'EventOriginalUid'].filter((c) => info.columns.has(c))
      if (uidColumns.length === 0) return []
      sql += ` WHERE ${uidColumns.map((c) => `${q(c)} = ?`).join(' OR ')}`
      params.push(...uidColumns.map(() => eventUid))
    }
    sql += ' ORDER BY _Seq'
    const raw = db.prepare(sql).all(...params) as Array<Record<string, unknown>>
    return raw.map((r) => {
      const row: Record<string, unknown> = {
        _Table: info.name,
        _Stream: r._Stream,
        _IngestionTime: r._IngestionTime,
      }
      for (const [name, type] of info.columns) {
        const value = r[name]
        if (value !== null && value !== undefined) row[name] = fromSql(type, value)
      }
      return row as StoredRow
    })
  }

  return {
    tables: Object.freeze([...tables.keys()]),
    insert(table, stream, rows, ingestionTime) {
      const target = inserts.get(table)
      if (target === undefined) return
      const tx = db.transaction(() => {
        for (const row of rows) {
          target.stmt.run(
            stream,
            ingestionTime,
            ...target.columns.map(([name, type]) => toSql(type, row[name])),
          )
        }
      })
      tx()
    },
    rows(query: RowQuery = {}) {
      const selected =
        query.table === undefined
          ? [...tables.values()]
          : [tables.get(query.table)].filter((t) => t !== undefined)
      return selected.flatMap((info) => readRows(info, query.eventUid))
    },
    counts() {
      const counts: Record<string, number> = {}
      for (const name of tables.keys()) {
        counts[name] = (db.prepare(`SELECT COUNT(*) AS n FROM ${q(name)}`).get() as { n: number }).n
      }
      return counts
    },
    clear() {
      for (const name of tables.keys()) db.exec(`DELETE FROM ${q(name)}`)
    },
    close() {
      db.close()
    },
  }
}
