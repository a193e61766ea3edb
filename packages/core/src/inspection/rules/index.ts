/** Every threat class's rule, in the order they look at an input (one file each). */
import type { Rule } from '../types.js'
import { commandInjection } from './command-injection.js'
import { jndi } from './jndi.js'
import { nosqlInjection } from './nosql-injection.js'
import { pathTraversal } from './path-traversal.js'
import { prototypePollution } from './prototype-pollution.js'
import { sqlInjection } from './sqli.js'
import { ssrf } from './ssrf.js'
import { templateInjection } from './template-injection.js'
import { crossSiteScripting } from './xss.js'

export const RULES: readonly Rule[] = [
  sqlInjection,
  crossSiteScripting,
  pathTraversal,
  commandInjection,
  jndi,
  templateInjection,
  prototypePollution,
  nosqlInjection,
  ssrf,
]
