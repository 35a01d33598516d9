// Every possible-duplicate pair (GET /duplicates) by name, never by id: the keys both have in words,
// owners by name; keeping a pair apart sends the other archive and the note, then lists again.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import DuplicatePairsView from '@/features/decisions/views/DuplicatePairsView.vue'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

const PEOPLE = [{ id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true }]
const side = (id: string, company: string, owner: string | null) => ({
  customer_id: id, company, country: 'Germany', country_code: 'DE', city: null, owner_id: owner,
  pool_state: owner ? 'owned' : 'public_pool', created_at: '2026-11-30T02:00:00Z',
})
const PAIR = {
  id: 'cus_1|cus_2', flagged_at: '2026-11-30T02:00:00Z', shared: ['domain', 'company'],
  customer: side('cus_2', 'Osprey Handel GmbH', null), other: side('cus_1', 'Falcon Trading GmbH', 'alice'),
}
const NAMED = { ...PAIR, id: 'cus_3|cus_4', shared: [], customer: side('cus_4', 'Kestrel Home Goosd', null), other: side('cus_3', 'Kestrel Home Goods', null) }
const settle = async () => {
  for (let i = 0; i < 8; i++) await flush()
}

describe('DuplicatePairsView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('lists each pair by name with the keys both have, and keeps one apart with a note', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser({ id: 'meier', name: 'Klaus Meier', role: 'manager' }), 'Asia/Shanghai')
    _setPeopleForTests(PEOPLE as never)
    let decided = false
    const calls = stubFetch((call) => {
      if (call.url.startsWith('/duplicates')) {
        const items = decided ? [NAMED] : [PAIR, NAMED]
        return { status: 200, body: { items, total: items.length, limit: 20, offset: 0 } }
      }
      if (call.method === 'POST' && call.url === '/customers/cus_2/keep-apart') {
        decided = true
        return { status: 200, body: { customer_id: 'cus_2', other_id: 'cus_1', by: 'meier', note: 'a distributor', at: '2026-11-30T03:00:00Z' } }
      }
      if (call.url === '/people') return { status: 200, body: { items: PEOPLE } }
      return { status: 404, body: { error: { code: 'not_found', message: 'no', details: {} } } }
    })
    const w = mount(DuplicatePairsView, { ...mountOptions('en'), attachTo: document.body })
    await settle()
    expect(calls.find((c) => c.url.startsWith('/duplicates'))!.url).toBe('/duplicates?limit=20&offset=0')
    const rows = w.findAll('[data-test=pairs-table] tbody tr').map((r) => r.text())
    expect(rows[0]).toContain('Osprey Handel GmbH')
    expect(rows[0]).toContain('Falcon Trading GmbH')
    expect(rows[0]).toContain('Alice Wang')
    expect(rows[0]).toContain('company domain')
    expect(rows[0]).toContain('company name')
    expect(rows[1]).toContain('a similar name')
    expect(w.text()).not.toMatch(/cus_|\balice\b/)

    await w.findAll('[data-test=pair-keep-apart]')[0].trigger('click')
    await settle()
    const note = document.body.querySelector('[data-test=keep-apart-note]') as HTMLTextAreaElement
    note.value = 'a distributor'
    note.dispatchEvent(new Event('input'))
    ;(document.body.querySelector('[data-test=keep-apart-save]') as HTMLButtonElement).click()
    await settle()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ other: 'cus_1', note: 'a distributor' })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    expect(w.findAll('[data-test=pairs-table] tbody tr').length).toBe(1)  // listed again, without the pair
    w.unmount()
  })

  it('speaks Chinese', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser({ id: 'meier', name: 'Klaus Meier', role: 'manager' }), 'Asia/Shanghai')
    _setPeopleForTests(PEOPLE as never)
    stubFetch((call) => ({ status: 200, body: call.url === '/people' ? { items: PEOPLE } : { items: [PAIR], total: 1, limit: 20, offset: 0 } }))
    const w = mount(DuplicatePairsView, mountOptions('zh-CN'))
    await settle()
    expect(w.text()).toContain('疑似重复客户')
    expect(w.text()).toContain('公司域名')
    expect(w.text()).toContain('保持分开')
    w.unmount()
  })
})
