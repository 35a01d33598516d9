// Pure helpers for the display-only components of the customer, handoffs and service features.
// No business rule here: only how what the server sent is laid out.

/** A field error map as the server sends it (`error.details.fields`): a field names a list of
 * messages, or (lists and nested objects) an object keyed by index or sub-field. */
export type FieldErrorTree = { [key: string]: string[] | string | FieldErrorTree }

/** Flattens `details.fields` into dotted paths: {"titles": {"0": {"registration_code": [..]}}}
 * → {"titles.0.registration_code": [..]}. */
export function flattenFieldErrors(fields: unknown, prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  if (!fields || typeof fields !== 'object') return out
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (Array.isArray(value)) {
      const texts = value.filter((v) => typeof v === 'string') as string[]
      const nested = value.filter((v) => v && typeof v === 'object')
      if (texts.length) out[path] = [...(out[path] ?? []), ...texts]
      nested.forEach((n, i) => Object.assign(out, flattenFieldErrors(n, `${path}.${i}`)))
    } else if (typeof value === 'string') {
      out[path] = [...(out[path] ?? []), value]
    } else if (value && typeof value === 'object') {
      Object.assign(out, flattenFieldErrors(value, path))
    }
  }
  return out
}

/** The messages for a field and everything under it ("titles" also gets "titles.0.name"). */
export function errorsUnder(flat: Record<string, string[]>, path: string): string[] {
  const out: string[] = []
  for (const [key, messages] of Object.entries(flat)) {
    if (key === path || key.startsWith(`${path}.`)) out.push(...messages)
  }
  return out
}

/** True when the server sent a value for `key` in at least one row (null and absent are "not sent"). */
export function anyHas(rows: ReadonlyArray<Record<string, unknown>> | null | undefined, key: string): boolean {
  return !!rows && rows.some((r) => r && r[key] !== undefined && r[key] !== null && r[key] !== '')
}

/** True when a value was sent. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== ''
}

/** A boolean the server may send as true/false or, inside error details, as "True"/"False". */
export function truthy(v: unknown): boolean {
  if (typeof v === 'string') return v.toLowerCase() === 'true'
  return v === true
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function dayKey(at: string | Date, timeZone?: string): string {
  const d = typeof at === 'string' ? new Date(at) : at
  if (Number.isNaN(d.getTime())) return String(at).slice(0, 10)
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone || undefined,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).formatToParts(d)
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
    return `${get('year')}-${get('month')}-${get('day')}`
  } catch {
    return d.toISOString().slice(0, 10)
  }
}

export interface Dated {
  at: string
}

export interface DayGroup<T> {
  day: string
  entries: T[]
}

/** Entries newest first, grouped by their day in the person's time zone (newest day first). */
export function groupByDay<T extends Dated>(entries: ReadonlyArray<T>, timeZone?: string): DayGroup<T>[] {
  const sorted = [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
  const groups: DayGroup<T>[] = []
  for (const e of sorted) {
    const day = dayKey(e.at, timeZone)
    const last = groups[groups.length - 1]
    if (last && last.day === day) last.entries.push(e)
    else groups.push({ day, entries: [e] })
  }
  return groups
}

/** Replaces people's ids with their names in a server-written sentence ("by alice" → "by Alice
 * Wang"). Whole words only, and only ids the people list knows. */
export function namesInText(text: string, nameOf: (id: string) => string | undefined, ids: Iterable<string>): string {
  let out = text
  for (const id of ids) {
    if (!id || id.length < 2) continue
    const name = nameOf(id)
    if (!name || name === id) continue
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    out = out.replace(new RegExp(`(^|[^A-Za-z0-9_.@-])${escaped}(?![A-Za-z0-9_@-]|\\.[A-Za-z0-9])`, 'g'), `$1${name}`)
  }
  return out
}
