// The team board shows GET /team-board as answered, people by name; the export buttons ask the
// server for the list with the same filters as a file.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import ExportButtons from '@/components/ExportButtons.vue'
import TeamBoardView from '@/features/team/views/TeamBoardView.vue'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'bob', name: 'Bob Li', role: 'member', department: 'sales', team: 'default', active: true },
]
const limits = (used: number) => [
  { period: 'day', used, limit: 3, remaining: 3 - used, resets_at: null },
  { period: 'week', used, limit: 10, remaining: 10 - used, resets_at: null },
  { period: 'month', used, limit: null, remaining: null, resets_at: null },
]
const BOARD = {
  items: [
    { user_id: 'alice', team: 'default', on_leave: false, overdue_reminders: 0, open_reminders: 2, handoffs_waiting: 0, claims: { user_id: 'alice', limits: limits(1), held: 4, max_held: 50 } },
    { user_id: 'bob', team: 'default', on_leave: true, overdue_reminders: 3, open_reminders: 5, handoffs_waiting: 1, claims: null },
  ],
}
const settle = async () => {
  for (let i = 0; i < 6; i++) await flush()
}

describe('TeamBoardView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('lists each salesperson by name, the most overdue first, and says what the manager may not see', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser({ id: 'meier', name: 'Klaus Meier', role: 'manager' }), 'Asia/Shanghai')
    _setPeopleForTests(PEOPLE)
    const calls = stubFetch((call) => ({ status: 200, body: call.url.startsWith('/team-board') ? BOARD : { items: PEOPLE } }))
    const w = mount(TeamBoardView, mountOptions('en'))
    await settle()
    expect(calls.some((c) => c.url === '/team-board')).toBe(true)
    const rows = w.findAll('[data-test=team-table] tbody tr').map((r) => r.text())
    expect(rows[0]).toContain('Bob Li')
    expect(rows[0]).toContain('On leave')
    expect(rows[0]).toContain('Not visible to you')
    expect(rows[1]).toContain('Alice Wang')
    expect(rows[1]).toContain('1/3 · 1/10 · 1')
    expect(rows[1]).toContain('4 of 50')
    expect(w.text()).not.toMatch(/\balice\b|\bbob\b/)
    w.unmount()
  })
})

describe('ExportButtons', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('asks the list\'s route for every row with its filters, never a page', async () => {
    setToken('bt_test')
    const calls = stubFetch(() => ({ status: 200, text: 'customer_id\r\n' }))
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:x', revokeObjectURL: () => undefined }))
    HTMLAnchorElement.prototype.click = () => undefined
    const w = mount(ExportButtons, { ...mountOptions('en'), props: { path: '/pool', query: { state: 'dormant', grade: 'A', limit: 20, offset: 40 }, what: 'Public pool', name: 'pool' } })
    await w.find('[data-test=export-csv-pool]').trigger('click')
    await settle()
    expect(calls.map((c) => c.url)).toEqual(['/pool?state=dormant&grade=A&format=csv'])
    expect(calls[0].headers.Authorization).toBe('Bearer bt_test')
    setToken(null)
  })
})
