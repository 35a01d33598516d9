// Handoff calls (移交). The server decides everything: who may sign, what the checklist says.
import { api } from '@/api/client'
import type { Checklist, ChecklistItem, Page, Schemas } from '@/api/types'

export type Handoff = Schemas['Handoff']
export type Briefing = Schemas['Briefing']
export type HandoffPackage = Handoff['package']
export type PackageDraft = Schemas['Package']
export type SubmitBody = Schemas['Submit']
export type HandoffState = Handoff['state']
export type BriefingEntry = Briefing['timeline'][number]

const h = (id: string) => `/handoffs/${encodeURIComponent(id)}`
const u = (id: string) => `/users/${encodeURIComponent(id)}`

export const waitingFor = (userId: string) =>
  api<Page<Handoff>>('GET', `${u(userId)}/handoffs/waiting`, { query: { limit: 200 } })
export const sentBy = (userId: string) => api<Page<Handoff>>('GET', `${u(userId)}/handoffs/sent`, { query: { limit: 200 } })
export const listHandoffs = (query: Record<string, string | number | boolean | undefined>) =>
  api<Page<Handoff>>('GET', '/handoffs', { query: { limit: 200, ...query } })
export const customerHandoffs = (customerId: string) =>
  api<Page<Handoff>>('GET', `/customers/${encodeURIComponent(customerId)}/handoffs`, { query: { limit: 200 } })
export const getHandoff = (id: string) => api<Briefing>('GET', h(id))

export const sign = (id: string, note?: string) =>
  api<Handoff>('POST', `${h(id)}/signatures`, { body: note ? { note } : {} })
export const returnHandoff = (id: string, reasons: string[]) =>
  api<Handoff>('POST', `${h(id)}/returns`, { body: { reasons } })
export const withdraw = (id: string, reason: string) =>
  api<Handoff>('POST', `${h(id)}/withdrawal`, { body: { reason } })
export const resubmit = (id: string, body: Schemas['Resubmit']) => api<Handoff>('POST', `${h(id)}/resubmissions`, { body })
export const completeInfo = (id: string, pkg?: PackageDraft) =>
  api<Handoff>('POST', `${h(id)}/info`, { body: pkg ? { package: pkg } : {} })
export const submitHandoff = (body: SubmitBody, idempotencyKey?: string) =>
  api<Handoff>('POST', '/handoffs', { body, idempotencyKey })

export const evaluateChecklist = (customerId: string, kind: string, pkg: PackageDraft, signal?: AbortSignal) =>
  api<Checklist>('POST', `/customers/${encodeURIComponent(customerId)}/checklists/${encodeURIComponent(kind)}`, {
    body: pkg,
    signal,
  })

/** Checklist items as they come in a refusal's details: booleans may arrive as "True"/"False". */
export function normaliseItems(raw: unknown): ChecklistItem[] {
  if (!Array.isArray(raw)) return []
  return raw
    .filter((i) => i && typeof i === 'object')
    .map((i) => {
      const item = i as Record<string, unknown>
      const passed = typeof item.passed === 'string' ? item.passed.toLowerCase() === 'true' : item.passed === true
      return { name: String(item.name ?? ''), passed, reason: String(item.reason ?? '') }
    })
}

/** The receiving side of a handoff the sender has not finished with. */
export const OPEN_STATES: HandoffState[] = ['submitted', 'info_pending', 'resubmitted']
