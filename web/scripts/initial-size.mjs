// Initial JS of the build: the entry script in dist/index.html and every chunk it imports
// statically (what the browser loads before the first page), gzipped. Fails above the budget.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist')
const BUDGET_KB = Number(process.env.BUDGET_KB ?? 400)
const html = readFileSync(path.join(dist, 'index.html'), 'utf8')
const entries = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1])
const seen = new Set()
const queue = [...entries]
while (queue.length) {
  const file = queue.shift()
  if (seen.has(file)) continue
  seen.add(file)
  const code = readFileSync(path.join(dist, file), 'utf8')
  // static imports only: `import ... from "./x.js"` / `import "./x.js"` (not import("./x.js"))
  for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[^"'()]*?from\s*)?["'](\.\/[^"']+\.js)["']/g)) {
    queue.push(path.posix.join(path.posix.dirname(file), m[1]))
  }
}
let raw = 0
let gz = 0
for (const file of seen) {
  const buf = readFileSync(path.join(dist, file))
  raw += buf.length
  gz += gzipSync(buf, { level: 9 }).length
}
const kb = (n) => (n / 1024).toFixed(1)
console.log(`initial JS: ${seen.size} file(s), ${kb(raw)} KB raw, ${kb(gz)} KB gzipped (budget ${BUDGET_KB} KB)`)
for (const f of seen) console.log('  ' + f)
if (gz / 1024 > BUDGET_KB) process.exit(1)
