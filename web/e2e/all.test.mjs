// `node --test e2e/` (Node 18/20) only picks files named like *.test.mjs: this one loads every
// journey file, e2e/*.spec.mjs, so that command runs them all. `node --test e2e/*.spec.mjs`
// runs them directly too.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
for (const file of readdirSync(here).filter((f) => f.endsWith('.spec.mjs')).sort()) {
  await import(path.join(here, file))
}
