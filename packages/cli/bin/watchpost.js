#!/usr/bin/env node
// A committed launcher rather than dist/main.js as the bin: npm links (and marks executable) only bin
// files that exist at install time, and in a fresh checkout dist/ is built after the links are made.
import { existsSync } from 'node:fs'

const main = new URL('../dist/main.js', import.meta.url)
if (!existsSync(main)) {
  process.stderr.write('watchpost: dist/main.js is missing; build the package first (npm run build)\n')
  process.exit(1)
}
await import(main.href)
