#!/usr/bin/env node
// A committed launcher rather than dist/cli.js as the bin: npm links (and marks executable) only bin
// files that exist at install time, and in a fresh checkout dist/ is built after the links are made.
import { existsSync } from 'node:fs'

const cli = new URL('../dist/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write(
    'watchpost-emulator: dist/cli.js is missing; build the package first (npm run build)\n',
  )
  process.exit(1)
}
await import(cli.href)
