// Where a person lands after sign-in (and on "/"). Features may refine this for their people
// (e.g. the service feature for department "service").
import type { User } from '@/api/types'

export function homeFor(user: Pick<User, 'role' | 'department'> | null | undefined): string {
  if (!user) return '/signin'
  // the service department starts on its own view (handoffs waiting, customers handed over)
  if (user.department === 'service' && user.role !== 'admin') return '/service'
  return '/day'
}
