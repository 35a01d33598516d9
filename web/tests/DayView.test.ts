// /day shows the reminders a person reads first: a page of the soonest due (the API's order), with
// "Show more" for the next page, and the count of every open reminder, not of those loaded.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Reminder } from '@/api/types'
import { setToken } from '@/api/token'
import { _setSessionForTests } from '@/composables/useSession'
import DayView from '@/features/day/views/DayView.vue'
import { flush, mountOptions, stubFetch, testUser, type StubCall } from './helpers'

const HOUR = 3600_000

/** ``n`` open reminders, soonest first: the first ``overdue`` are past due, then one an hour, then
 *  (from ``laterFrom`` on) due more than a week ahead. */
function openReminders(n: number, { overdue = 3, laterFrom = n } = {}): Reminder[] {
  const now = Date.now()
  return Array.from({ length: n }, (_, i) => {
    const due = i < overdue ? now - (overdue - i) * HOUR : i < laterFrom ? now + i * HOUR : now + 8 * 24 * HOUR + i * HOUR
    return {
      id: `rem_${String(i).padStart(3, '0')}`, kind: 'follow_up', user_id: 'alice', customer_id: `cus_${i}`,
      customer_name: `Company ${i}`, due_at: new Date(due).toISOString(), status: i < overdue ? 'fired' : 'pending',
      message: '', created_at: new Date(now - 24 * HOUR).toISOString(),
    } as Reminder
  })
}

/** Answers like the gateway: the reminders' page asked for (limit, offset) with the total. */
function serve(all: Reminder[]) {
  return stubFetch((call: StubCall) => {
    const u = new URL(call.url, 'http://x')
    if (u.pathname === '/users/alice/reminders') {
      const limit = Number(u.searchParams.get('limit')), offset = Number(u.searchParams.get('offset') ?? 0)
      return { status: 200, body: { items: all.slice(offset, offset + limit), total: all.length, limit, offset } }
    }
    return { status: 200, body: { items: [], total: 0, limit: 20, offset: 0 } }
  })
}

const rows = (w: ReturnType<typeof mount>) =>
  w.findAll('section[aria-labelledby="reminders-title"] li[data-test^="reminder-"]')

async function settle() {
  for (let i = 0; i < 4; i++) await flush()
}

describe('DayView reminders', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('shows the first page, soonest first with the overdue marked, and the next page on "Show more"', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser(), 'Asia/Shanghai')
    const calls = serve(openReminders(45))
    const w = mount(DayView, mountOptions('en'))
    await settle()
    const asked = calls.filter((c) => c.url.startsWith('/users/alice/reminders'))
    expect(asked.map((c) => new URL(c.url, 'http://x').searchParams.toString())).toEqual(['status=open&limit=30&offset=0'])
    expect(rows(w)).toHaveLength(30)
    expect(rows(w)[0].text()).toContain('Company 0')
    expect(rows(w).filter((r) => r.attributes('data-overdue') === 'true')).toHaveLength(3)
    expect(w.find('#reminders-title').text()).toContain('45 open')
    const more = w.find('[data-test=reminders-more]')
    expect(more.text()).toBe('Show the next 15 reminders (15 not shown)')
    expect(w.find('[data-test=toggle-later]').exists()).toBe(false)

    await more.trigger('click')
    await settle()
    expect(new URL(calls[calls.length - 1].url, 'http://x').searchParams.toString()).toBe('status=open&limit=30&offset=30')
    expect(rows(w)).toHaveLength(45)
    expect(rows(w)[44].text()).toContain('Company 44')
    expect(w.find('[data-test=reminders-more]').exists()).toBe(false)
    w.unmount()
  })

  it('keeps what is due after this week behind "Show later", with how many and the next page', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser(), 'Asia/Shanghai')
    serve(openReminders(70, { laterFrom: 10 }))
    const w = mount(DayView, mountOptions('en'))
    await settle()
    expect(rows(w)).toHaveLength(10)                                   // this week's, all loaded
    expect(w.find('[data-test=reminders-more]').exists()).toBe(false)
    const toggle = w.find('[data-test=toggle-later]')
    expect(toggle.text()).toBe('Show 60 later reminders')               // 20 loaded, 40 not yet
    await toggle.trigger('click')
    await settle()
    expect(rows(w)).toHaveLength(30)
    await w.find('[data-test=reminders-more]').trigger('click')
    await settle()
    expect(rows(w)).toHaveLength(60)
    await w.find('[data-test=reminders-more]').trigger('click')
    await settle()
    expect(rows(w)).toHaveLength(70)
    expect(w.find('[data-test=reminders-more]').exists()).toBe(false)
    w.unmount()
  })

  it('marking one done takes it off and counts one fewer open', async () => {
    setToken('bt_test')
    _setSessionForTests(testUser(), 'Asia/Shanghai')
    const all = openReminders(5)
    stubFetch((call: StubCall) => {
      if (call.method === 'POST') return { status: 200, body: { ...all[0], status: 'done' } }
      if (call.url.startsWith('/users/alice/reminders')) return { status: 200, body: { items: all, total: 5, limit: 30, offset: 0 } }
      return { status: 200, body: { items: [], total: 0, limit: 20, offset: 0 } }
    })
    const w = mount(DayView, mountOptions('en'))
    await settle()
    expect(w.find('#reminders-title').text()).toContain('5 open')
    await rows(w)[0].find('[data-test=reminder-done]').trigger('click')
    await settle()
    expect(rows(w)).toHaveLength(4)
    expect(w.find('#reminders-title').text()).toContain('4 open')
    w.unmount()
  })
})
