// The one way the console talks to the gateway: `api<T>(method, path, {query, body, idempotencyKey})`.
// - adds `Authorization: Bearer <token>` and JSON both ways;
// - throws ApiError {status, code, message, details, fields} built from {"error": {...}};
// - 401: clears the session and calls the unauthorized handler (the router sends the person to
//   /signin?next=<the page they were on>);
// - 503: sets the shared outage banner naming error.details.service.
import { setToken, token } from './token'
import { reportOutage } from './status'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
export type QueryValue = string | number | boolean | null | undefined | Array<string | number>

export interface ApiOptions {
  query?: Record<string, QueryValue>
  body?: unknown
  idempotencyKey?: string
  signal?: AbortSignal
  /** false: a 401 is the caller's business (sign-in form), no redirect. */
  redirectOn401?: boolean
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  /** details.fields: a field name → messages (empty object when none). Nested errors (a list's
   * rows, a nested object's fields) are flattened into dotted names: `contacts.0.email`. */
  readonly fields: Record<string, string[]>

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
    this.fields = normaliseFields(details.fields)
  }

  /** The first message for a field, or ''. */
  field(name: string): string {
    return this.fields[name]?.[0] ?? ''
  }
}

/** `{"contacts": {"0": {"email": ["…"]}}}` → `{"contacts.0.email": ["…"]}`; a list of messages
 * stays under its field; objects inside a list are its rows (`titles.1.name`). */
export function normaliseFields(raw: unknown, prefix = '', out: Record<string, string[]> = {}): Record<string, string[]> {
  if (!raw || typeof raw !== 'object') return out
  const add = (path: string, message: unknown) => (out[path] ??= []).push(String(message))
  const visit = (path: string, value: unknown) => {
    if (value === null || value === undefined) return
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item !== null && typeof item === 'object') visit(`${path}.${i}`, item)
        else if (item !== null && item !== undefined) add(path, item)
      })
    } else if (typeof value === 'object') {
      normaliseFields(value, path, out)
    } else {
      add(path, value)
    }
  }
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) visit(prefix ? `${prefix}.${k}` : k, v)
  return out
}

type UnauthorizedHandler = (reason: string | undefined) => void
let onUnauthorized: UnauthorizedHandler = () => {
  const here = window.location.pathname + window.location.search
  if (!window.location.pathname.startsWith('/signin'))
    window.location.assign('/signin?next=' + encodeURIComponent(here))
}

/** main.ts installs a router-aware handler; tests install a spy. */
export function setUnauthorizedHandler(fn: UnauthorizedHandler): void {
  onUnauthorized = fn
}

let language = 'en'
/** Sent as Accept-Language so the server may answer in the person's language. */
export function setApiLanguage(lang: string): void {
  language = lang
}

/** The language calls are sent in now. */
export function apiLanguage(): string {
  return language
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => params.append(k, String(x)))
    else params.append(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path
}

/** Parses an error answer. Bodies that are not the gateway's shape still give a usable error. */
export async function toApiError(res: Response): Promise<ApiError> {
  let payload: unknown = null
  const text = await res.text().catch(() => '')
  try {
    payload = text ? JSON.parse(text) : null
  } catch {
    payload = null
  }
  const err = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error
  if (err && typeof err === 'object') {
    const details = err.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : {}
    return new ApiError(res.status, String(err.code ?? 'error'), String(err.message ?? res.statusText), details)
  }
  const fallback = text && text.length < 300 && !text.trimStart().startsWith('<') ? text : res.statusText || `HTTP ${res.status}`
  return new ApiError(res.status, res.status === 503 ? 'unavailable' : 'http_error', fallback, {})
}

export async function api<T = unknown>(method: Method, path: string, opts: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language }
  if (token.value) headers.Authorization = `Bearer ${token.value}`
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    reportOutage(null, (e as Error)?.message ?? 'network error')
    throw new ApiError(0, 'network', (e as Error)?.message ?? 'network error')
  }

  if (!res.ok) {
    const error = await toApiError(res)
    if (res.status === 401 && opts.redirectOn401 !== false) {
      setToken(null)
      onUnauthorized(typeof error.details.reason === 'string' ? error.details.reason : undefined)
    } else if (res.status === 503) {
      const service = typeof error.details.service === 'string' ? error.details.service : null
      reportOutage(service, error.message)
    }
    throw error
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** A fresh Idempotency-Key for one write (reuse it when retrying the same write). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto as Crypto | undefined
  if (c?.randomUUID) return c.randomUUID()
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}
