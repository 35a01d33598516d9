// The manager's decisions: stalled allocations given to a salesperson (a claim made for them, the
// pool's refusal shown as it says it), possible duplicates side by side, a leaver's customers
// handed over, the weekly quality audit, the plugins' health. Names, never ids.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import type { Customer } from '@/api/types'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import { applyLanguage, i18n, t } from '@/i18n'
import { compareRows, type CompareWords } from '@/features/decisions/compare'
import { salespeopleOf } from '@/features/decisions/people'
import StalledView from '@/features/decisions/views/StalledView.vue'
import LeaversView from '@/features/decisions/views/LeaversView.vue'
import QualityView from '@/features/decisions/views/QualityView.vue'
import PluginsView from '@/features/admin/views/PluginsView.vue'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

vi.mock('element-plus', async (original) => {
  const real = await original<typeof import('element-plus')>()
  // the confirmation is the person's click: here always yes
  return { ...real, ElMessageBox: { ...real.ElMessageBox, confirm: vi.fn(async () => 'confirm') } }
})

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'bob', name: 'Bob Li', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'carl', name: 'Carl Gone', role: 'member', department: 'sales', team: 'default', active: false },
  { id: 'meier', name: 'Klaus Meier', role: 'manager', department: 'sales', team: 'default', active: true },
  { id: 'mia', name: 'Mia Chen', role: 'member', department: 'marketing', team: null, active: true },
]
const settle = async () => {
  for (let i = 0; i < 8; i++) await flush()
}

function signedInAsManager() {
  setToken('bt_test')
  _setSessionForTests(testUser({ id: 'meier', name: 'Klaus Meier', role: 'manager' }), 'Asia/Shanghai')
  _setPeopleForTests(PEOPLE as never)
}

afterEach(() => {
  vi.unstubAllGlobals()
  setToken(null)
  document.body.innerHTML = ''
})

describe('whom a manager may give customers to', () => {
  it('active sales members, by name', () => {
    expect(salespeopleOf(PEOPLE as never).map((p) => p.name)).toEqual(['Alice Wang', 'Bob Li'])
  })
})

describe('possible duplicates side by side', () => {
  const base = {
    contacts: [], sources: [], needs: [], products: [], possible_duplicates: [], inquiry_count: 1, pool_state: 'owned',
    stage: 'inquiry', created_at: '2026-11-02T08:00:00Z', updated_at: '2026-11-02T08:00:00Z',
  }
  const left = {
    ...base, id: 'cus_a', company: 'Acme GmbH', country: 'Deutschland', country_code: 'DE', city: 'Hamburg', website: 'acme.de',
    owner_id: 'alice', contacts: [{ name: 'Jan Weber', email: 'jan@acme.de' }],
    sources: [{ channel: 'trade_show', campaign: 'Canton Fair', at: '2026-11-02T08:00:00Z', inquiry_id: 'inq_1' }],
  } as unknown as Customer
  const right = {
    ...base, id: 'cus_b', company: 'ACME  gmbh', country: 'Germany', country_code: 'DE', city: 'Bremen', website: null,
    owner_id: null, pool_state: 'public_pool', stage: 'new_contact', contacts: [{ name: 'Jan Weber', phone: '+49 40 1234567' }],
    sources: [{ channel: 'website_form', at: '2026-11-20T08:00:00Z', inquiry_id: 'inq_2' }],
  } as unknown as Customer

  function words(lang: 'en' | 'zh-CN'): CompareWords {
    applyLanguage(lang)
    const global = i18n.global as unknown as { te: (key: string) => boolean }
    return {
      t, te: (k) => global.te(k),
      country: (code) => (code ? new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code : ''),
      nameOf: (id) => PEOPLE.find((p) => p.id === id)?.name ?? id ?? '',
      dateTime: (iso) => (iso ? iso.slice(0, 10) : ''),
    }
  }

  it('lists every field of both in words, owners by name, and marks what they have in common', async () => {
    mountOptions('en')
    await import('@/features/decisions/words')
    const rows = compareRows(left, right, words('en'))
    const row = (key: string) => rows.find((r) => r.key === key)!
    expect(row('company')).toMatchObject({ label: 'Company', left: ['Acme GmbH'], right: ['ACME  gmbh'], same: true })
    expect(row('country')).toMatchObject({ left: ['Germany'], right: ['Germany'], same: true })
    expect(row('city').same).toBe(false)
    expect(row('website')).toMatchObject({ left: ['acme.de'], right: [], same: false })
    expect(row('owner')).toMatchObject({ left: ['Alice Wang'], right: ['Public pool'] })
    expect(row('stage')).toMatchObject({ left: ['Inquiry'], right: ['New contact'] })
    expect(row('contacts').left).toEqual(['Jan Weber · jan@acme.de'])
    expect(row('sources').left).toEqual(['trade show · Canton Fair · 2026-11-02'])
    expect(row('created_at').same).toBe(false)   // when each was opened is no sign of one company
    expect(JSON.stringify(rows)).not.toMatch(/\balice\b|cus_/)
  })

  it('in Chinese', async () => {
    mountOptions('zh-CN')
    await import('@/features/decisions/words')
    const rows = compareRows(left, right, words('zh-CN'))
    expect(rows[0].label).toBe('公司')
    expect(rows.find((r) => r.key === 'country')!.left).toEqual(['德国'])
  })
})

describe('StalledView', () => {
  const entry = {
    customer_id: 'cus_stalled', state: 'public_pool', reason: 'nobody eligible', since: '2026-11-30T02:00:00Z', by: 'pool',
    company: 'Nordlicht AB', country: 'Sweden', country_code: 'SE', intent_grade: 'B', tags: [],
  }
  const reminder = {
    id: 'rem_1', kind: 'allocation_stalled', user_id: 'meier', customer_id: 'cus_stalled', customer_name: 'Nordlicht AB', status: 'fired',
    due_at: '2026-11-30T02:00:00Z', created_at: '2026-11-30T02:00:00Z', message: 'Nobody eligible for customer cus_stalled',
    details: { team: 'default', by_person: [{ person: 'alice', reasons: ['market: SE is not among her markets'] }] },
  }

  it('lists the customers nobody was eligible for with each person\'s reason, and assigns one by a claim made for the salesperson', async () => {
    signedInAsManager()
    let refused = true
    const calls = stubFetch((call) => {
      if (call.url.startsWith('/pool')) return { status: 200, body: { items: [entry], total: 1, limit: 20, offset: 0 } }
      if (call.url.startsWith('/users/meier/reminders')) return { status: 200, body: { items: [reminder], total: 1, limit: 200, offset: 0 } }
      if (call.method === 'POST' && call.url === '/customers/cus_stalled/claim') {
        if (refused) {
          refused = false
          return { status: 409, body: { error: { code: 'conflict', message: 'Bob Li has claimed 5 customers today, the limit; it resets at 00:00.', details: { limit: 'per_day' } } } }
        }
        return { status: 200, body: { customer_id: 'cus_stalled', state: 'owned', owner_id: 'bob' } }
      }
      if (call.url === '/people') return { status: 200, body: { items: PEOPLE } }
      return { status: 404, body: { error: { code: 'not_found', message: 'no', details: {} } } }
    })
    const w = mount(StalledView, { ...mountOptions('en'), attachTo: document.body })
    await settle()
    const pool = calls.find((c) => c.url.startsWith('/pool'))!
    expect(pool.url).toContain('reason=nobody+eligible')
    expect(pool.url).toContain('state=public_pool')
    const table = w.find('[data-test=stalled-table]')
    expect(table.text()).toContain('Nordlicht AB')
    expect(table.text()).toContain('Alice Wang')
    expect(table.text()).not.toMatch(/cus_|\balice\b/)
    await w.find('[data-test=assign-cus_stalled]').trigger('click')
    await settle()
    const vm = w.findComponent(StalledView).vm as unknown as { person: string; assign: () => Promise<void> }
    vm.person = 'bob'
    await vm.assign()
    await settle()
    expect(document.body.textContent).toContain('Bob Li has claimed 5 customers today')
    const first = calls.filter((c) => c.method === 'POST')
    expect(first[0].body).toEqual({ by: 'bob' })
    await vm.assign()
    await settle()
    const posts = calls.filter((c) => c.method === 'POST')
    expect(posts.length).toBe(2)
    expect(posts[1].headers['Idempotency-Key']).not.toBe(posts[0].headers['Idempotency-Key'])
    expect(calls.filter((c) => c.url.startsWith('/pool')).length).toBe(2)   // the list again, after the decision
    w.unmount()
  })

  it('says so when nobody waits', async () => {
    signedInAsManager()
    stubFetch((call) => (call.url.startsWith('/pool') || call.url.includes('/reminders')
      ? { status: 200, body: { items: [], total: 0, limit: 20, offset: 0 } }
      : { status: 200, body: { items: PEOPLE } }))
    const w = mount(StalledView, mountOptions('zh-CN'))
    await settle()
    expect(w.find('[data-test=stalled-empty]').text()).toContain('没有等待分配的客户')
    w.unmount()
  })
})

describe('LeaversView', () => {
  it('lists the leaver\'s customers and hands every one over, showing what went where by name', async () => {
    signedInAsManager()
    const calls = stubFetch((call) => {
      if (call.url.startsWith('/customers?')) return { status: 200, body: { items: [{ id: 'cus_1', company: 'Acme GmbH', country_code: 'DE', stage: 'quoted', contacts: [], sources: [], needs: [], products: [], possible_duplicates: [] }], total: 1, limit: 20, offset: 0 } }
      if (call.method === 'POST' && call.url === '/users/alice/leaving')
        return { status: 201, body: {
          leaver: 'alice', reassignment_id: 'rea_1', effective: 'on_acceptance', unassigned: [], waiting: [], sign_in_ends_at: null,
          handoffs: [{ id: 'hof_1', kind: 'salesperson_leaving', customer_id: 'cus_1', from_user: 'alice', to_users: ['bob'], state: 'submitted', info_pending: false }],
        } }
      if (call.url === '/people') return { status: 200, body: { items: PEOPLE } }
      return { status: 404, body: { error: { code: 'not_found', message: 'no', details: {} } } }
    })
    const w = mount(LeaversView, { ...mountOptions('en'), attachTo: document.body })
    const vm = w.vm as unknown as { leaver: string; successor: string; submit: () => Promise<void> }
    vm.leaver = 'alice'
    await settle()
    expect(calls.find((c) => c.url.startsWith('/customers?'))!.url).toContain('owner_id=alice')
    expect(w.find('[data-test=leaver-customers]').text()).toContain('Acme GmbH')
    vm.successor = 'bob'
    await settle()
    await vm.submit()
    await settle()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ to: 'bob', effective: 'on_acceptance' })
    expect(post.headers['Idempotency-Key']).toBeTruthy()
    const result = w.find('[data-test=leaver-result]').text()
    expect(result).toContain('Acme GmbH')
    expect(result).toContain('Bob Li')
    expect(result).toContain('Submitted')
    expect(result).not.toMatch(/cus_|\bbob\b/)
    w.unmount()
  })
})

describe('QualityView', () => {
  it('shows each audit by person and the records returned by checklist item, in Chinese', async () => {
    signedInAsManager()
    const calls = stubFetch((call) => {
      if (call.url.startsWith('/quality-audits')) return { status: 200, body: { items: [{
        id: 'aud_1', person: 'alice', at: '2026-11-30T01:00:00Z', due_at: '2026-11-30T00:00:00Z', sampled: 2, passed: false,
        records: [{ customer_id: 'cus_1', passed: false, missing: ['basic_info'], reasons: ['No email or phone.'] }, { customer_id: 'cus_2', passed: true, missing: [], reasons: [] }],
        returned: ['cus_1'], passes_in_a_row: 0, relaxed: false, next_at: '2026-12-07T00:00:00Z',
      }], total: 1, limit: 20, offset: 0 } }
      if (call.url === '/customers/cus_1') return { status: 200, body: { id: 'cus_1', company: 'Acme GmbH' } }
      if (call.url === '/customers/cus_2') return { status: 200, body: { id: 'cus_2', company: 'Nordlicht AB' } }
      return { status: 200, body: { items: PEOPLE } }
    })
    const w = mount(QualityView, { ...mountOptions('zh-CN'), attachTo: document.body })
    await settle()
    const table = w.find('[data-test=quality-table]')
    expect(table.text()).toContain('Alice Wang')
    expect(table.text()).toContain('有记录退回')
    await w.find('.el-table__expand-icon').trigger('click')
    await settle()
    expect(table.text()).toContain('Acme GmbH')
    expect(table.text()).toMatch(/缺少：/)
    expect(table.text()).not.toMatch(/cus_|\balice\b/)
    const vm = w.vm as unknown as { outcome: string }
    vm.outcome = 'failed'
    await settle()
    expect(calls.filter((c) => c.url.startsWith('/quality-audits')).at(-1)!.url).toContain('passed=false')
    w.unmount()
  })
})

describe('PluginsView', () => {
  it('puts the plugins with problems first, with the server\'s words', async () => {
    signedInAsManager()
    stubFetch(() => ({ status: 200, body: { plugins: [
      { name: 'builtin_grading', hooks: ['baton_grade_intent'], problems: [] },
      { name: 'pager', hooks: ['baton_notification_channels'], problems: ['baton_notification_channels: pager gateway URL is missing'] },
    ] } }))
    const w = mount(PluginsView, mountOptions('en'))
    await settle()
    expect(w.find('[data-test=plugins-summary]').text()).toContain('1 plugin has problems')
    const rows = w.findAll('[data-test=plugins-table] .el-table__body tr')
    expect(rows[0].text()).toContain('pager')
    expect(w.find('[data-test=problems-pager]').text()).toContain('pager gateway URL is missing')
    w.unmount()
  })
})
