/** Compiles an origin allowlist once: exact origins, a RegExp (tested on the origin), or a function. */
export function originCheck(
  allowed: readonly string[] | RegExp | ((origin: string) => boolean),
): (origin: string) => boolean {
  if (typeof allowed === 'function') {
    return (origin) => {
      try {
        return allowed(origin) === true
      } catch {
        return false
      }
    }
  }
  if (allowed instanceof RegExp) return (origin) => origin.length <= 2048 && allowed.test(origin)
  const set = new Set(allowed)
  return (origin) => set.has(origin)
}
