import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One CA for every test process, made by run-tests.ts before the runner starts. */
export const TEST_TLS_DIR = join(tmpdir(), 'watchpost-sentinel-test', 'tls')
