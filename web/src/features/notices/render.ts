// One line for a reminder (GET /users/<id>/reminders) or an inbox entry (GET /users/<id>/inbox),
// worded from its kind and details in the reader's language: people by name, the customer by its
// company name, times in the reader's zone, checklist items and requirement fields in their words.
// The server's English (message, body) is only the fallback, for a kind this console does not know
// or an entry filed before it carried the details it needs — and then with ids replaced by names.
import {
  checklistItems, contactMethod, type Details, eligibilityReason, has, joined, kindPart, poolReason,
  requirementField, requirementValue, serverText, span, stageLabel, str, type TextContext,
} from './text'

export const NOTICE_KINDS = [
  'first_touch', 'second_touch', 'follow_up', 'meeting_minutes', 'recycling_warning', 'allocation_stalled',
  'handoff_waiting', 'handoff_acceptance', 'info_pending', 'handoff_returned', 'handoff_withdrawn',
  'requirement_changed', 'regrade', 'returned_to_pool', 'owner_handoff',
] as const

/** What both a reminder and an inbox entry carry. */
export interface NoticeSource {
  kind: string
  customer_id?: string | null
  customer_name?: string | null
  due_at?: string | null
  /** When the reminder was made (reminders only): a handoff's submission when details lack it. */
  created_at?: string | null
  details?: Record<string, unknown> | null
  /** The server's English words (a reminder's message, an inbox entry's body): the fallback. */
  text?: string | null
}

export interface NoticeLine {
  text: string
  /** false: the server's words (cleaned), as the kind or its details are not known here. */
  rendered: boolean
}

type Render = (n: NoticeSource, d: Details, ctx: TextContext, v: Common) => string | null

type Common = {
  customer: string
  /** the due time in the reader's zone ('' when not known) */
  due: string
}

const RENDER: Record<string, Render> = {
  first_touch: (_n, _d, ctx, v) => (v.due ? ctx.t('notices.reminder.first_touch', v) : null),

  second_touch: (_n, d, ctx, v) => {
    if (!has(d.contact_at)) return null
    const when = joined(ctx, [contactMethod(ctx, d.method), ctx.dateTime(d.contact_at)])
    return ctx.t('notices.reminder.second_touch', { ...v, when })
  },

  follow_up: (_n, d, ctx, v) => {
    if (!has(d.last_contact_at)) return null
    return ctx.t('notices.reminder.follow_up', { ...v, why: followUpWhy(ctx, d), last: ctx.dateTime(d.last_contact_at) })
  },

  meeting_minutes: (_n, d, ctx, v) => {
    if (!has(d.meeting_at)) return null
    const when = joined(ctx, [contactMethod(ctx, d.method), ctx.dateTime(d.meeting_at)])
    return ctx.t('notices.reminder.meeting_minutes', { ...v, when })
  },

  recycling_warning: (_n, d, ctx, v) => {
    if (!has(d.returns_at)) return null
    return ctx.t('notices.reminder.recycling_warning', { ...v, at: ctx.dateTime(d.returns_at), reason: poolReason(ctx, d.reason) })
  },

  returned_to_pool: (_n, d, ctx, v) => {
    if (!has(d.returned_at)) return null
    return ctx.t('notices.reminder.returned_to_pool', { ...v, at: ctx.dateTime(d.returned_at), reason: poolReason(ctx, d.reason) })
  },

  allocation_stalled: (_n, d, ctx, v) => {
    if (!has(d.team)) return null
    const head = ctx.t('notices.reminder.allocation_stalled', { ...v, team: str(d.team) })
    const people = Array.isArray(d.by_person) ? (d.by_person as Array<Record<string, unknown>>) : null
    if (people === null && has(d.reasons)) return `${head} ${serverText(ctx, str(d.reasons))}`
    const lines = (people ?? []).map((p) => {
      const why = (Array.isArray(p.reasons) ? p.reasons : []).map((r) => eligibilityReason(ctx, r))
      return ctx.t('notices.personReasons', { person: ctx.person(p.person), reasons: joined(ctx, why) })
    })
    return `${head} ${lines.length ? joined(ctx, lines, 'semicolon') : ctx.t('notices.reminder.allocation_nobody')}`
  },

  handoff_waiting: (_n, d, ctx, v) => {
    if (!has(d.from_user)) return null
    const line = ctx.t('notices.reminder.handoff_waiting', { ...v, from: ctx.person(d.from_user), kindPart: kindPart(ctx, d.kind) })
    const missing = str(d.missing) ? checklistItems(ctx, d.missing) : ''
    if (has(d.pending_until)) return `${line} ${ctx.t('notices.reminder.handoff_pending', { until: ctx.dateTime(d.pending_until), missing: missing || ctx.t('notices.seeChecklist') })}`
    if (missing) return `${line} ${ctx.t('notices.reminder.handoff_missing', { missing })}`
    return line
  },

  handoff_acceptance: (n, d, ctx, v) => {
    if (!has(d.from_user)) return null
    const submitted = has(d.submitted_at) ? d.submitted_at : n.created_at
    return ctx.t('notices.reminder.handoff_acceptance', {
      ...v,
      from: ctx.person(d.from_user),
      kindPart: kindPart(ctx, d.kind),
      submittedPart: has(submitted) ? ctx.t('notices.reminder.submittedPart', { at: ctx.dateTime(submitted) }) : '',
    })
  },

  info_pending: (_n, d, ctx, v) => {
    if (!has(d.from_user) || !v.due) return null
    return ctx.t('notices.reminder.info_pending', {
      ...v,
      from: ctx.person(d.from_user),
      kindPart: kindPart(ctx, d.kind),
      missing: checklistItems(ctx, d.missing) || ctx.t('notices.seeChecklist'),
    })
  },

  handoff_returned: (_n, d, ctx, v) => {
    if (!has(d.by)) return null
    return ctx.t('notices.reminder.handoff_returned', { ...v, by: ctx.person(d.by), kindPart: kindPart(ctx, d.kind), reasons: str(d.reasons) })
  },

  owner_handoff: (_n, d, ctx, v) => {
    if (!has(d.from_user) || !has(d.to_users)) return null
    const to = str(d.to_users).split(',').map((p) => ctx.person(p.trim())).join(', ')
    return ctx.t('notices.reminder.owner_handoff', { ...v, from: ctx.person(d.from_user), to, kindPart: kindPart(ctx, d.kind) })
  },

  handoff_withdrawn: (_n, d, ctx, v) => {
    if (!has(d.by)) return null
    return ctx.t('notices.reminder.handoff_withdrawn', { ...v, by: ctx.person(d.by), kindPart: kindPart(ctx, d.kind), reason: str(d.reason) })
  },

  requirement_changed: (_n, d, ctx, v) => {
    if (!has(d.field) || !has(d.by)) return null
    const named = { ...v, by: ctx.person(d.by), field: requirementField(ctx, d.field) }
    // a requirement named as a price is told without its values (both null)
    if (d.before == null && d.after == null) return ctx.t('notices.reminder.requirement_changed_priced', named)
    return ctx.t('notices.reminder.requirement_changed', {
      ...named,
      before: requirementValue(ctx, d.before),
      after: requirementValue(ctx, d.after),
      // the note travels with the notice; reminders made before it was added lack it
      notePart: has(d.note) ? ctx.t('notices.reminder.requirementNotePart', { note: str(d.note) }) : '',
      orderPart: has(d.order_id) ? ctx.t('notices.reminder.requirementOrderPart') : '',
    })
  },

  regrade: (n, d, ctx, v) => {
    if (!has(d.graded_at) || !n.due_at) return null
    const named = { customer: v.customer, due: ctx.date(n.due_at), graded: ctx.date(d.graded_at) }
    // reminders made before the grades were kept do not say them
    if (!('intent_grade' in d) && !('value_grade' in d)) return ctx.t('notices.reminder.regrade_plain', named)
    const grades = [
      has(d.intent_grade) ? `${ctx.t('common.grade.intent')} ${str(d.intent_grade)}` : '',
      has(d.value_grade) ? `${ctx.t('common.grade.value')} ${str(d.value_grade)}` : '',
    ].filter(Boolean)
    return ctx.t('notices.reminder.regrade', { ...named, grades: joined(ctx, grades) || ctx.t('notices.reminder.noGrade') })
  },
}

/** Why a follow-up is due, from its details' basis; reminders made before the basis was kept say
 * it in English ("cadence of intent grade A"…), read here the same way. */
export function followUpWhy(ctx: TextContext, d: Details): string {
  const why = str(d.why)
  let basis = str(d.basis)
  let grade = str(d.grade)
  let stage = str(d.stage)
  let hours = typeof d.every_hours === 'number' ? d.every_hours : NaN
  if (!basis) {
    let m: RegExpMatchArray | null
    if (why === 'planned at the last contact') basis = 'planned'
    else if (/^quarterly win-back/.test(why)) basis = 'win_back'
    else if ((m = /^cadence of (intent|value) grade (\S+)$/.exec(why))) [basis, grade] = [`${m[1]}_grade`, m[2]]
    else if ((m = /^an active customer \((\w+)\) is updated at least every ([\d.]+) (days|hours)$/.exec(why))) {
      basis = 'active_stage'
      stage = m[1]
      hours = Number(m[2]) * (m[3] === 'days' ? 24 : 1)
    }
  }
  switch (basis) {
    case 'planned':
    case 'win_back':
      return ctx.t(`notices.why.${basis}`)
    case 'intent_grade':
    case 'value_grade':
      return ctx.t(`notices.why.${basis}`, { grade })
    case 'active_stage':
      return Number.isFinite(hours)
        ? ctx.t('notices.why.active_stage', { stage: stageLabel(ctx, stage), span: span(ctx, hours) })
        : ctx.t('notices.why.active_stage_plain', { stage: stageLabel(ctx, stage) })
    default:
      return serverText(ctx, why)
  }
}

/** The line for a reminder or an inbox entry: rendered from kind and details, else the server's words cleaned. */
export function renderNotice(n: NoticeSource, page: TextContext): NoticeLine {
  // the notice's own customer by the name it came with, wherever its words name it
  const ctx: TextContext = {
    ...page,
    customer: (id, given) => page.customer(id, given ?? (id && id === n.customer_id ? n.customer_name : null)),
  }
  const render = RENDER[n.kind]
  const details = (n.details && typeof n.details === 'object' ? n.details : {}) as Details
  const common: Common = { customer: ctx.customer(n.customer_id, n.customer_name), due: n.due_at ? ctx.dateTime(n.due_at) : '' }
  const text = render ? render(n, details, ctx, common) : null
  if (text) return { text, rendered: true }
  return { text: serverText(ctx, n.text ?? ''), rendered: false }
}

/** The kind's title in the reader's words ("First contact with a new customer"), or null. */
export function noticeTitle(kind: string, ctx: TextContext): string | null {
  const key = `day.kind.${kind}`
  return ctx.te(key) ? ctx.t(key) : null
}
