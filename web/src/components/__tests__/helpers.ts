// Test helpers for the customer/handoff/service display components: the real i18n (English),
// known people and a session in a fixed time zone.
import { i18n, applyLanguage } from '@/i18n'
import { _setPeopleForTests } from '@/composables/usePeople'
import { _setSessionForTests } from '@/composables/useSession'
import type { User } from '@/api/types'

export const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'sam', name: 'Sam Zhou', role: 'member', department: 'service', team: null, active: true },
]

export function setup(timeZone = 'Asia/Shanghai', me = 'alice') {
  applyLanguage('en')
  _setPeopleForTests(PEOPLE)
  const person = PEOPLE.find((p) => p.id === me)!
  _setSessionForTests({ ...person, created_at: '2026-01-01T00:00:00Z' } as User, timeZone)
  return { global: { plugins: [i18n] } }
}
