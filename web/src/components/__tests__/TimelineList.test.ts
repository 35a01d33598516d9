import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import TimelineList from '../TimelineList.vue'
import { applyLanguage } from '@/i18n'
import { setup } from './helpers'

const entries = [
  { id: '1', at: '2026-12-04T01:00:00Z', kind: 'communication_recorded', summary: 'phone by alice: customer confirmed 500 pcs', actor: 'alice' },
  { id: '2', at: '2026-12-04T17:00:00Z', kind: 'handoff_accepted', summary: 'Handoff sales to service accepted by sam', actor: 'sam' },
  { id: '3', at: '2026-12-03T02:00:00Z', kind: 'owner_assigned', summary: 'Assigned to alice (weighted round-robin)', actor: 'pool' },
  { id: '4', at: '2026-12-04T15:30:00Z', kind: 'quote_recorded', summary: 'Quote by alice: LED panel × 2000', actor: 'alice' },
]

describe('TimelineList', () => {
  it('groups entries by day in the person\'s time zone, newest first', () => {
    const w = mount(TimelineList, { ...setup('Asia/Shanghai'), props: { entries } })
    const days = w.findAll('section.day')
    // Shanghai is UTC+8: 17:00Z on the 4th is the 5th; 15:30Z is 23:30 on the 4th
    expect(days.map((d) => d.attributes('data-day'))).toEqual(['2026-12-05', '2026-12-04', '2026-12-03'])
    expect(days[0].findAll('[data-test=timeline-entry]')).toHaveLength(1)
    expect(days[1].findAll('[data-test=timeline-entry]')).toHaveLength(2)
    // within a day, newest first: the quote (23:30) before the contact (09:00)
    const second = days[1].findAll('[data-test=timeline-entry]')
    expect(second[0].text()).toContain('Quote')
    expect(second[0].text()).toContain('23:30')
    expect(second[1].text()).toContain('Contact record')
    expect(second[1].text()).toContain('09:00')
  })

  it('groups by the UTC day in UTC', () => {
    const w = mount(TimelineList, { ...setup('UTC'), props: { entries } })
    expect(w.findAll('section.day').map((d) => d.attributes('data-day'))).toEqual(['2026-12-04', '2026-12-03'])
  })

  it('shows the actor by name, never the id, and services by their label', () => {
    const w = mount(TimelineList, { ...setup('UTC'), props: { entries } })
    const actors = w.findAll('[data-test=timeline-actor]').map((a) => a.text())
    expect(actors).toEqual(['Sam Zhou', 'Alice Wang', 'Alice Wang', 'Public pool'])
    // people named inside the server's summary are shown by name too
    expect(w.text()).toContain('accepted by Sam Zhou')
    expect(w.text()).toContain('Assigned to Alice Wang')
    expect(w.text()).not.toMatch(/\balice\b/)
    expect(w.text()).not.toMatch(/\bsam\b/)
  })

  it('says when there is nothing yet', () => {
    const w = mount(TimelineList, { ...setup(), props: { entries: [] } })
    expect(w.text()).toContain('Nothing on the timeline yet.')
  })
})

describe('TimelineList with details', () => {
  const withDetails = [
    {
      id: 'r', at: '2026-12-04T03:50:00Z', kind: 'reminder_scheduled', actor: 'notification',
      summary: 'Reminder for alice: first touch due 2026-12-07 03:50 UTC',
      details: { reminder_kind: 'first_touch', user: 'alice', due_at: '2026-12-07T03:50:00+00:00' },
    },
    {
      id: 'h', at: '2026-12-04T04:00:00Z', kind: 'handoff_accepted', actor: 'sam',
      summary: 'Handoff sales to service accepted by sam',
      details: { kind: 'sales_to_service', by: 'sam', from: 'alice', new_owner: null },
    },
    // written before entries kept details: the summary, with names and local times
    { id: 'o', at: '2026-12-04T03:00:00Z', kind: 'recycling_warned', actor: 'pool', summary: 'alice warned: returns to the public pool at 2026-12-07 03:00 UTC (no deal within 90 days of claiming)' },
  ]

  it('words each entry from its details in the person\'s language and zone', async () => {
    const w = mount(TimelineList, { ...setup('Asia/Shanghai'), props: { entries: withDetails } })
    await w.find('[data-test=show-reminders]').trigger('click')      // reminders are off by default
    const text = w.text()
    expect(text).toMatch(/Reminder for Alice Wang: first contact, due .*Dec 7.*11:50/)
    expect(text).toContain('Sales → service handoff from Alice Wang signed by Sam Zhou')
    expect(text).toMatch(/Alice Wang warned: returns to the public pool at .*Dec 7.*11:00 \(no deal/)
    expect(text).not.toMatch(/UTC|\balice\b|\bsam\b/)

    applyLanguage('zh-CN')
    await w.vm.$nextTick()
    const zh = w.text()
    expect(zh).toMatch(/提醒 Alice Wang：首次联系，.*11:50 到期/)
    expect(zh).toContain('Alice Wang 发起的销售部 → 客服部移交已由 Sam Zhou 签收')
    expect(zh).not.toMatch(/UTC|\balice\b|\bsam\b/)
    applyLanguage('en')
  })
})

describe('TimelineList and the reminder bookkeeping', () => {
  const entries = [
    {
      id: 's', at: '2026-12-04T02:00:00Z', kind: 'handoff_submitted', actor: 'alice',
      summary: 'Handoff sales to service submitted by alice to sam',
      details: { handoff_id: 'hnd_1', kind: 'sales_to_service', from: 'alice', to: ['sam'], action: 'submitted', by: 'alice', note: null },
    },
    {
      id: 'r', at: '2026-12-04T03:50:00Z', kind: 'reminder_scheduled', actor: 'notification',
      summary: 'Reminder for alice: first touch due 2026-12-07 03:50 UTC',
      details: { reminder_kind: 'first_touch', user: 'alice', due_at: '2026-12-07T03:50:00+00:00' },
    },
    {
      id: 'z', at: '2026-12-04T04:10:00Z', kind: 'reminder_snoozed', actor: 'alice',
      summary: 'Reminder first touch for alice snoozed by alice until 2026-12-04 06:10 UTC: customer travelling',
      details: { reminder_kind: 'first_touch', user: 'alice', by: 'alice', until: '2026-12-04T06:10:00+00:00', reason: 'customer travelling' },
    },
    {
      id: 'd', at: '2026-12-04T05:00:00Z', kind: 'reminder_done', actor: 'alice', summary: 'Reminder first touch for alice done by alice',
      details: { reminder_kind: 'first_touch', user: 'alice', by: 'alice', note: null },
    },
  ]

  it('leaves reminders out until "show reminders" is switched on, in en and zh-CN', async () => {
    const w = mount(TimelineList, { ...setup('Asia/Shanghai'), props: { entries } })
    expect(w.findAll('[data-test=timeline-entry]')).toHaveLength(1)
    expect(w.text()).toContain('Alice Wang handed it over to Sam Zhou')
    expect(w.find('[data-test=show-reminders]').text()).toContain('Show reminders')
    await w.find('[data-test=show-reminders]').trigger('click')
    expect(w.findAll('[data-test=timeline-entry]')).toHaveLength(4)
    const text = w.text()
    expect(text).toMatch(/Alice Wang snoozed the first contact until .*14:10 — customer travelling/)
    expect(text).toContain('Alice Wang did the first contact')
    expect(text).not.toMatch(/UTC|\balice\b/)

    applyLanguage('zh-CN')
    await w.vm.$nextTick()
    expect(w.find('[data-test=show-reminders]').text()).toContain('显示提醒')
    expect(w.text()).toMatch(/Alice Wang 将首次联系推迟到 .*14:10 — customer travelling/)
    expect(w.text()).toContain('Alice Wang 已完成首次联系')
    applyLanguage('en')
  })

  it('offers no switch when there is no reminder to show', () => {
    const w = mount(TimelineList, { ...setup('UTC'), props: { entries: entries.slice(0, 1) } })
    expect(w.find('[data-test=show-reminders]').exists()).toBe(false)
  })
})
