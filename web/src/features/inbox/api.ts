import { api } from '@/api/client'
import type { InboxEntry, Page } from '@/api/types'

const u = encodeURIComponent

export function inbox(userId: string, q: { unread?: boolean; limit?: number; offset?: number }) {
  return api<Page<InboxEntry>>('GET', `/users/${u(userId)}/inbox`, { query: { ...q, unread: q.unread || undefined } })
}

export function markRead(userId: string, entryId: string) {
  return api<InboxEntry>('POST', `/users/${u(userId)}/inbox/${u(entryId)}/read`, { body: {} })
}
