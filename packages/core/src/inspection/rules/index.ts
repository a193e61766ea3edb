/** Every threat class's rule, in the order they look at an input (one file each). */
import type { Rule } from '../types.js'
import { nosqlInjection } from './nosql-injection.js'
import { prototypePollution } from './prototype-pollution.js'
import { sqlInjection } from './sqli.js'
import { crossSiteScripting } from './xss.js'

export const RULES: readonly Rule[] = [prototypePollution, nosqlInjection, sqlInjection, crossSiteScripting]
