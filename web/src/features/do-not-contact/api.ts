import { api } from '@/api/client'
import type { Schemas } from '@/api/types'

export type DoNotContactPage = Schemas['DoNotContactPage']
export type DoNotContactEntry = NonNullable<DoNotContactPage['items']>[number]
export const LOOKUPS = ['email', 'domain', 'phone'] as const
export type Lookup = (typeof LOOKUPS)[number]

export interface DoNotContactQuery {
  limit: number
  offset: number
  email?: string
  domain?: string
  phone?: string
  country?: string
}

/** A page of the list; asked by email, domain or phone, only the customer those find (`found`). */
export const listDoNotContact = (query: DoNotContactQuery) =>
  api<DoNotContactPage>('GET', '/do-not-contact', { query: { ...query } })
