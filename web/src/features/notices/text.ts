// Pure helpers shared by the notice and timeline renderers: the words of server values (pool
// reasons, eligibility reasons, requirement fields, checklist items) in the reader's language, and
// the fallback for server-written English: ids replaced by names, "YYYY-MM-DD HH:MM UTC" by the
// reader's local time. Everything reads from a TextContext, so tests run without components.
import { namesInText } from '@/components/displayHelpers'
import { ITEM_NAMES } from '@/features/handoffs/labels'

/** What the renderers need from the page: i18n, names and the reader's clock. */
export interface TextContext {
  t: (key: string, named?: Record<string, unknown>, plural?: number) => string
  te: (key: string) => boolean
  /** A person's name (or a service's label: pool, profile…) for a user id. */
  person: (id: unknown) => string
  /** A customer's company name (`given` first), else the neutral word; never the id. */
  customer: (id: unknown, given?: string | null) => string
  /** An instant in the reader's time zone and language. */
  dateTime: (value: unknown) => string
  /** The day of an instant in the reader's time zone; a bare YYYY-MM-DD as that calendar day. */
  date: (value: unknown) => string
  /** A country's name from its ISO code. */
  country: (code: string) => string
  /** Names of known people, for server text that names them by id. */
  peopleNames: () => { ids: Iterable<string>; nameOf: (id: string) => string | undefined }
}

export type Details = Record<string, unknown>

export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')
export const has = (v: unknown): boolean => v !== undefined && v !== null && v !== ''

/** `parts` joined with the language's comma ("a, b" / "a，b"). */
export function joined(ctx: TextContext, parts: string[], sep: 'comma' | 'semicolon' = 'comma'): string {
  return parts.filter((p) => p).join(ctx.t(`notices.${sep}`))
}

/** A message when `key` exists, else `fallback`. */
export function label(ctx: TextContext, key: string, fallback: string): string {
  return ctx.te(key) ? ctx.t(key) : fallback
}

const words = (value: string) => value.replace(/_/g, ' ')

export function handoffKind(ctx: TextContext, kind: unknown): string {
  const k = str(kind)
  return k ? label(ctx, `handoffs.kind.${k}`, words(k)) : ''
}

/** " (Sales → service)" / "（销售部 → 客服部）", or '' when the kind is not known. */
export function kindPart(ctx: TextContext, kind: unknown): string {
  const name = handoffKind(ctx, kind)
  return name ? ctx.t('notices.kindPart', { kind: name }) : ''
}

/** A checklist item's name (handoffs' labels), else the name with spaces. */
export function checklistItem(ctx: TextContext, name: string): string {
  const n = name.trim()
  return (ITEM_NAMES as readonly string[]).includes(n) ? ctx.t(`handoffs.item.${n}`) : words(n)
}

/** "a, b, c" (checklist item names as the server lists them) in the reader's words. */
export function checklistItems(ctx: TextContext, list: unknown): string {
  const names = Array.isArray(list) ? list.map(str) : str(list).split(',')
  return joined(ctx, names.map((n) => n.trim()).filter(Boolean).map((n) => checklistItem(ctx, n)))
}

/** An agreed requirement's field (voltage, plug, packaging…), else the name with spaces. */
export function requirementField(ctx: TextContext, field: unknown): string {
  const f = str(field)
  return label(ctx, `notices.requirement.${f}`, words(f))
}

/** A requirement's value as the server wrote it; "(none)", null and '' read as the empty mark. */
export function requirementValue(ctx: TextContext, value: unknown): string {
  const v = str(value)
  return !v || v === '(none)' ? ctx.t('notices.empty') : v
}

export function contactMethod(ctx: TextContext, method: unknown): string {
  const m = str(method)
  return m ? label(ctx, `day.method.${m}`, words(m)) : ''
}

export function stageLabel(ctx: TextContext, stage: unknown): string {
  const s = str(stage)
  if (!s) return ctx.t('notices.empty')
  return label(ctx, `common.stage.${s}`, label(ctx, `common.poolState.${s}`, words(s)))
}

export function departmentLabel(ctx: TextContext, department: unknown): string {
  const d = str(department)
  return label(ctx, `common.department.${d}`, words(d))
}

/** "3 days" / "3 天", "12 hours" from a span in hours. */
export function span(ctx: TextContext, hours: number): string {
  if (hours >= 24 && Number.isInteger(hours / 24)) return ctx.t('notices.span.days', { n: hours / 24 }, hours / 24)
  if (hours >= 24) return ctx.t('notices.span.days', { n: Math.round((hours / 24) * 10) / 10 }, 2)
  return ctx.t('notices.span.hours', { n: hours }, hours)
}

/** "2 d 4 h", "3 h 10 min", "45 min" / "2 天 4 小时"… */
export function duration(ctx: TextContext, minutes: number): string {
  const m = Math.max(0, Math.round(minutes))
  const days = Math.floor(m / 1440)
  const hours = Math.floor(m / 60) % 24
  const rest = m % 60
  const parts: string[] = []
  if (days) parts.push(ctx.t('notices.duration.d', { n: days }))
  if (hours) parts.push(ctx.t('notices.duration.h', { n: hours }))
  if (!days && (rest || !hours)) parts.push(ctx.t('notices.duration.min', { n: rest }))
  return parts.join(ctx.t('notices.duration.join'))
}

// --- reasons the pool writes ------------------------------------------------------------------

/** Why a customer is where it is (pool's reasons: allocation, claim, release, recycling…), in the
 * reader's words where the pool's wording is known; else the text with ids replaced. */
export function poolReason(ctx: TextContext, reason: unknown): string {
  const text = str(reason).trim()
  if (!text) return ctx.t('notices.empty')
  const t = ctx.t
  const fixed: Record<string, string> = {
    'weighted round-robin': 'allocated',
    claimed: 'claimed',
    'filed by hand': 'filed',
    'waiting for allocation': 'waiting',
    'nobody eligible': 'nobodyEligible',
    'not allocated: its inquiry asked for the public pool': 'poolAsked',
  }
  if (fixed[text]) return t(`notices.pool.${fixed[text]}`)
  let m: RegExpMatchArray | null
  if ((m = /^reassigned from (\S+)$/.exec(text))) return t('notices.pool.reassigned', { person: ctx.person(m[1]) })
  if ((m = /^handed over(?: \((\w+)(?: [\w-]+)?\))?$/.exec(text))) return t('notices.pool.handedOver', { kindPart: kindPart(ctx, m[1]) })
  if ((m = /^(released|recycled|reactivated|rejected): ([\s\S]*)$/.exec(text)))
    return t(`notices.pool.${m[1]}`, { reason: poolReason(ctx, m[2]) })
  if ((m = /^no follow-up recorded for (\d+) days$/.exec(text))) return t('notices.pool.noFollowUp', { n: m[1] })
  if ((m = /^no deal within (\d+) days of claiming$/.exec(text))) return t('notices.pool.noDeal', { n: m[1] })
  if ((m = /^no contact for (\d+) days and no open need$/.exec(text))) return t('notices.pool.dormant', { n: m[1] })
  if ((m = /^nobody eligible\b[:;,]?\s*([\s\S]*)$/.exec(text))) return joined(ctx, [t('notices.pool.nobodyEligible'), serverText(ctx, m[1])])
  if ((m = /^([\s\S]+), weighted round-robin$/.exec(text))) return joined(ctx, [poolReason(ctx, m[1]), t('notices.pool.allocated')])
  return serverText(ctx, text)
}

/** Why a salesperson could not take a customer (pool's eligibility rules), in the reader's words. */
export function eligibilityReason(ctx: TextContext, reason: unknown): string {
  const text = str(reason).trim()
  const t = ctx.t
  let m: RegExpMatchArray | null
  if ((m = /^serves (.+); customer's country is (.+)$/.exec(text))) {
    const markets = joined(ctx, m[1].split(/,\s*/).map((c) => ctx.country(c)))
    const country = m[2] === 'unknown' ? t('notices.eligibility.unknownCountry') : ctx.country(m[2])
    return t('notices.eligibility.market', { markets, country })
  }
  if ((m = /^serves grades (.+); customer is graded (.+)$/.exec(text)))
    return t('notices.eligibility.grade', { grades: m[1], grade: m[2] === 'ungraded' ? t('notices.eligibility.ungraded') : m[2] })
  if ((m = /^in department (\S+); customer goes to (\S+)$/.exec(text)))
    return t('notices.eligibility.department', { department: departmentLabel(ctx, m[1]), target: departmentLabel(ctx, m[2]) })
  if ((m = /^in team (\S+); customer goes to (\S+)$/.exec(text))) return t('notices.eligibility.team', { team: m[1], target: m[2] })
  if (text === 'on leave') return t('notices.eligibility.onLeave')
  if ((m = /^holds (\d+) customers, the cap is (\d+)$/.exec(text))) return t('notices.eligibility.cap', { held: m[1], cap: m[2] })
  if (/^weight is 0\b/.test(text)) return t('notices.eligibility.weight')
  return serverText(ctx, text)
}

// --- server-written English, made safe to show ------------------------------------------------

const UTC_TIME = /\b(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::\d{2})? UTC\b/g
const CUSTOMER_ID = /\b(?:[Cc]ustomer\s+)?(cus_[A-Za-z0-9_]+)/g
const INQUIRY_REF = /\b[Ii]nquiry\s+(?:inq|man)_[A-Za-z0-9_]+/g
// record ids the server names in its sentences: handoffs, inquiries, reminders, changes, notices,
// contacts, quotes, samples, orders, groups — a prefix and a long hex tail
const OTHER_ID = /\b(?:hof|inq|man|rem|rqc|ntf|com|quo|sam|ord|grp|dlv|dig|chg)_[0-9a-f]{6,}[A-Za-z0-9_]*/g

/** Server-written English as people may read it: people's ids → names, customer ids → company
 * names, other record ids dropped, "2026-12-07 03:46 UTC" → the reader's local time. */
export function serverText(ctx: TextContext, text: string): string {
  if (!text) return ''
  const people = ctx.peopleNames()
  let out = namesInText(text, people.nameOf, people.ids)
  out = out.replace(UTC_TIME, (_m, day: string, h: string, min: string) => ctx.dateTime(`${day}T${h}:${min}:00Z`))
  out = out.replace(CUSTOMER_ID, (_m, id: string) => ctx.customer(id))
  out = out.replace(INQUIRY_REF, 'an inquiry')     // the server's words are English
  out = out.replace(OTHER_ID, '')
  return out
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ ([:;,.)])/g, '$1')
    .replace(/\( ?\)/g, '')
    .replace(/\(\s+/g, '(')
    .replace(/[ \t]+$/gm, '')
}
