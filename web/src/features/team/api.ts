import { api } from '@/api/client'
import type { Claims } from '@/api/types'

export interface PersonBoard {
  user_id: string
  team: string
  on_leave: boolean
  overdue_reminders: number | null
  open_reminders: number | null
  handoffs_waiting: number | null
  claims: (Claims & { user_id: string }) | null
}

export const teamBoard = (team?: string) => api<{ items: PersonBoard[] }>('GET', '/team-board', { query: { team } })
