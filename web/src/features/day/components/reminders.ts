// Pure helpers for the reminder list (kept apart so they can be tested without a DOM).
import type { Reminder } from '@/api/types'

export const KNOWN_KINDS = [
  'first_touch', 'second_touch', 'follow_up', 'meeting_minutes', 'recycling_warning', 'allocation_stalled',
  'handoff_waiting', 'handoff_acceptance', 'info_pending', 'handoff_returned', 'handoff_withdrawn',
  'requirement_changed', 'regrade', 'returned_to_pool', 'owner_handoff',
]

export function kindKey(kind: string): string {
  return `day.kind.${KNOWN_KINDS.includes(kind) ? kind : 'other'}`
}

export type Urgency = 'overdue' | 'today' | 'upcoming'

/** overdue: due before now; today: due before the end of the person's day; else upcoming. */
export function urgency(r: Pick<Reminder, 'due_at'>, now: Date, endOfToday: Date): Urgency {
  const due = new Date(r.due_at).getTime()
  if (due < now.getTime()) return 'overdue'
  if (due < endOfToday.getTime()) return 'today'
  return 'upcoming'
}

export function soonestFirst<T extends Pick<Reminder, 'due_at'>>(list: T[]): T[] {
  return [...list].sort((a, b) => new Date(a.due_at).getTime() - new Date(b.due_at).getTime())
}

/** Lines of a contact summary that start with 【特殊】, without the mark: the special requirements. */
export function specialLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('【特殊】'))
    .map((l) => l.slice('【特殊】'.length).trim())
    .filter((l) => l.length > 0)
}
