/** Every threat class's rule, in the order they look at an input (one file each). */
import type { Rule } from '../types.js'
import { commandInjection } from './command-injection.js'
import { nosqlInjection } from './nosql-injection.js'
import { pathTraversal } from './path-traversal.js'
import { prototypePollution } from './prototype-pollution.js'
import { ssrf } from './ssrf.js'

export const RULES: readonly Rule[] = [
  prototypePollution,
  nosqlInjection,
  pathTraversal,
  commandInjection,
  ssrf,
]
