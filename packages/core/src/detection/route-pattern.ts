/**
 * Path patterns of `routes[].match`: exact (`/health`), prefix (`/admin/` + `*`: `/admin` and
 * everything below), one segment (a `*` segment) and any depth (a `**` segment). Compiled once; matching
 * is over segments with a table (O(pattern × path segments)), never a backtracking regex, because
 * the path is attacker-controlled.
 */
const MAX_SEGMENTS = 64

export type PathMatcher = (path: string) => boolean

export function compilePathPattern(pattern: string): PathMatcher {
  const parts = pattern.split('/').filter((p) => p !== '')
  if (!parts.includes('*') && !parts.includes('**')) {
    const exact = `/${parts.join('/')}`
    return (path) => trimSlash(path) === exact
  }
  // A trailing `*` means "and everything below": the same as a trailing `**`, plus the base itself.
  if (parts[parts.length - 1] === '*') parts[parts.length - 1] = '**'
  return (path) =>
    matchSegments(
      parts,
      path
        .split('/')
        .filter((p) => p !== '')
        .slice(0, MAX_SEGMENTS),
    )
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
}

function matchSegments(pattern: readonly string[], path: readonly string[]): boolean {
  // can[j] = pattern[0..i) matches path[0..j)
  let can = new Array<boolean>(path.length + 1).fill(false)
  can[0] = true
  for (const part of pattern) {
    const next = new Array<boolean>(path.length + 1).fill(false)
    if (part === '**') {
      let any = false
      for (let j = 0; j <= path.length; j++) {
        any ||= can[j]!
        next[j] = any
      }
    } else {
      for (let j = 1; j <= path.length; j++) next[j] = can[j - 1]! && (part === '*' || part === path[j - 1])
    }
    can = next
  }
  return can[path.length]!
}
