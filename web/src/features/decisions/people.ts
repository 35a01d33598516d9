import type { Person } from '@/api/types'

/** Whom a manager may give customers to: active sales members, by name. Who may actually take one is
 * the pool's decision (limits, team, leave): a refusal says why. */
export function salespeopleOf(people: Person[]): Person[] {
  return people
    .filter((p) => p.department === 'sales' && p.role === 'member' && p.active !== false)
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
}
