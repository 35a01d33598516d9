// The inbox words each entry like a reminder on /day: the kind as the title, the details as the
// text, in the person's language and zone; the server's title and body only as the fallback.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import InboxView from '@/features/inbox/views/InboxView.vue'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'sam', name: 'Sam Zhou', role: 'member', department: 'service', team: null, active: true },
]

const ENTRIES = [
  {
    id: 'ntf_1', user_id: 'sam', kind: 'requirement_changed', customer_id: 'cus_75cbc868e4bcfeaaa43ac4a1',
    customer_name: 'Kessler Licht GmbH', title: 'Requirement changed: Kessler Licht GmbH',
    body: 'alice changed voltage of customer Kessler Licht GmbH: 220V → 110V.',
    due_at: '2026-12-04T03:49:56Z', fired_at: '2026-12-04T03:50:00Z', read: false, read_at: null,
    details: { field: 'voltage', before: '220V', after: '110V', by: 'alice' },
  },
  {
    id: 'ntf_2', user_id: 'sam', kind: 'handoff_waiting', customer_id: 'cus_c125590ac933329c3e3cfd60',
    customer_name: 'Maple Lighting Inc', title: 'Handoff waiting for you: customer cus_c125590ac933329c3e3cfd60',
    body: 'A sales to service handoff of customer cus_c125590ac933329c3e3cfd60 from alice waits for you to accept or return it. Info pending until 2026-12-06 03:50 UTC: solution_offered.',
    due_at: '2026-12-04T03:50:15Z', fired_at: '2026-12-04T03:50:20Z', read: true, read_at: '2026-12-04T04:00:00Z',
    details: {},   // filed before entries carried details: the server's words, cleaned
  },
]

describe('InboxView', () => {
  afterEach(() => vi.unstubAllGlobals())

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`words entries from their details in ${lang}, never an id or UTC`, async () => {
      setToken('bt_test')
      _setSessionForTests(testUser({ id: 'sam', name: 'Sam Zhou', department: 'service' }), 'Asia/Shanghai')
      _setPeopleForTests(PEOPLE)
      stubFetch((call) =>
        call.url.startsWith('/people')
          ? { status: 200, body: { items: PEOPLE, total: 2, limit: 200, offset: 0 } }
          : { status: 200, body: { items: ENTRIES, total: 2, limit: 30, offset: 0 } },
      )
      const w = mount(InboxView, mountOptions(lang))
      await flush()
      await flush()
      const titles = w.findAll('[data-test=inbox-title]').map((e) => e.text())
      const texts = w.findAll('[data-test=inbox-text]').map((e) => e.text())
      if (lang === 'en') {
        expect(titles).toEqual(['A requirement changed', 'A handoff is waiting for your signature'])
        expect(texts[0]).toBe('Alice Wang changed voltage of Kessler Licht GmbH: 220V → 110V.')
        expect(texts[1]).toMatch(/^A sales to service handoff of Maple Lighting Inc from Alice Wang waits for you to accept or return it\. Info pending until .*Dec 6.*11:50: solution_offered\.$/)
      } else {
        expect(titles).toEqual(['需求变更', '有移交等待你签收'])
        expect(texts[0]).toBe('Alice Wang 修改了 Kessler Licht GmbH 的电压：220V → 110V。')
      }
      expect(w.text()).not.toMatch(/\bcus_|UTC|\balice\b/)
      setToken(null)
    })
  }
})

const DIGEST = {
  id: 'grp_alice_first_touch_20261204T0200', user_id: 'alice', kind: 'inbox_digest', customer_id: null, customer_name: null,
  title: '12 new customers assigned to you', body: 'Kessler Licht GmbH, Maple Lighting Inc', due_at: null,
  fired_at: '2026-12-04T02:30:00Z', read: false, read_at: null, items: ['ntf_a', 'ntf_b'], grouped_in: null,
  details: {
    of_kind: 'first_touch', count: 12,
    customers: [
      { customer_id: 'cus_1', customer_name: 'Kessler Licht GmbH' },
      { customer_id: 'cus_2', customer_name: 'Maple Lighting Inc' },
    ],
  },
}
const SUMMARY = {
  id: 'ntf_summary_meier_20261204', user_id: 'meier', kind: 'manager_summary', customer_id: null, customer_name: null,
  title: 'Team summary 2026-12-04: 3 overdue, 1 returning to the pool soon', body: 'Overdue reminders: alice 3.',
  due_at: null, fired_at: '2026-12-04T00:00:00Z', read: false, read_at: null, items: [], grouped_in: null,
  details: {
    day: '2026-12-04', within_days: 3, overdue: [{ user_id: 'alice', count: 3 }],
    recycling: [{ customer_id: 'cus_3', customer_name: 'Acme GmbH', owner_id: 'alice', returns_at: '2026-12-06T00:00:00+00:00' }],
  },
}

describe('InboxView digests and summaries', () => {
  afterEach(() => vi.unstubAllGlobals())

  for (const lang of ['en', 'zh-CN'] as const) {
    it(`shows a digest as one entry linking each company, and a team summary, in ${lang}`, async () => {
      setToken('bt_test')
      _setSessionForTests(testUser({ id: 'alice' }), 'Asia/Shanghai')
      _setPeopleForTests(PEOPLE)
      stubFetch((call) =>
        call.url.startsWith('/people')
          ? { status: 200, body: { items: PEOPLE, total: 2, limit: 200, offset: 0 } }
          : { status: 200, body: { items: [DIGEST, SUMMARY], total: 2, limit: 30, offset: 0 } },
      )
      const w = mount(InboxView, mountOptions(lang))
      await flush()
      await flush()
      const titles = w.findAll('[data-test=inbox-title]').map((e) => e.text())
      const links = w.findAll('[data-test=inbox-customers] a')
      expect(links.map((a) => [a.text(), a.attributes('href')])).toEqual([
        ['Kessler Licht GmbH', '/c/cus_1'], ['Maple Lighting Inc', '/c/cus_2'], ['Acme GmbH', '/c/cus_3']])
      const texts = w.findAll('[data-test=inbox-text]').map((e) => e.text())
      if (lang === 'en') {
        expect(titles[0]).toBe('12 new customers assigned to you')
        expect(titles[1]).toMatch(/^Team summary .*Dec.*4/)
        expect(texts).toEqual(['Overdue reminders: Alice Wang 3 Returning to the public pool within 3 days:'])
      } else {
        expect(titles[0]).toBe('12 个新客户分配给你')
        expect(titles[1]).toMatch(/^团队日报/)
        expect(texts).toEqual(['逾期提醒：Alice Wang 3 3 天内将回到公海：'])
      }
      expect(w.text()).not.toMatch(/\bcus_|UTC|\balice\b/)
      setToken(null)
    })
  }
})
