// Company names for customer ids, for lists whose items carry only `customer_id`.
// Prefer a name the server already put on the item (customer_name, company); remember those with
// remember(); for the rest, ensure(ids) asks GET /customers/<id> once per id.
import { reactive } from 'vue'
import { api } from '@/api/client'

const names = reactive(new Map<string, string>())
const asked = new Set<string>()

export function rememberCustomerName(id: string | null | undefined, name: string | null | undefined): void {
  if (id && name) names.set(id, name)
}

export async function ensureCustomerNames(ids: Array<string | null | undefined>): Promise<void> {
  const missing = [...new Set(ids.filter((id): id is string => !!id && !names.has(id) && !asked.has(id)))]
  missing.forEach((id) => asked.add(id))
  await Promise.all(
    missing.map((id) =>
      api<{ company?: string | null }>('GET', `/customers/${encodeURIComponent(id)}`)
        .then((c) => rememberCustomerName(id, c.company))
        .catch(() => undefined),
    ),
  )
}

export function useCustomerNames() {
  return {
    names,
    nameOf: (id: string | null | undefined, given?: string | null) => given || (id ? names.get(id) : undefined) || '',
    remember: rememberCustomerName,
    ensure: ensureCustomerNames,
  }
}

/**
 * Server messages sometimes name a customer by id ("Follow up with customer cus_… by …"):
 * put the company name in its place, or a neutral word, so people never read an id.
 */
export function withoutCustomerIds(text: string, nameOf: (id: string) => string | undefined, fallback: string): string {
  return text.replace(/\b(?:customer\s+)?(cus_[A-Za-z0-9_]+)/g, (_m, id: string) => nameOf(id) || fallback)
}
