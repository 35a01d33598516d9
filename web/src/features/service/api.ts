// The service view's calls: requirements (and their changes), steps behind gates.
import { api } from '@/api/client'
import type { Schemas } from '@/api/types'

export type Requirements = Schemas['Requirements']
export type Steps = Schemas['Steps']
export type RequirementSet = Schemas['RequirementSet']

const c = (id: string) => `/customers/${encodeURIComponent(id)}`

export const getRequirements = (customerId: string) => api<Requirements>('GET', `${c(customerId)}/requirements`)
export const setRequirement = (customerId: string, field: string, body: RequirementSet) =>
  api<Requirements>('PUT', `${c(customerId)}/requirements/${encodeURIComponent(field)}`, { body })
export const getSteps = (customerId: string) => api<Steps>('GET', `${c(customerId)}/steps`)
export const startStep = (customerId: string, step: string) =>
  api<Steps>('POST', `${c(customerId)}/steps/${encodeURIComponent(step)}`, { body: {} })
