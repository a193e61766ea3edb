/** Every threat class's rule, in the order they look at an input (one file each). */
import type { Rule } from '../types.js'
import { jndi } from './jndi.js'
import { nosqlInjection } from './nosql-injection.js'
import { prototypePollution } from './prototype-pollution.js'
import { templateInjection } from './template-injection.js'

export const RULES: readonly Rule[] = [prototypePollution, nosqlInjection, jndi, templateInjection]
