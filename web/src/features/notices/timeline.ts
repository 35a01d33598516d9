// A timeline entry's sentence (GET /customers/<id>/timeline, and the handoff's briefing), worded from
// its kind and details in the reader's language: people by name, other customers by company name,
// times in the reader's zone, stages, grades and fields in their words. Entries written before the
// server kept details (or kinds not known here) show the server's summary, with ids replaced by
// names and UTC times by the reader's local time. Prices never appear: the server keeps them off.
import {
  contactMethod, type Details, departmentLabel, duration, handoffKind, has, joined, kindPart, label,
  poolReason, requirementField, requirementValue, serverText, stageLabel, str, type TextContext,
} from './text'

export interface TimelineSource {
  kind: string
  summary: string
  actor?: string | null
  details?: Record<string, unknown> | null
}

type Render = (d: Details, ctx: TextContext) => string | null

const tl = (ctx: TextContext, key: string, named: Record<string, unknown> = {}) => ctx.t(`notices.timeline.${key}`, named)
const part = (ctx: TextContext, key: string, when: boolean, named: Record<string, unknown> = {}) => (when ? tl(ctx, key, named) : '')
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter(Boolean) : [])
const words = (v: string) => v.replace(/_/g, ' ')

function customerField(ctx: TextContext, field: string): string {
  const camel = field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())
  return label(ctx, `customer.field.${camel}`, label(ctx, `customer.customField.${field}`, words(field)))
}

function fieldChange(ctx: TextContext, change: string): string {
  if (change === 'changed') return ctx.t('notices.changed')
  if (change === 'reordered') return ctx.t('notices.reordered')
  return serverText(ctx, change)
}

const RENDER: Record<string, Render> = {
  inquiry_received: (d, ctx) => {
    if (!has(d.channel)) return null
    const key = str(d.matched_on)
    return tl(ctx, 'inquiry_received', {
      channel: label(ctx, `notices.channel.${str(d.channel)}`, words(str(d.channel))),
      campaignPart: part(ctx, 'campaignPart', has(d.campaign), { campaign: str(d.campaign) }),
      messagePart: part(ctx, 'messagePart', has(d.message), { message: str(d.message) }),
      mergedPart: part(ctx, 'mergedPart', !!key, { key: label(ctx, `notices.matchedOn.${key}`, words(key)) }),
    })
  },

  customer_created: (d, ctx) => {
    if (!('inquiry_id' in d)) return null
    const reasons = list(d.grade_reasons)
    return tl(ctx, 'customer_created', {
      gradePart: part(ctx, 'gradePart', has(d.intent_grade), {
        grade: str(d.intent_grade),
        reasonsPart: reasons.length ? tl(ctx, 'gradedReasonPart', { reason: joined(ctx, reasons, 'semicolon') }) : '',
      }),
    })
  },

  flagged_for_review: (d, ctx) => {
    const others = list(d.candidates)
    if (!others.length) return null
    return tl(ctx, 'flagged_for_review', { others: joined(ctx, others.map((id) => ctx.customer(id))) })
  },

  kept_apart: (d, ctx) => {
    if (!has(d.other) || !has(d.by)) return null
    const notePart = part(ctx, 'requirementNotePart', has(d.note), { note: str(d.note) })
    return tl(ctx, 'kept_apart', { other: ctx.customer(d.other), by: ctx.person(d.by), notePart })
  },

  owner_assigned: (d, ctx) => {
    if (!has(d.owner)) return null
    const named = { owner: ctx.person(d.owner), reason: poolReason(ctx, d.reason), team: str(d.team) }
    return tl(ctx, has(d.team) ? 'owner_assigned' : 'owner_assigned_no_team', named)
  },

  returned_to_pool: (d, ctx) => {
    if (!has(d.state)) return null
    return tl(ctx, 'returned_to_pool', {
      fromPart: part(ctx, 'fromPart', has(d.previous_owner), { person: ctx.person(d.previous_owner) }),
      where: stageLabel(ctx, d.state),
      by: ctx.person(d.by),
      reason: poolReason(ctx, d.reason),
    })
  },

  collaborators_changed: (d, ctx) => {
    if (!Array.isArray(d.collaborators)) return null
    const names = list(d.collaborators).map((id) => ctx.person(id))
    return tl(ctx, 'collaborators_changed', { names: joined(ctx, names) || ctx.t('notices.none'), by: ctx.person(d.by) })
  },

  handoff_accepted: (d, ctx) => {
    if (!has(d.kind) || !has(d.by)) return null
    return tl(ctx, 'handoff_accepted', {
      kind: handoffKind(ctx, d.kind),
      fromPart: part(ctx, 'senderPart', has(d.from), { person: ctx.person(d.from) }),
      by: ctx.person(d.by),
      ownerPart: part(ctx, 'ownerPart', has(d.new_owner), { person: ctx.person(d.new_owner) }),
    })
  },

  recycling_warned: (d, ctx) => {
    if (!has(d.returns_at)) return null
    return tl(ctx, 'recycling_warned', { owner: ctx.person(d.owner), at: ctx.dateTime(d.returns_at), reason: poolReason(ctx, d.reason) })
  },

  reminder_scheduled: (d, ctx) => {
    if (!has(d.reminder_kind) || !has(d.due_at)) return null
    const kind = str(d.reminder_kind)
    return tl(ctx, 'reminder_scheduled', {
      user: ctx.person(d.user),
      kind: label(ctx, `notices.reminderKind.${kind}`, words(kind)),
      due: ctx.dateTime(d.due_at),
    })
  },

  communication_recorded: (d, ctx) => {
    if (!has(d.method) || !has(d.by)) return null
    const late = typeof d.late_minutes === 'number'
    const within = typeof d.within_minutes === 'number'
    return tl(ctx, 'communication_recorded', {
      method: contactMethod(ctx, d.method),
      by: ctx.person(d.by),
      note: str(d.note),
      wordsPart: part(ctx, 'wordsPart', has(d.customer_words), { words: str(d.customer_words) }),
      latePart: !late
        ? ''
        : within
          ? tl(ctx, 'latePart', { late: duration(ctx, d.late_minutes as number), within: duration(ctx, d.within_minutes as number) })
          : tl(ctx, 'latePartNoLimit', { late: duration(ctx, d.late_minutes as number) }),
    })
  },

  customers_merged: (d, ctx) => {
    if (!has(d.by)) return null
    return tl(ctx, 'customers_merged', {
      company: str(d.company) || ctx.t('notices.noCompany'),
      ownerPart: part(ctx, 'mergedOwnerPart', has(d.owner), { person: ctx.person(d.owner) }),
      by: ctx.person(d.by),
    })
  },

  details_updated: (d, ctx) => {
    if (!Array.isArray(d.changes) || !has(d.by)) return null
    const changes = (d.changes as Array<Record<string, unknown>>).map((c) =>
      tl(ctx, 'change', { field: customerField(ctx, str(c.field)), change: fieldChange(ctx, str(c.change)) }),
    )
    return tl(ctx, 'details_updated', { by: ctx.person(d.by), changes: joined(ctx, changes, 'semicolon') })
  },

  quote_recorded: (d, ctx) => {
    if (!has(d.by) || !has(d.product)) return null
    return tl(ctx, 'quote_recorded', {
      by: ctx.person(d.by),
      product: str(d.product),
      quantityPart: part(ctx, 'quantityPart', has(d.quantity), { n: str(d.quantity) }),
      validPart: part(ctx, 'validPart', has(d.valid_until), { date: ctx.date(d.valid_until) }),
    })
  },

  sample_recorded: (d, ctx) => {
    if (!has(d.by) || !has(d.model)) return null
    return tl(ctx, 'sample_recorded', {
      by: ctx.person(d.by),
      model: str(d.model),
      testPart: part(ctx, 'testPart', has(d.test_days), { n: str(d.test_days) }),
    })
  },

  order_recorded: (d, ctx) => {
    if (!has(d.by)) return null
    const products = list(d.products)
    return tl(ctx, 'order_recorded', {
      by: ctx.person(d.by),
      productsPart: part(ctx, 'productsPart', products.length > 0, { products: joined(ctx, products) }),
      deliveryPart: part(ctx, 'deliveryPart', has(d.delivery_date), { date: ctx.date(d.delivery_date) }),
      paymentPart: part(ctx, 'paymentPart', has(d.payment_method), { method: str(d.payment_method) }),
    })
  },

  order_amended: (d, ctx) => {
    if (!has(d.field) || !has(d.by)) return null
    return tl(ctx, 'order_amended', {
      field: requirementField(ctx, d.field),
      before: requirementValue(ctx, d.before),
      after: requirementValue(ctx, d.after),
      by: ctx.person(d.by),
      notePart: part(ctx, 'orderNotePart', has(d.note), { note: str(d.note) }),
    })
  },

  stage_changed: (d, ctx) => {
    if (!has(d.after) || !has(d.by)) return null
    const reason = str(d.reason)
    const step = /^(quote|sample|order) recorded$/.exec(reason)
    return tl(ctx, 'stage_changed', {
      before: stageLabel(ctx, d.before),
      after: stageLabel(ctx, d.after),
      by: ctx.person(d.by),
      reasonPart: part(ctx, 'reasonPart', !!reason, { reason: step ? ctx.t(`notices.stageReason.${step[1]}`) : reason }),
    })
  },

  graded: (d, ctx) => {
    if (!Array.isArray(d.grades) || !has(d.by)) return null
    const changes = (d.grades as Array<Record<string, unknown>>).map((g) =>
      tl(ctx, 'gradeChange', {
        grade: ctx.t(str(g.grade) === 'value_grade' ? 'common.grade.value' : 'common.grade.intent'),
        before: str(g.before) || ctx.t('notices.empty'),
        after: str(g.after) || ctx.t('notices.empty'),
      }),
    )
    return tl(ctx, 'graded', {
      by: ctx.person(d.by),
      changes: joined(ctx, changes),
      reasonPart: part(ctx, 'gradedReasonPart', has(d.reason), { reason: str(d.reason) }),
    })
  },

  group_linked: (d, ctx) => {
    if (!has(d.other) || !has(d.by)) return null
    const named = { other: ctx.customer(d.other), by: ctx.person(d.by), group: str(d.group_name) }
    return tl(ctx, has(d.group_name) ? 'group_linked' : 'group_linked_unnamed', named)
  },

  group_left: (d, ctx) => (has(d.by) ? tl(ctx, 'group_left', { by: ctx.person(d.by) }) : null),

  // the handoff's briefing adds its own steps, requirement changes and started steps
  requirement_changed: (d, ctx) => {
    if (!has(d.field)) return null
    const sourcePart = part(ctx, 'sourcePart', has(d.source), { source: str(d.source) })
    if (d.priced === true) return tl(ctx, 'requirement_changed_priced', { field: requirementField(ctx, d.field), sourcePart })
    return tl(ctx, 'requirement_changed', {
      field: requirementField(ctx, d.field),
      before: requirementValue(ctx, d.before),
      after: requirementValue(ctx, d.after),
      notePart: part(ctx, 'requirementNotePart', has(d.note), { note: str(d.note) }),
      sourcePart,
    })
  },

  step_started: (d, ctx) =>
    has(d.step) ? tl(ctx, 'step_started', { step: words(str(d.step)), department: departmentLabel(ctx, d.department) }) : null,

  // the reminder bookkeeping (shown with "show reminders")
  reminder_done: (d, ctx) => {
    if (!has(d.reminder_kind) || !has(d.user)) return null
    const kind = str(d.reminder_kind)
    return tl(ctx, 'reminder_done', {
      user: ctx.person(d.user),
      kind: label(ctx, `notices.reminderKind.${kind}`, words(kind)),
      notePart: part(ctx, 'notePart', has(d.note), { note: str(d.note) }),
    })
  },

  reminder_snoozed: (d, ctx) => {
    if (!has(d.reminder_kind) || !has(d.user) || !has(d.until)) return null
    const kind = str(d.reminder_kind)
    return tl(ctx, 'reminder_snoozed', {
      user: ctx.person(d.user),
      kind: label(ctx, `notices.reminderKind.${kind}`, words(kind)),
      until: ctx.dateTime(d.until),
      notePart: part(ctx, 'notePart', has(d.reason), { note: str(d.reason) }),
    })
  },
}

function handoffStep(d: Details, ctx: TextContext): string | null {
  const action = str(d.action)
  if (!ctx.te(`notices.timeline.handoff.${action}`)) return null
  const text = ctx.t(`notices.timeline.handoff.${action}`, {
    from: ctx.person(d.from),
    to: joined(ctx, list(d.to).map((id) => ctx.person(id))),
    by: ctx.person(d.by),
    kindPart: kindPart(ctx, d.kind),
  })
  return text + part(ctx, 'notePart', has(d.note), { note: str(d.note) })
}

/** The entry's sentence: from kind and details, else the summary with ids and UTC times replaced. */
export function renderTimelineEntry(e: TimelineSource, ctx: TextContext): { text: string; rendered: boolean } {
  const d = (e.details && typeof e.details === 'object' ? e.details : {}) as Details
  let text: string | null = null
  if (Object.keys(d).length) {
    // the briefing's handoff steps (handoff_submitted, handoff_signed…) say their action
    const render = e.kind.startsWith('handoff_') && has(d.action) ? handoffStep : RENDER[e.kind]
    text = render ? render(d, ctx) : null
  }
  return text ? { text, rendered: true } : { text: serverText(ctx, e.summary), rendered: false }
}

/** Ids of other customers an entry names (to ask their company names once). */
export function customersNamedBy(e: TimelineSource): string[] {
  const d = (e.details ?? {}) as Details
  const ids = [...list(d.candidates), str(d.other)]
  for (const m of e.summary.matchAll(/\bcus_[A-Za-z0-9_]+/g)) ids.push(m[0])
  return ids.filter(Boolean)
}
