import { api, newIdempotencyKey } from '@/api/client'
import type { Communication, Customer, Page, PoolEntry, Reminder } from '@/api/types'

const u = (id: string) => encodeURIComponent(id)

/** A page of the person's open reminders, soonest due first (the API's order). */
export function openReminders(userId: string, page: { limit: number; offset?: number }) {
  return api<Page<Reminder>>('GET', `/users/${u(userId)}/reminders`, {
    query: { status: 'open', limit: page.limit, offset: page.offset ?? 0 },
  })
}

export function markDone(reminderId: string, note?: string) {
  return api<Reminder>('POST', `/reminders/${u(reminderId)}/done`, { body: note ? { note } : {} })
}

export type SnoozeBody = { reason: string } & ({ minutes: number } | { until: string })

export function snooze(reminderId: string, body: SnoozeBody) {
  return api<Reminder>('POST', `/reminders/${u(reminderId)}/snooze`, { body })
}

export interface MyCustomersQuery {
  stage?: string
  grade?: string
  country?: string
  sort?: string
  limit?: number
  offset?: number
}

export function myCustomers(userId: string, q: MyCustomersQuery) {
  return api<Page<PoolEntry>>('GET', '/pool', { query: { state: 'owned', owner_id: userId, limit: 50, ...q } })
}

export function recordCommunication(customerId: string, body: Communication, idempotencyKey: string = newIdempotencyKey()) {
  return api<Customer>('POST', `/customers/${u(customerId)}/communications`, { body, idempotencyKey })
}
