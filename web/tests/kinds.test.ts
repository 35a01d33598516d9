import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setToken } from '@/api/token'
import { KINDS, KIND_NAMES, kindsFor, kindsLoaded, loadKinds, type HandoffKind } from '@/features/handoffs/kinds'
import { stubFetch } from './helpers'

const kind = (name: string, more: Partial<HandoffKind> = {}): HandoffKind => ({
  name,
  from: ['sales'],
  to: ['service'],
  min_receivers: 1,
  max_receivers: 1,
  each_signs: true,
  changes_owner: false,
  sender_collaborates: false,
  info_pending: true,
  annual_value: null,
  checklist: [],
  ...more,
})

const CONFIGURED = [
  kind('marketing_to_sales', { from: ['marketing'], to: ['sales'], changes_owner: true }),
  kind('repair_case', { from: ['sales', 'service'], max_receivers: 3, checklist: ['case_described'] }),
  kind('ordinary_sync', { to: ['sales'], each_signs: false, changes_owner: true,
                          annual_value: { currency: 'CNY', at_least: null, below: 100000 } }),
]

describe('handoff kinds', () => {
  beforeEach(() => setToken('bt_test'))
  afterEach(() => vi.unstubAllGlobals())

  it('are read once from GET /handoff-kinds, as the server has them configured', async () => {
    const calls = stubFetch(() => ({ status: 200, body: { items: CONFIGURED } }))
    await Promise.all([loadKinds(), loadKinds()])
    await loadKinds()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /handoff-kinds'])
    expect(kindsLoaded.value).toBe(true)
    expect([...KIND_NAMES]).toEqual(['marketing_to_sales', 'repair_case', 'ordinary_sync'])
    expect(KINDS.repair_case).toMatchObject({ from: ['sales', 'service'], maxReceivers: 3, caseFields: true,
                                              receiverOwns: false, valueKind: false })
    expect(KINDS.ordinary_sync).toMatchObject({ noSignatures: true, receiverOwns: true, valueKind: true })
    expect(kindsFor({ role: 'member', department: 'service' })).toEqual(['repair_case'])
    expect(kindsFor({ role: 'manager', department: 'service' })).toEqual([...KIND_NAMES])
    expect(kindsFor(null)).toEqual([])
  })

  it('follow a changed configuration when asked again', async () => {
    stubFetch(() => ({ status: 200, body: { items: [CONFIGURED[0]] } }))
    await loadKinds(true)
    expect(Object.keys(KINDS)).toEqual(['marketing_to_sales'])
    expect(kindsFor({ role: 'member', department: 'sales' })).toEqual([])
  })
})
