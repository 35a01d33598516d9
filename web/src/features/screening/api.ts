import { api } from '@/api/client'
import type { Page, Schemas } from '@/api/types'

export type ScreeningEntry = NonNullable<Schemas['ScreeningEntryPage']['items']>[number]
export type Screening = Schemas['Screening']

export function screeningQueue(limit: number, offset: number) {
  return api<Page<ScreeningEntry>>('GET', '/screening', { query: { limit, offset } })
}

export function recordScreening(customerId: string, screening: Omit<Screening, 'by'>) {
  return api<unknown>('POST', `/customers/${encodeURIComponent(customerId)}/screening`, { body: screening })
}

/** To sales: the weighted round-robin's salesperson unless ``to`` names one. */
export function handToSales(customerId: string, to?: string) {
  return api<{ id: string; to_users: string[] }>('POST', '/handoffs', {
    body: { kind: 'marketing_to_sales', customer_id: customerId, ...(to ? { to: [to] } : {}) },
  })
}

export function markInvalid(customerId: string, reason: string) {
  return api<unknown>('POST', `/customers/${encodeURIComponent(customerId)}/invalid`, { body: { reason } })
}
