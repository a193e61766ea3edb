/** Option paths as users read them: `detectors.notFound.threshold`, `sinks[1].type`. */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  // Keys that are not identifiers (spaces, dots, quotes) are quoted so the path stays unambiguous.
  const segment = IDENTIFIER.test(key) ? key : JSON.stringify(key)
  return parent === '' ? segment : `${parent}.${segment}`
}

/** The keys of a path made by `childPath`; `undefined` when it is not one. */
export function pathSegments(path: string): (string | number)[] | undefined {
  const segments: (string | number)[] = []
  const token = /\[(\d+)\]|(?:^|\.)("(?:[^"\\]|\\.)*"|[A-Za-z_$][A-Za-z0-9_$-]*)/y
  while (token.lastIndex < path.length) {
    const start = token.lastIndex
    const match = token.exec(path)
    if (match === null || match.index !== start) return undefined
    if (match[1] !== undefined) segments.push(Number(match[1]))
    else if (match[2] !== undefined)
      segments.push(match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2])
  }
  return segments
}

/** `Object.prototype` or `null` prototype: what JSON.parse and YAML produce for a mapping. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Own data property, even for `__proto__`: plain assignment of that key would replace the object's
 * prototype instead of storing a value (prototype pollution through a config file).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}
