// The manager's decisions: customers the rotation found nobody eligible for, possible duplicates,
// a leaver's customers, the weekly quality audit. Thin wrappers over the gateway's routes.
import { api, newIdempotencyKey } from '@/api/client'
import type { Customer, Page, PoolEntry, Reminder, Schemas } from '@/api/types'

/** The start of the reason pool gives a customer the rotation could give nobody (holdings.py). */
export const NOBODY_ELIGIBLE = 'nobody eligible'

export const stalledCustomers = (page: { limit: number; offset: number }) =>
  api<Page<PoolEntry>>('GET', '/pool', { query: { state: 'public_pool', reason: NOBODY_ELIGIBLE, sort: '-since', ...page } })

/** The reminders telling this manager why (each person's reasons), one per stalled customer. */
export const stalledReminders = (userId: string) =>
  api<Page<Reminder>>('GET', `/users/${encodeURIComponent(userId)}/reminders`, {
    query: { status: 'open', kind: 'allocation_stalled', limit: 200 },
  })

/** A manager gives the customer to a salesperson: a claim made for them (their limits apply). */
export const assignTo = (customerId: string, person: string, idempotencyKey: string) =>
  api<unknown>('POST', `/customers/${encodeURIComponent(customerId)}/claim`, { body: { by: person }, idempotencyKey })

export const getCustomer = (id: string) => api<Customer>('GET', `/customers/${encodeURIComponent(id)}`)
export const getOwnership = (id: string) => api<Schemas['Ownership']>('GET', `/customers/${encodeURIComponent(id)}/owner`)

/** Merge `absorb` into `keep`: its contacts, communications and timeline kept, the merge recorded. */
export const mergeInto = (keep: string, absorb: string) =>
  api<Customer>('POST', `/customers/${encodeURIComponent(keep)}/merge`, { body: { absorb }, idempotencyKey: newIdempotencyKey() })

export type DuplicatePair = NonNullable<Schemas['DuplicatePairPage']['items']>[number]
export type KeptApart = Schemas['KeptApart']

/** Every open possible-duplicate pair once, the most recently flagged first. */
export const duplicatePairs = (page: { limit: number; offset: number }) => api<Page<DuplicatePair>>('GET', '/duplicates', { query: page })

/** Two archives are different companies: neither is flagged with the other again. */
export const keepApart = (customerId: string, other: string, note: string) =>
  api<KeptApart>('POST', `/customers/${encodeURIComponent(customerId)}/keep-apart`, {
    body: { other, note: note.trim() || null },
    idempotencyKey: newIdempotencyKey(),
  })

export type LeavingResult = Schemas['LeavingResult']
export interface LeavingRequest {
  to?: string | null
  effective: 'now' | 'on_acceptance'
  sign_in_until?: string
}
export const customersOf = (owner: string, page: { limit: number; offset: number }) =>
  api<Page<Customer>>('GET', '/customers', { query: { owner_id: owner, sort: 'company', ...page } })
export const handOverLeaver = (userId: string, body: LeavingRequest, idempotencyKey: string) =>
  api<LeavingResult>('POST', `/users/${encodeURIComponent(userId)}/leaving`, { body, idempotencyKey })

export type QualityAudit = Schemas['QualityAudit']
export const qualityAudits = (q: { person?: string; passed?: boolean; limit: number; offset: number }) =>
  api<Page<QualityAudit>>('GET', '/quality-audits', { query: { ...q, passed: q.passed === undefined ? undefined : String(q.passed) } })
