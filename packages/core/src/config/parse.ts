/**
 * Parses a configuration file's text: JSON with `JSON.parse`, everything else as YAML. Syntax errors
 * become `ERR_WATCHPOST_CONFIG_PARSE` naming the file, line, column and reason; `locate` gives the
 * line and column of an option, so that every later issue can name its place in the file too.
 */
import { type Document, isCollection, isNode, LineCounter, parseDocument } from 'yaml'
import { ConfigError } from '../errors.js'
import { MAX_DEPTH } from './env.js'
import { pathSegments } from './path.js'

export interface Position {
  readonly line: number
  readonly column: number
}

export interface ParsedConfig {
  readonly value: unknown
  /** Where the option at `path` is (its value; its nearest ancestor in the file when it is absent). */
  readonly locate: (path: string) => Position | undefined
}

export function parseConfigText(text: string, file: string): unknown {
  return parseConfigFile(text, file).value
}

export function parseConfigFile(text: string, file: string): ParsedConfig {
  return file.toLowerCase().endsWith('.json') ? parseJson(text, file) : parseYaml(text, file)
}

/** A YAML document's positions by option path (`detectors.notFound.threshold`, `sinks[1].path`). */
function locator(doc: Document, lines: LineCounter): (path: string) => Position | undefined {
  return (path) => {
    const segments = pathSegments(path)
    if (segments === undefined) return undefined
    for (let n = segments.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true)
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        // An empty collection or value still has its start; a missing key falls back to its parent.
        if (n < segments.length && !isCollection(node)) continue
        const pos = lines.linePos(node.range[0])
        return { line: pos.line, column: pos.col }
      }
    }
    return undefined
  }
}

function parseYaml(text: string, file: string): ParsedConfig {
  let doc: ReturnType<typeof parseDocument>
  const lines = new LineCounter()
  try {
    // uniqueKeys (the default, stated here on purpose): a duplicated key is an error, not "last wins".
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter: lines }) // prettyErrors computes linePos
  } catch (err) {
    throw parseError(file, undefined, errorText(err), err)
  }
  const first = doc.errors[0]
  if (first !== undefined) {
    const pos = first.linePos?.[0]
    const reason =
      first.code === 'DUPLICATE_KEY'
        ? 'duplicate key (map keys must be unique)'
        : /Maximum call stack/.test(first.message)
          ? 'nested too deeply to parse'
          : firstLine(first.message).replace(/ at line \d+, column \d+:?$/, '')
    throw parseError(file, pos === undefined ? undefined : { line: pos.line, column: pos.col }, reason, first)
  }
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    return { value: doc.toJS({ maxAliasCount: 100 }), locate: locator(doc, lines) }
  } catch (err) {
    throw parseError(file, undefined, errorText(err), err)
  }
}

function parseJson(text: string, file: string): ParsedConfig {
  // A UTF-8 BOM is legal in a file but not in JSON.parse's input.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  try {
    const value: unknown = JSON.parse(source)
    return { value, locate: jsonLocator(source) }
  } catch (err) {
    const reason = errorText(err)
    // Node 20 (V8 11) reports "at position N" for most errors, nothing for "Unexpected token 'x', ..."
    // and "Unexpected end": locate those ourselves.
    const match = /at position (\d+)/.exec(reason)
    const offset = match !== null ? Number(match[1]) : locateJsonError(source)
    const cleaned = reason
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
    throw parseError(file, offset === undefined ? undefined : lineColumn(source, offset), cleaned, err)
  }
}

/**
 * JSON is YAML's flow syntax, so the yaml package's parse of the same text gives the positions; the
 * value stays JSON.parse's. Built on first use: a valid configuration never needs it.
 */
function jsonLocator(source: string): (path: string) => Position | undefined {
  let locate: ((path: string) => Position | undefined) | undefined
  return (path) => {
    if (locate === undefined) {
      const lines = new LineCounter()
      // The yaml package recurses per level and, on JSON nested many thousand levels deep, exhausts
      // memory rather than the stack; options are never that deep, so such a file gets no positions.
      locate = () => undefined
      if (nestingDepth(source) <= MAX_DEPTH) {
        try {
          const doc = parseDocument(source, { uniqueKeys: false, lineCounter: lines })
          if (doc.errors.length === 0) locate = locator(doc, lines)
        } catch {}
      }
    }
    return locate(path)
  }
}

/** The deepest nesting of `[` and `{` in JSON text, outside strings. */
function nestingDepth(json: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth)
    else if (c === 0x5d || c === 0x7d) depth--
  }
  return max
}

function parseError(
  file: string,
  pos: { line: number; column: number } | undefined,
  reason: string,
  cause: unknown,
): ConfigError {
  return new ConfigError('ERR_WATCHPOST_CONFIG_PARSE', {
    file,
    reason: firstLine(reason),
    line: pos?.line,
    column: pos?.column,
    cause,
  })
}

function errorText(err: unknown): string {
  // The yaml package recurses per nesting level: hostile nesting ends in a stack overflow.
  if (err instanceof RangeError) return 'nested too deeply to parse'
  return err instanceof Error ? err.message : String(err)
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/**
 * Offset of the first JSON syntax error (RFC 8259 grammar), for the messages of JSON.parse that carry
 * no position. Iterative (an explicit stack), so hostile nesting cannot overflow the call stack.
 */
export function locateJsonError(text: string): number | undefined {
  let i = 0
  let opened = false
  const stack: ('{' | '[')[] = []
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const value = (): boolean => {
    ws()
    const c = text[i]
    if (c === '"') return string()
    if (c === '{' || c === '[') {
      stack.push(c)
      opened = true
      i++
      return true
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length
        return true
      }
    }
    const num = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    num.lastIndex = i
    if (num.test(text)) {
      i = num.lastIndex
      return true
    }
    return false
  }
  const string = (): boolean => {
    i++
    while (i < text.length) {
      const code = text.charCodeAt(i)
      if (code === 0x22) {
        i++
        return true
      }
      if (code < 0x20) return false
      if (code === 0x5c) {
        const next = text[i + 1]
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false
          i += 6
          continue
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) return false
        i += 2
        continue
      }
      i++
    }
    return false
  }
  // After a value: close containers or expect a separator.
  if (!value()) return i
  for (;;) {
    const top = stack.at(-1)
    ws()
    if (top === undefined) return i < text.length ? i : undefined
    if (opened) {
      // Just opened: empty container or first element.
      opened = false
      if (text[i] === (top === '{' ? '}' : ']')) {
        stack.pop()
        i++
        continue
      }
      if (top === '{' && !member()) return i
      if (top === '[' && !value()) return i
      continue
    }
    if (text[i] === (top === '{' ? '}' : ']')) {
      stack.pop()
      i++
      continue
    }
    if (text[i] !== ',') return i
    i++
    if (top === '{' ? !member() : !value()) return i
  }
  function member(): boolean {
    ws()
    if (text[i] !== '"' || !string()) return false
    ws()
    if (text[i] !== ':') return false
    i++
    return value()
  }
}
