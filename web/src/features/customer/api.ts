// The customer page's calls. Every answer is what the server sends: prices may be absent or null
// for people who may not read them (the server strips them), so the types say so.
import { api } from '@/api/client'
import type { Customer, Page, Schemas, TimelineEntry } from '@/api/types'

export type CustomerUpdate = Schemas['CustomerUpdate']
export type Ownership = Schemas['Ownership']
export type GroupView = Schemas['GroupView']
export type QuoteBody = Schemas['Quote']
export type SampleBody = Schemas['Sample']
export type OrderBody = Schemas['Order']
export type CommunicationBody = Schemas['Communication']
export type StageChange = Schemas['StageChange']
export type Grading = Schemas['Grading']
export type Stage = Customer['stage']

/** A quote as the server sends it: unit_price only for price readers. */
export type QuoteRecord = Omit<NonNullable<Customer['quotes']>[number], 'unit_price'> & { unit_price?: number | null }
/** An order as the server sends it: amount only for price readers. */
export type OrderRecord = Omit<NonNullable<Customer['orders']>[number], 'amount'> & { amount?: number | null }
export type SampleRecord = NonNullable<Customer['samples']>[number]

export const STAGES: Stage[] = [
  'new_contact',
  'inquiry',
  'quoted',
  'sample',
  'negotiation',
  'customer',
  'lost',
  'invalid',
  'rejected',
  'dormant',
]
export const METHODS: CommunicationBody['method'][] = [
  'phone',
  'email',
  'whatsapp',
  'wechat',
  'linkedin',
  'meeting',
  'video_call',
  'trade_show',
  'other',
]

const c = (id: string) => `/customers/${encodeURIComponent(id)}`

export const getCustomer = (id: string) => api<Customer>('GET', c(id))
export const patchCustomer = (id: string, body: CustomerUpdate, idempotencyKey?: string) =>
  api<Customer>('PATCH', c(id), { body, idempotencyKey })
export const getTimeline = (id: string) =>
  api<Page<TimelineEntry>>('GET', `${c(id)}/timeline`, { query: { limit: 200, include: 'reminders' } })
export const getOwner = (id: string) => api<Ownership>('GET', `${c(id)}/owner`)
export const getGroup = (id: string) => api<GroupView>('GET', `${c(id)}/group`)
export const recordContact = (id: string, body: CommunicationBody, idempotencyKey?: string) =>
  api<Customer>('POST', `${c(id)}/communications`, { body, idempotencyKey })
export const recordQuote = (id: string, body: QuoteBody, idempotencyKey?: string) =>
  api<Customer>('POST', `${c(id)}/quotes`, { body, idempotencyKey })
export const recordSample = (id: string, body: SampleBody, idempotencyKey?: string) =>
  api<Customer>('POST', `${c(id)}/samples`, { body, idempotencyKey })
export const recordOrder = (id: string, body: OrderBody, idempotencyKey?: string) =>
  api<Customer>('POST', `${c(id)}/orders`, { body, idempotencyKey })
export const changeStage = (id: string, body: StageChange, idempotencyKey?: string) =>
  api<Customer>('PUT', `${c(id)}/stage`, { body, idempotencyKey })
export const grade = (id: string, body: Grading, idempotencyKey?: string) =>
  api<Customer>('POST', `${c(id)}/grades`, { body, idempotencyKey })
