// The handoff kinds as the server has them configured (GET /handoff-kinds, BATON.handoff.kinds),
// read once per page load: the forms use them to choose whom to offer as receivers and which
// package fields to show. KINDS and KIND_NAMES are reactive and empty until the answer arrives
// (`loadKinds()` / `useKinds()` start it); the server still decides (400 names `to` or `kind` when
// they do not fit, and the checklist is always the server's).
import { reactive, ref } from 'vue'
import { api } from '@/api/client'
import type { Schemas } from '@/api/types'

export type HandoffKind = Schemas['HandoffKindList']['items'][number]

export interface KindInfo {
  from: string[]
  to: string[]
  minReceivers: number
  maxReceivers: number
  /** The receiver (or the named member) owns the customer once signed. */
  receiverOwns: boolean
  /** Nobody signs: the archive is synced. */
  noSignatures?: boolean
  /** An after-sales case: order, fault, address. */
  caseFields?: boolean
  /** For customers of a yearly value: the expected yearly value is asked. */
  valueKind?: boolean
  /** The checklist's item names, in order (the configured rules, then plugins'). */
  checklist: string[]
}

export const KINDS = reactive<Record<string, KindInfo>>({})
export const KIND_NAMES = reactive<string[]>([])
export const kindsLoaded = ref(false)
let loading: Promise<void> | null = null

/** A kind as the server lists it, in the form's terms. */
export function kindInfo(kind: HandoffKind): KindInfo {
  return {
    from: kind.from,
    to: kind.to,
    minReceivers: kind.min_receivers,
    maxReceivers: kind.max_receivers,
    receiverOwns: kind.changes_owner,
    noSignatures: !kind.each_signs,
    caseFields: kind.checklist.includes('case_described'),
    valueKind: kind.annual_value != null,
    checklist: kind.checklist,
  }
}

function setKinds(list: HandoffKind[]): void {
  for (const name of Object.keys(KINDS)) delete KINDS[name]
  for (const kind of list) KINDS[kind.name] = kindInfo(kind)
  KIND_NAMES.splice(0, KIND_NAMES.length, ...list.map((k) => k.name))
  kindsLoaded.value = true
}

/** GET /handoff-kinds, once (again with `force`); a failure leaves the kinds as they were, to be asked again. */
export function loadKinds(force = false): Promise<void> {
  if ((kindsLoaded.value || loading) && !force) return loading ?? Promise.resolve()
  loading = api<Schemas['HandoffKindList']>('GET', '/handoff-kinds')
    .then((answer) => setKinds(answer.items ?? []))
    .catch(() => undefined)
    .finally(() => {
      loading = null
    })
  return loading
}

export function useKinds() {
  void loadKinds()
  return { kinds: KINDS, kindNames: KIND_NAMES, loaded: kindsLoaded, kindsFor }
}

/** The kinds a person may send: those their department sends; managers and admins see all. */
export function kindsFor(me: { role: string; department?: string | null } | null | undefined): string[] {
  if (!me) return []
  if (me.role === 'admin' || me.role === 'manager') return [...KIND_NAMES]
  return KIND_NAMES.filter((k) => KINDS[k].from.includes(me.department ?? ''))
}

export function _setKindsForTests(list: HandoffKind[]): void {
  setKinds(list)
}
