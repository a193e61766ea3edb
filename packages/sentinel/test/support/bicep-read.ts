/**
 * Reads the generated Bicep file back into data, so that tests can compare it with the ARM JSON
 * derived from the same model instead of with a copy kept in the test. Handles Bicep as the
 * renderer writes it: one declaration per block, objects and arrays one entry per line. A value that
 * is not a literal is kept as `{ $expr: '<text>' }`.
 */
export type BicepValue =
  | string
  | number
  | boolean
  | null
  | { readonly $expr: string }
  | BicepValue[]
  | { [key: string]: BicepValue }

export interface BicepParam {
  readonly type: string
  readonly defaultValue?: BicepValue
  readonly decorators: readonly string[]
}

export interface BicepResource {
  readonly symbol: string
  readonly type: string
  readonly apiVersion: string
  readonly existing: boolean
  readonly condition?: string
  readonly body: { [key: string]: BicepValue }
}

export interface BicepFile {
  readonly params: Map<string, BicepParam>
  readonly vars: Map<string, BicepValue>
  readonly resources: readonly BicepResource[]
  readonly outputs: Map<string, { readonly type: string; readonly value: BicepValue }>
}

/** The text of an expression value, else undefined. */
export function exprOf(value: BicepValue | undefined): string | undefined {
  return typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.$expr === 'string'
    ? value.$expr
    : undefined
}

const STRING = /^'((?:[^'\\]|\\.)*)'$/

function unescapeText(body: string): string {
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c)
}

/** The value that starts with `first` on line `i`; returns it and the next line's index. */
function value(lines: readonly string[], i: number, first: string): [BicepValue, number] {
  const text = first.trim()
  if (text === '{}') return [{}, i + 1]
  if (text === '[]') return [[], i + 1]
  if (text === '{') {
    const out: { [key: string]: BicepValue } = {}
    let n = i + 1
    while ((lines[n] ?? '}').trim() !== '}') {
      const match = /^\s*('(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*): (.*)$/.exec(lines[n] as string)
      if (match === null) throw new Error(`line ${n + 1}: expected \`key: value\`, got ${lines[n]}`)
      const key = match[1]?.startsWith("'") ? unescapeText(match[1].slice(1, -1)) : (match[1] as string)
      const [v, next] = value(lines, n, match[2] as string)
      out[key] = v
      n = next
    }
    return [out, n + 1]
  }
  if (text === '[') {
    const out: BicepValue[] = []
    let n = i + 1
    while ((lines[n] ?? ']').trim() !== ']') {
      const [v, next] = value(lines, n, lines[n] as string)
      out.push(v)
      n = next
    }
    return [out, n + 1]
  }
  const string = STRING.exec(text)
  // An interpolated string (an unescaped `${`) is an expression.
  if (string !== null && !/(^|[^\\])\$\{/.test(string[1] as string))
    return [unescapeText(string[1] as string), i + 1]
  if (/^-?\d+$/.test(text)) return [Number(text), i + 1]
  if (text === 'true' || text === 'false') return [text === 'true', i + 1]
  if (text === 'null') return [null, i + 1]
  return [{ $expr: text }, i + 1]
}

const PARAM = /^param (\w+) (\w+)(?: = (.*))?$/
const VAR = /^var (\w+) = (.*)$/
const RESOURCE = /^resource (\w+) '([^@']+)@([^']+)'( existing)? = (?:if \((.*)\) )?\{$/
const OUTPUT = /^output (\w+) (\w+) = (.*)$/

export function readBicep(source: string): BicepFile {
  const lines = source.split('\n')
  const file: BicepFile = { params: new Map(), vars: new Map(), resources: [], outputs: new Map() }
  let decorators: string[] = []
  let i = 0
  while (i < lines.length) {
    const line = lines[i] as string
    const param = PARAM.exec(line)
    const variable = VAR.exec(line)
    const resource = RESOURCE.exec(line)
    const output = OUTPUT.exec(line)
    if (line.startsWith('@')) {
      // A decorator's argument may span lines (`@allowed([ … ])`).
      let text = line
      while (!balanced(text)) text += `\n${lines[++i]}`
      decorators.push(text)
      i++
    } else if (param !== null) {
      const [, name, type, initial] = param
      file.params.set(
        name as string,
        initial === undefined
          ? { type: type as string, decorators }
          : { type: type as string, defaultValue: value(lines, i, initial)[0], decorators },
      )
      decorators = []
      i++
    } else if (variable !== null) {
      const [v, next] = value(lines, i, variable[2] as string)
      file.vars.set(variable[1] as string, v)
      i = next
    } else if (resource !== null) {
      const [body, next] = value(lines, i, '{')
      ;(file.resources as BicepResource[]).push({
        symbol: resource[1] as string,
        type: resource[2] as string,
        apiVersion: resource[3] as string,
        existing: resource[4] !== undefined,
        ...(resource[5] === undefined ? {} : { condition: resource[5] }),
        body: body as { [key: string]: BicepValue },
      })
      i = next
    } else if (output !== null) {
      const [v, next] = value(lines, i, output[3] as string)
      file.outputs.set(output[1] as string, { type: output[2] as string, value: v })
      decorators = []
      i = next
    } else {
      if (line.trim() !== '' && !line.startsWith('//') && !line.startsWith('targetScope'))
        throw new Error(`line ${i + 1}: unexpected ${line}`)
      i++
    }
  }
  return file
}

function balanced(text: string): boolean {
  let depth = 0
  for (const c of text.replace(/'(?:[^'\\]|\\.)*'/g, "''")) {
    if (c === '(' || c === '[' || c === '{') depth++
    if (c === ')' || c === ']' || c === '}') depth--
  }
  return depth === 0
}
