// The package form's state ↔ the API's Package (PackageSchema). Lists are written one item a line.
import type { HandoffPackage, PackageDraft } from './api'

export interface PaymentRow {
  amount: number | null
  currency: string
  due_date: string
  note: string
}

export interface PackageForm {
  pain_points: string
  solution: string
  open_items: string
  no_open_items: boolean
  special_requirements: string
  no_special_requirements: boolean
  cautions: string
  no_cautions: boolean
  payments: PaymentRow[]
  expected_annual_value: number | null
  case_order_id: string
  case_fault: string
  case_address: string
  notes: string
}

export function emptyPackageForm(): PackageForm {
  return {
    pain_points: '',
    solution: '',
    open_items: '',
    no_open_items: false,
    special_requirements: '',
    no_special_requirements: false,
    cautions: '',
    no_cautions: false,
    payments: [],
    expected_annual_value: null,
    case_order_id: '',
    case_fault: '',
    case_address: '',
    notes: '',
  }
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean)

/** Only what was written: empty fields are left out, so the archive speaks for them. */
export function toPackage(f: PackageForm, opts: { caseFields?: boolean; valueKind?: boolean } = {}): PackageDraft {
  const p: PackageDraft = {}
  const pain = lines(f.pain_points)
  if (pain.length) p.pain_points = pain
  if (f.solution.trim()) p.solution = f.solution.trim()
  const open = lines(f.open_items)
  if (open.length) p.open_items = open
  if (f.no_open_items) p.no_open_items = true
  const special = lines(f.special_requirements)
  if (special.length) p.special_requirements = special
  if (f.no_special_requirements) p.no_special_requirements = true
  const cautions = lines(f.cautions)
  if (cautions.length) p.cautions = cautions
  if (f.no_cautions) p.no_cautions = true
  const payments = f.payments
    .filter((x) => x.amount !== null && x.amount !== undefined)
    .map((x) => ({
      amount: x.amount as number,
      currency: x.currency.trim().toUpperCase(),
      ...(x.due_date ? { due_date: x.due_date } : {}),
      ...(x.note.trim() ? { note: x.note.trim() } : {}),
    }))
  if (payments.length) p.outstanding_payments = payments
  if (opts.valueKind && f.expected_annual_value !== null && f.expected_annual_value !== undefined)
    p.expected_annual_value = f.expected_annual_value
  if (opts.caseFields && (f.case_order_id || f.case_fault.trim() || f.case_address.trim())) {
    p.case = {
      ...(f.case_order_id ? { order_id: f.case_order_id } : {}),
      ...(f.case_fault.trim() ? { fault: f.case_fault.trim() } : {}),
      ...(f.case_address.trim() ? { address: f.case_address.trim() } : {}),
    }
  }
  if (f.notes.trim()) p.notes = f.notes.trim()
  return p
}

/** The form refilled from a package as the receiver read it (to resubmit or complete it). */
export function fromPackage(pkg: HandoffPackage | null | undefined): PackageForm {
  const f = emptyPackageForm()
  if (!pkg) return f
  const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []) as string[]
  f.pain_points = strs(pkg.pain_points).join('\n')
  f.solution = typeof pkg.solution === 'string' ? pkg.solution : ''
  f.open_items = strs(pkg.open_items).join('\n')
  f.special_requirements = strs(pkg.special_requirements).join('\n')
  f.cautions = strs(pkg.cautions).join('\n')
  const none = strs(pkg.stated_none)
  f.no_open_items = none.includes('no_open_items')
  f.no_special_requirements = none.includes('no_special_requirements')
  f.no_cautions = none.includes('no_cautions')
  f.payments = (Array.isArray(pkg.outstanding_payments) ? pkg.outstanding_payments : [])
    .map((x) => x as Record<string, unknown>)
    .filter((x) => typeof x.amount === 'number')
    .map((x) => ({
      amount: x.amount as number,
      currency: typeof x.currency === 'string' ? x.currency : '',
      due_date: typeof x.due_date === 'string' ? x.due_date : '',
      note: typeof x.note === 'string' ? x.note : '',
    }))
  f.expected_annual_value = typeof pkg.expected_annual_value === 'number' ? pkg.expected_annual_value : null
  const c = (pkg.case ?? null) as Record<string, unknown> | null
  if (c) {
    f.case_order_id = typeof c.order_id === 'string' ? c.order_id : ''
    f.case_fault = typeof c.fault === 'string' ? c.fault : ''
    f.case_address = typeof c.address === 'string' ? c.address : ''
  }
  f.notes = typeof pkg.notes === 'string' ? pkg.notes : ''
  return f
}
