// Two archives side by side, field by field, in the reader's words. Display only: which archive
// stays is the person's decision and the merge is the profile service's (POST /customers/<id>/merge).
import type { Customer } from '@/api/types'

export interface CompareWords {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
  country: (code: string | null | undefined) => string
  nameOf: (id: string | null | undefined) => string
  dateTime: (iso: string | null | undefined) => string
}

export interface CompareRow {
  key: string
  label: string
  left: string[]
  right: string[]
  /** The two sides have a value in common (ignoring case and spacing): what may make them one company. */
  same: boolean
}

type Contact = { name?: string; title?: string; email?: string; phone?: string; whatsapp?: string; linkedin?: string }

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase()

function contactLine(c: Contact): string {
  return [c.name, c.title, c.email, c.phone, c.whatsapp && `WhatsApp ${c.whatsapp}`, c.linkedin].filter(Boolean).join(' · ')
}

function word(w: CompareWords, prefix: string, value: string | null | undefined): string {
  if (!value) return ''
  return w.te(`${prefix}.${value}`) ? w.t(`${prefix}.${value}`) : value
}

function fields(c: Customer, w: CompareWords): Record<string, string[]> {
  const list = (...xs: Array<string | null | undefined>) => xs.filter((x): x is string => !!x && !!x.trim())
  const owner = c.owner_id ? w.nameOf(c.owner_id) : word(w, 'common.poolState', c.pool_state)
  return {
    company: list(c.company),
    aliases: list(...(c.aliases ?? [])),
    country: list(w.country(c.country_code) || c.country),
    city: list(c.city),
    website: list(c.website),
    registration_code: list(c.registration_code),
    contacts: list(...(c.contacts as Contact[]).map((x) => (x && typeof x === 'object' ? contactLine(x) : ''))),
    owner: list(owner),
    stage: list(word(w, 'common.stage', c.stage)),
    intent_grade: list(c.intent_grade?.grade),
    sources: list(...c.sources.map((s) => [word(w, 'notices.channel', s.channel), s.campaign, s.at ? w.dateTime(s.at) : ''].filter(Boolean).join(' · '))),
    needs: list(...c.needs),
    products: list(...c.products),
    inquiries: list(String(c.inquiry_count)),
    created_at: list(w.dateTime(c.created_at)),
  }
}

export const COMPARED = [
  'company', 'aliases', 'country', 'city', 'website', 'registration_code', 'contacts', 'owner', 'stage', 'intent_grade',
  'sources', 'needs', 'products', 'inquiries', 'created_at',
] as const

export function compareRows(left: Customer, right: Customer, w: CompareWords): CompareRow[] {
  const a = fields(left, w)
  const b = fields(right, w)
  return COMPARED.map((key) => {
    const l = a[key]
    const r = b[key]
    const shared = l.some((x) => r.some((y) => norm(x) === norm(y)))
    const same = key !== 'created_at' && key !== 'inquiries' && shared
    return { key, label: w.t(`decisions.duplicates.field.${key}`), left: l, right: r, same }
  })
}
