// Friendly names for the generated OpenAPI types (src/api/schema.d.ts, `npm run api-types`).
// Where the gateway adds a field the generated file does not know yet, the extension is spelled
// out here so features can use it before the next `npm run api-types`.
import type { components } from './schema'

export type Schemas = components['schemas']

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export type User = Schemas['User'] & { language?: 'en' | 'zh-CN' | null }
export type Person = Pick<User, 'id' | 'name' | 'role' | 'department' | 'team' | 'active'>
export type Reminder = Schemas['Reminder'] & { customer_name?: string | null }
export type InboxEntry = Schemas['InboxEntry'] & { customer_name?: string | null }
export type PoolEntry = NonNullable<Schemas['PoolEntryPage']['items']>[number]
export type Preferences = Schemas['Preferences']
export type Communication = Schemas['Communication']
export type Customer = Schemas['Customer']
export type Checklist = Schemas['Checklist']
export type ChecklistItem = Checklist['items'][number]
export type TimelineEntry = NonNullable<Schemas['TimelineEntryPage']['items']>[number]

export interface ClaimLimit {
  period: 'day' | 'week' | 'month'
  used: number
  limit: number | null
  remaining: number | null
  resets_at: string | null
}
export interface Claims {
  limits: ClaimLimit[]
  held: number
  max_held: number | null
}

export interface SessionAnswer {
  token: string
  user: User
  idle_hours?: number
}
