import { api, newIdempotencyKey } from '@/api/client'
import type { Page, Schemas, User } from '@/api/types'

export const ROLES = ['member', 'manager', 'admin', 'integration'] as const
export const DEPARTMENTS = ['marketing', 'sales', 'service', 'tech', 'production'] as const

export type Salesperson = Schemas['Salesperson']
export type ParkedEvent = NonNullable<Schemas['ParkedEventPage']['items']>[number]

export interface UserDraft {
  id?: string
  name?: string
  role?: string
  department?: string | null
  team?: string | null
  email?: string | null
  active?: boolean
}

export const listUsers = (page: { limit: number; offset: number }) => api<Page<User>>('GET', '/users', { query: page })
export const createUser = (draft: UserDraft, idempotencyKey: string) =>
  api<User>('POST', '/users', { body: draft, idempotencyKey })
export const updateUser = (id: string, changes: UserDraft) =>
  api<User>('PATCH', `/users/${encodeURIComponent(id)}`, { body: changes })
export const setPassword = (id: string, password: string) =>
  api<{ user_id: string; password_set_at: string }>('PUT', `/users/${encodeURIComponent(id)}/password`, { body: { password } })

export const listSalespeople = () => api<{ items: Salesperson[] }>('GET', '/salespeople')
export interface SalespersonChanges {
  on_leave?: boolean
  weight_override?: number | null
  markets?: string[]
  grades?: string[]
}
export const updateSalesperson = (id: string, changes: SalespersonChanges) =>
  api<Salesperson>('PATCH', `/salespeople/${encodeURIComponent(id)}`, { body: changes })

export const listParked = (page: { limit: number; offset: number; event_type?: string }) =>
  api<Page<ParkedEvent>>('GET', '/parked-events', { query: page })
export const retryParked = (ids?: string[]) =>
  api<{ retried: string[] }>('POST', '/parked-events/retry', { body: ids ? { ids } : {}, idempotencyKey: newIdempotencyKey() })

export type PluginHealth = Schemas['PluginList']['plugins'][number]
export const listPlugins = () => api<{ plugins: PluginHealth[] }>('GET', '/plugins')

export type ConfigurationCheck = Schemas['ConfigurationCheck']
export type ServiceCheck = ConfigurationCheck['services'][number]
/** Whether every service would load the YAML (POST /admin/configuration/check); 422 names `yaml`. */
export const checkConfiguration = (yaml: string) =>
  api<ConfigurationCheck>('POST', '/admin/configuration/check', { body: { yaml } })
