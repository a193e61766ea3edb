/**
 * A small YAML rendering of plain data (objects, arrays of objects, strings, numbers, booleans), for
 * the snippets the CLI prints to paste into a configuration file. Strings are double-quoted: JSON's
 * string syntax is YAML's, so no value can change meaning.
 */
export function yamlLines(value: unknown, indent = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const [first = '', ...rest] = yamlLines(item, `${indent}  `)
      return [`${indent}- ${first.trimStart()}`, ...rest]
    })
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      typeof item === 'object' && item !== null
        ? [`${indent}${key}:`, ...yamlLines(item, `${indent}  `)]
        : [`${indent}${key}: ${scalar(item)}`],
    )
  }
  return [`${indent}${scalar(value)}`]
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
