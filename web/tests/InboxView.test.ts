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
