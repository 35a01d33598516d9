import { api } from '@/api/client'
import type { Claims, Page, PoolEntry } from '@/api/types'

export interface PoolQuery {
  state?: 'public_pool' | 'dormant'
  country?: string
  grade?: string
  stage?: string
  tag?: string
  reason?: string
  sort?: string
  limit?: number
  offset?: number
}

export function browsePool(q: PoolQuery) {
  return api<Page<PoolEntry>>('GET', '/pool', { query: { ...q } })
}

export function myClaims(userId: string) {
  return api<Claims>('GET', `/users/${encodeURIComponent(userId)}/claims`)
}

export function claim(customerId: string) {
  return api<unknown>('POST', `/customers/${encodeURIComponent(customerId)}/claim`, { body: {} })
}
