// Running an import the server has read (POST /imports/read): its items posted in batches to
// POST /inquiries/batch, then what became of each row asked of the API, as `baton import` does
// (cli/import_file.py). Only the API's answers are reported: created / merged / flagged come from
// the inquiry's `filed_as`, rejections with the server's field reasons, do-not-contact from the pool.
import type { BatchResult, ContactStatusList, ImportItem, ImportReading } from './api'

export type Outcome = 'created' | 'merged' | 'flagged' | 'filed' | 'rejected' | 'before' | 'pending'
export interface RowReport {
  row: number
  outcome: Outcome
  company: string
  email: string
  inquiryId?: string
  customerId?: string
  reasons?: string
  doNotContact?: string
  candidates?: string[]
}
export interface Progress {
  phase: 'sending' | 'filing' | 'checking' | 'done'
  sent: number
  filed: number
  total: number
}
export interface ImportApi {
  postBatch: (items: { message_id: string; inquiry: Record<string, unknown> }[]) => Promise<BatchResult>
  inquiriesByIds: (ids: string[]) => Promise<{ items?: { id: string; customer_id?: string | null; filed_as?: string | null }[] }>
  contactStatus: (customerIds: string[]) => Promise<ContactStatusList>
  possibleDuplicates: (customerId: string) => Promise<string[]>
  sleep: (ms: number) => Promise<void>
  now: () => number
}

// How the calls are cut: within the server's default batch (500 items, 1 MiB body) and a page of ids.
export const BATCH_ITEMS = 200
export const BATCH_CHARS = 400_000
export const LOOKUP_IDS = 200
export const POLL_MS = 500
export const WAIT_MS = 120_000

/** The items cut into batches of at most BATCH_ITEMS and about BATCH_CHARS of JSON each. */
export function batches(items: ImportItem[]): ImportItem[][] {
  const out: ImportItem[][] = []
  let chunk: ImportItem[] = []
  let size = 0
  for (const item of items) {
    const itemSize = JSON.stringify({ message_id: item.message_id, inquiry: item.inquiry }).length
    if (chunk.length && (chunk.length >= BATCH_ITEMS || size + itemSize > BATCH_CHARS)) {
      out.push(chunk)
      chunk = []
      size = 0
    }
    chunk.push(item)
    size += itemSize
  }
  if (chunk.length) out.push(chunk)
  return out
}

/** `{inquiry: {contact: {email: ["Not a valid email address."]}}}` → "inquiry.contact.email: Not a valid email address." */
export function reasonsOf(errors: unknown, prefix = ''): string {
  if (!errors || typeof errors !== 'object') return errors ? String(errors) : ''
  if (Array.isArray(errors)) return errors.map((e) => reasonsOf(e, prefix)).filter(Boolean).join(' ')
  return Object.entries(errors as Record<string, unknown>)
    .map(([field, value]) => {
      const name = prefix ? `${prefix}.${field}` : field
      if (value && typeof value === 'object' && !Array.isArray(value)) return reasonsOf(value, name)
      return `${name}: ${reasonsOf(value)}`
    })
    .join('; ')
}

function describe(item: ImportItem): { company: string; email: string } {
  const inquiry = item.inquiry as { company?: string; contact?: { email?: string; name?: string } }
  return { company: inquiry.company ?? inquiry.contact?.name ?? '', email: inquiry.contact?.email ?? '' }
}

export async function runImport(reading: ImportReading, api: ImportApi, onProgress: (p: Progress) => void): Promise<RowReport[]> {
  const reports: RowReport[] = []
  const progress: Progress = { phase: 'sending', sent: 0, filed: 0, total: reading.items.length }
  onProgress({ ...progress })
  for (const chunk of batches(reading.items)) {
    const answer = await api.postBatch(chunk.map((i) => ({ message_id: i.message_id, inquiry: i.inquiry as Record<string, unknown> })))
    chunk.forEach((item, index) => {
      const result = answer.items[index]
      const base = { row: item.row, ...describe(item), inquiryId: result?.id ?? undefined }
      if (!result || result.outcome === 'rejected' || result.status === 'rejected')
        reports.push({ ...base, outcome: 'rejected', reasons: reasonsOf(result?.errors) })
      else reports.push({ ...base, outcome: result.outcome === 'duplicate' ? 'before' : 'pending' })
    })
    progress.sent += chunk.length
    onProgress({ ...progress })
  }

  progress.phase = 'filing'
  progress.filed = reports.filter((r) => r.outcome !== 'pending').length
  onProgress({ ...progress })
  const deadline = api.now() + WAIT_MS
  let pending = reports.filter((r) => r.outcome === 'pending')
  while (pending.length && api.now() < deadline) {
    for (let start = 0; start < pending.length; start += LOOKUP_IDS) {
      const slice = pending.slice(start, start + LOOKUP_IDS)
      const page = await api.inquiriesByIds(slice.map((r) => r.inquiryId as string))
      const filed = new Map((page.items ?? []).filter((i) => i.customer_id && i.filed_as).map((i) => [i.id, i]))
      for (const report of slice) {
        const record = filed.get(report.inquiryId as string)
        if (!record) continue
        report.customerId = record.customer_id as string
        report.outcome = record.filed_as as Outcome
      }
    }
    pending = pending.filter((r) => r.outcome === 'pending')
    progress.filed = progress.total - pending.length
    onProgress({ ...progress })
    if (pending.length) await api.sleep(POLL_MS)
  }

  progress.phase = 'checking'
  onProgress({ ...progress })
  const filedRows = reports.filter((r) => r.customerId)
  const ids = [...new Set(filedRows.map((r) => r.customerId as string))]
  for (let start = 0; start < ids.length; start += 500) {
    const status = await api.contactStatus(ids.slice(start, start + 500))
    const refused = new Map(status.items.filter((s) => s.do_not_contact).map((s) => [s.customer_id, s.reason]))
    for (const report of filedRows) if (refused.has(report.customerId as string)) report.doNotContact = refused.get(report.customerId as string)
  }
  for (const report of reports.filter((r) => r.outcome === 'flagged' && r.customerId)) {
    report.candidates = await api.possibleDuplicates(report.customerId as string).catch(() => [])
  }
  progress.phase = 'done'
  onProgress({ ...progress })
  return reports
}

/** The counts per outcome, for the summary. */
export function tally(reports: RowReport[]): Record<Outcome | 'doNotContact', number> {
  const counts = { created: 0, merged: 0, flagged: 0, filed: 0, rejected: 0, before: 0, pending: 0, doNotContact: 0 }
  for (const r of reports) {
    counts[r.outcome] += 1
    if (r.doNotContact) counts.doNotContact += 1
  }
  return counts
}

const REPORT_COLUMNS = ['row', 'outcome', 'company', 'email', 'customer_id', 'reasons', 'do_not_contact', 'possible_duplicates'] as const

/** A spreadsheet cell: quoted, and text a spreadsheet would run as a formula made inert. */
function cell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The per-row report as CSV (UTF-8 with a byte-order mark, for spreadsheets). */
export function reportCsv(reports: RowReport[]): string {
  const lines = [REPORT_COLUMNS.join(',')]
  for (const r of reports)
    lines.push(
      [r.row, r.outcome, r.company, r.email, r.customerId, r.reasons, r.doNotContact, (r.candidates ?? []).join(' ')].map(cell).join(','),
    )
  return '\ufeff' + lines.join('\r\n') + '\r\n'
}
