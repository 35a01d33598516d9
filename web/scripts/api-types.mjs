// Regenerates src/api/schema.d.ts from the gateway's OpenAPI document.
// API_SPEC may name a file or URL; default http://127.0.0.1:8000/openapi.json.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const spec = process.env.API_SPEC ?? 'http://127.0.0.1:8000/openapi.json'
const bin = path.join(root, 'node_modules', '.bin', 'openapi-typescript')
execFileSync(bin, [spec, '-o', path.join(root, 'src/api/schema.d.ts')], { stdio: 'inherit', cwd: root })
