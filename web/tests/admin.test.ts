// Admin pages: users created and changed with the server's field errors in place, salespeople's
// allocation settings saved per person, parked events handed back to their handlers.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import UsersView from '@/features/admin/views/UsersView.vue'
import SalespeopleView from '@/features/admin/views/SalespeopleView.vue'
import ParkedEventsView from '@/features/admin/views/ParkedEventsView.vue'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'root', name: 'Root Admin', role: 'admin', department: null, team: null, active: true },
]
const USERS = PEOPLE.map((p) => ({ ...p, email: null, created_at: '2026-11-01T00:00:00Z', password_set: p.id === 'root' }))
const settle = async () => {
  for (let i = 0; i < 6; i++) await flush()
}

function signedInAsAdmin() {
  setToken('bt_test')
  _setSessionForTests(testUser({ id: 'root', name: 'Root Admin', role: 'admin', department: null }), 'Asia/Shanghai')
  _setPeopleForTests(PEOPLE)
}

describe('UsersView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
    document.body.innerHTML = ''
  })

  it('lists users by name with role and department in words, and shows a refused create\'s field error in place', async () => {
    signedInAsAdmin()
    const calls = stubFetch((call) => {
      if (call.method === 'POST' && call.url === '/users')
        return { status: 400, body: { error: { code: 'invalid_input', message: 'The user is not valid: see the field errors.', details: { fields: { department: ['A member belongs to a department: one of marketing, sales, service, tech, production.'] } } } } }
      if (call.url.startsWith('/users')) return { status: 200, body: { items: USERS, total: 2, limit: 50, offset: 0 } }
      return { status: 200, body: { items: PEOPLE } }
    })
    const w = mount(UsersView, { ...mountOptions('zh-CN'), attachTo: document.body })
    await settle()
    const table = w.find('[data-test=users-table]').text()
    expect(table).toContain('Alice Wang')
    expect(table).toContain('销售部')
    expect(table).toContain('尚未设置密码')
    await w.find('[data-test=user-create]').trigger('click')
    await settle()
    const form = document.querySelector('[data-test=user-form]')!
    const input = (sel: string) => form.querySelector(`[data-test=${sel}]`) as HTMLInputElement
    input('user-id').value = 'lin'
    input('user-id').dispatchEvent(new Event('input'))
    input('user-name').value = 'Lin Hua'
    input('user-name').dispatchEvent(new Event('input'))
    ;(document.querySelector('[data-test=user-save]') as HTMLButtonElement).click()
    await settle()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ id: 'lin', name: 'Lin Hua', role: 'member', department: null, team: null, email: null })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    const departmentItem = form.querySelector('[data-test=user-department]')!.closest('.el-form-item')!
    expect(departmentItem.querySelector('.field-error')?.textContent).toContain('A member belongs to a department')
    w.unmount()
  })
})

describe('SalespeopleView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('saves a person\'s markets, grades, override and leave, and shows the server\'s field error on that row', async () => {
    signedInAsAdmin()
    const alice = { id: 'alice', team: 'default', department: 'sales', role: 'member', markets: [], grades: [], on_leave: false, active: true, weight: 3, computed_weight: null, weight_override: null, conversion_rate: null, held: 4 }
    let refuse = true
    const calls = stubFetch((call) => {
      if (call.method === 'PATCH') {
        if (refuse) return { status: 400, body: { error: { code: 'invalid_input', message: 'The change is not valid: see the field errors.', details: { fields: { markets: { 0: ['Length must be 2.'] } } } } } }
        return { status: 200, body: { ...alice, ...(call.body as object), weight: 5 } }
      }
      if (call.url === '/salespeople') return { status: 200, body: { items: [alice] } }
      return { status: 200, body: { items: PEOPLE } }
    })
    const w = mount(SalespeopleView, { ...mountOptions('en'), attachTo: document.body })
    await settle()
    expect(w.text()).toContain('Alice Wang')
    expect(w.text()).toContain('Every market')
    await w.find('[data-test=markets-alice]').setValue('DEU')
    await w.find('[data-test=save-alice]').trigger('click')
    await settle()
    expect(w.find('[data-test=salespeople-table] .field-error').text()).toBe('Length must be 2.')
    refuse = false
    await w.find('[data-test=markets-alice]').setValue('de, fr')
    await w.find('[data-test=leave-alice]').trigger('click')
    await w.find('[data-test=save-alice]').trigger('click')
    await settle()
    const patch = calls.filter((c) => c.method === 'PATCH').at(-1)!
    expect(patch.url).toBe('/salespeople/alice')
    expect(patch.body).toEqual({ on_leave: true, weight_override: null, markets: ['DE', 'FR'], grades: [] })
    expect(w.find('.field-error').exists()).toBe(false)
    expect(w.text()).toContain('Germany, France')
    w.unmount()
  })
})

describe('ParkedEventsView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('shows each parked event with its error and hands them all back', async () => {
    signedInAsAdmin()
    const parked = { id: 'prk_1', service: 'pool', handler: 'on_customer_created', source: 'profile', event_type: 'customer_created', payload: { customer_id: 'cus_1' }, error: 'KeyError: team', attempts: 8, parked_at: '2026-12-01T00:00:00Z' }
    let left = [parked]
    const calls = stubFetch((call) => {
      if (call.method === 'POST') {
        left = []
        return { status: 200, body: { retried: ['prk_1'] } }
      }
      return { status: 200, body: { items: left, total: left.length, limit: 30, offset: 0 } }
    })
    const w = mount(ParkedEventsView, { ...mountOptions('en'), attachTo: document.body })
    await settle()
    expect(w.find('[data-test=parked-table]').text()).toContain('KeyError: team')
    expect(w.text()).toContain('pool.on_customer_created')
    await w.find('[data-test=retry-all]').trigger('click')
    await settle()
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({})
    expect(w.find('[data-test=parked-empty]').exists()).toBe(true)
    w.unmount()
  })
})
