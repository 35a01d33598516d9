// The handoff kinds as DOMAIN.md and deploy/config.yaml define them by default (BATON.handoff.kinds).
// The API has no route listing the kinds yet, so the form uses this table only to choose whom to
// offer as receivers and which package fields to show; the server still decides (400 names `to`
// or `kind` when they do not fit, and the checklist is always the server's).
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
}

export const KINDS: Record<string, KindInfo> = {
  marketing_to_sales: { from: ['marketing'], to: ['sales'], minReceivers: 1, maxReceivers: 1, receiverOwns: true },
  sales_to_service: { from: ['sales'], to: ['service'], minReceivers: 1, maxReceivers: 3, receiverOwns: false },
  salesperson_leaving: { from: ['sales'], to: ['sales'], minReceivers: 1, maxReceivers: 1, receiverOwns: true },
  repair_case: { from: ['sales', 'service'], to: ['service'], minReceivers: 1, maxReceivers: 3, receiverOwns: false, caseFields: true },
  high_value_team: {
    from: ['sales'],
    to: ['sales', 'tech', 'service'],
    minReceivers: 2,
    maxReceivers: 10,
    receiverOwns: true,
    valueKind: true,
  },
  ordinary_sync: {
    from: ['sales'],
    to: ['sales'],
    minReceivers: 1,
    maxReceivers: 1,
    receiverOwns: true,
    noSignatures: true,
    valueKind: true,
  },
}

export const KIND_NAMES = Object.keys(KINDS)

/** The kinds a person may send: those their department sends; managers and admins see all. */
export function kindsFor(me: { role: string; department?: string | null } | null | undefined): string[] {
  if (!me) return []
  if (me.role === 'admin' || me.role === 'manager') return KIND_NAMES
  return KIND_NAMES.filter((k) => KINDS[k].from.includes(me.department ?? ''))
}
