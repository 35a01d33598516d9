import { api, newIdempotencyKey } from '@/api/client'
import type { Schemas } from '@/api/types'

export type ImportMapping = Schemas['ImportMappingList']['mappings'][number]
export type ImportReading = Schemas['ImportReading']
export type ImportItem = ImportReading['items'][number]
export type BatchResult = Schemas['InquiryBatchResult']
export type ContactStatusList = Schemas['ContactStatusList']

export const listMappings = () => api<Schemas['ImportMappingList']>('GET', '/imports/mappings')

/** The file read by the server under the mapping: nothing is filed yet. */
export const readImport = (body: { file_name: string; content: string; mapping: string; into_pool: boolean }) =>
  api<ImportReading>('POST', '/imports/read', { body })

/** Each item keyed by its row's content: a retried or repeated import files each row once. */
export const postBatch = (items: { message_id: string; inquiry: Record<string, unknown> }[]) =>
  api<BatchResult>('POST', '/inquiries/batch', { body: { items }, idempotencyKey: newIdempotencyKey() })

export const inquiriesByIds = (ids: string[]) =>
  api<Schemas['InquiryRecordPage']>('GET', '/inquiries', { query: { ids: ids.join(','), limit: ids.length } })

export const contactStatus = (customerIds: string[]) =>
  api<ContactStatusList>('POST', '/pool/contact-status', { body: { customer_ids: customerIds } })

export const possibleDuplicates = async (customerId: string): Promise<string[]> =>
  (await api<{ possible_duplicates?: string[] }>('GET', `/customers/${encodeURIComponent(customerId)}`)).possible_duplicates ?? []
