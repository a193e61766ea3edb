/**
 * Parses a configuration file's text: JSON with `JSON.parse`, everything else as YAML. Syntax errors
 * become `ERR_WATCHPOST_CONFIG_PARSE` naming the file, line, column and reason.
 */
import { parseDocument } from 'yaml'
import { ConfigError } from '../errors.js'

export function parseConfigText(text: string, file: string): unknown {
  return file.toLowerCase().endsWith('.json') ? parseJson(text, file) : parseYaml(text, file)
}

function parseYaml(text: string, file: string): unknown {
  let doc: ReturnType<typeof parseDocument>
  try {
    // uniqueKeys (the default, stated here on purpose): a duplicated key is an error, not "last wins".
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true }) // prettyErrors computes linePos
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
    return doc.toJS({ maxAliasCount: 100 })
  } catch (err) {
    throw parseError(file, undefined, errorText(err), err)
  }
}

function parseJson(text: string, file: string): unknown {
  // A UTF-8 BOM is legal in a file but not in JSON.parse's input.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  try {
    return JSON.parse(source)
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

function parseError(
  file: string,
  pos: { line: number; column: number } | undefined,
  reason: string,
  cause: unknown,
): ConfigError {
  const where = pos === undefined ? file : `${file}:${pos.line}:${pos.column}`
  const at = pos === undefined ? '' : ` (line ${pos.line}, column ${pos.column})`
  return new ConfigError('ERR_WATCHPOST_CONFIG_PARSE', `Cannot parse ${where}${at}: ${firstLine(reason)}`, {
    file,
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
