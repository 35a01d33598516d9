// GET /people once per page load → nameOf(id). Everyone may call it; names, never ids.
import { reactive, ref } from 'vue'
import { api } from '@/api/client'
import type { Page, Person } from '@/api/types'
import { useSession } from './useSession'

const people = reactive(new Map<string, Person>())
const loaded = ref(false)
let loading: Promise<void> | null = null

export function loadPeople(force = false): Promise<void> {
  if ((loaded.value || loading) && !force) return loading ?? Promise.resolve()
  loading = api<Page<Person> | { items: Person[] }>('GET', '/people')
    .then((page) => {
      people.clear()
      for (const p of page.items ?? []) people.set(p.id, p)
      loaded.value = true
    })
    .catch(() => {
      loaded.value = true // show what we can (the signed-in person's own name)
    })
    .finally(() => {
      loading = null
    })
  return loading
}

export function usePeople() {
  const { me } = useSession()
  void loadPeople()
  function person(id: string | null | undefined): Person | undefined {
    if (!id) return undefined
    return people.get(id) ?? (me.value?.id === id ? me.value : undefined)
  }
  /** The person's name; the id itself only when nobody by that id is known (e.g. "pool"). */
  function nameOf(id: string | null | undefined): string {
    if (!id) return ''
    return person(id)?.name ?? id
  }
  return { people, loaded, person, nameOf, reload: () => loadPeople(true) }
}

export function _setPeopleForTests(list: Person[]): void {
  people.clear()
  list.forEach((p) => people.set(p.id, p))
  loaded.value = true
}
