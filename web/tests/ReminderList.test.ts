import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import type { Reminder } from '@/api/types'
import { _setSessionForTests } from '@/composables/useSession'
import { rememberCustomerName } from '@/composables/useCustomerNames'
import ReminderList from '@/features/day/components/ReminderList.vue'
import { flush, mountOptions, testUser } from './helpers'

const now = new Date('2026-03-05T04:00:00Z') // 12:00 in Shanghai

function reminder(over: Partial<Reminder>): Reminder {
  return {
    id: 'rem_1',
    kind: 'first_touch',
    user_id: 'alice',
    customer_id: 'cus_abc123',
    customer_name: 'Acme GmbH',
    due_at: '2026-03-06T04:00:00Z',
    status: 'pending',
    message: 'First touch with new customer cus_abc123 by 2026-03-06 04:00 UTC.',
    created_at: '2026-03-04T00:00:00Z',
    ...over,
  } as Reminder
}

describe('ReminderList', () => {
  _setSessionForTests(testUser(), 'Asia/Shanghai')

  it('shows the company name, never the customer id, with why and when', () => {
    const w = mount(ReminderList, { props: { reminders: [reminder({})], now }, ...mountOptions('en') })
    const text = w.text()
    expect(text).toContain('Acme GmbH')
    expect(text).toContain('First contact with a new customer')
    expect(text).not.toMatch(/cus_/)
    // worded from the kind, not the server's message: the name, the due time in the person's zone
    expect(w.find('.detail').text()).toMatch(/^Contact Acme GmbH for the first time by Fri, Mar 6(, 2026)?, 12:00\.$/)
    expect(text).not.toContain('UTC')
    // the due time in the person's zone (Shanghai: 12:00)
    expect(w.find('time').text()).toContain('12:00')
    const link = w.find('a.customer-link')
    expect(link.attributes('href')).toBe('/c/cus_abc123')
    expect(link.text()).toBe('Acme GmbH')
  })

  it('falls back to a known name, then to a neutral word, never the id', () => {
    rememberCustomerName('cus_known', 'Known Ltd')
    const w = mount(ReminderList, {
      props: {
        reminders: [
          reminder({ id: 'a', customer_id: 'cus_known', customer_name: null, message: '' }),
          reminder({ id: 'b', customer_id: 'cus_unknown', customer_name: null, message: 'About cus_unknown.' }),
          // a kind the console does not know: the server's message, with ids and UTC times replaced
          reminder({ id: 'c', kind: 'new_kind' as Reminder['kind'], customer_id: 'cus_man_1f2e', customer_name: 'Manual Co', message: 'Follow up with customer cus_man_1f2e by 2026-03-06 04:00 UTC (asked by sam).' }),
        ],
        now,
      },
      ...mountOptions('en'),
    })
    expect(w.text()).toContain('Known Ltd')
    expect(w.text()).toContain('Unnamed customer')
    expect(w.text()).toMatch(/Follow up with Manual Co by Fri, Mar 6(, 2026)?, 12:00 \(asked by sam\)\./)
    expect(w.text()).not.toMatch(/cus_|UTC/)
  })

  it('marks overdue reminders and sorts soonest first', () => {
    const w = mount(ReminderList, {
      props: {
        reminders: [
          reminder({ id: 'later', customer_name: 'Later Co', due_at: '2026-03-10T04:00:00Z' }),
          reminder({ id: 'late', customer_name: 'Late Co', kind: 'follow_up', due_at: '2026-03-04T04:00:00Z' }),
          reminder({ id: 'today', customer_name: 'Today Co', due_at: '2026-03-05T08:00:00Z' }),
        ],
        now,
      },
      ...mountOptions('en'),
    })
    const items = w.findAll('li.reminder')
    expect(items.map((i) => i.find('.company').text())).toEqual(['Late Co', 'Today Co', 'Later Co'])
    expect(items[0].attributes('data-overdue')).toBe('true')
    expect(items[0].classes()).toContain('is-overdue')
    expect(items[0].find('[data-test=overdue-mark]').text()).toBe('Overdue')
    expect(items[0].text()).toContain('Follow-up due')
    expect(items[1].attributes('data-overdue')).toBe('false')
    expect(items[1].text()).toContain('Due today')
    expect(items[2].find('[data-test=overdue-mark]').exists()).toBe(false)
  })

  it('speaks Chinese and emits the actions', async () => {
    const w = mount(ReminderList, {
      props: { reminders: [reminder({ due_at: '2026-03-01T00:00:00Z' })], now },
      ...mountOptions('zh-CN'),
    })
    expect(w.text()).toContain('新客户首次联系')
    expect(w.text()).toContain('已逾期')
    await w.find('[data-test=reminder-done]').trigger('click')
    await w.find('[data-test=reminder-log]').trigger('click')
    expect(w.emitted('done')?.[0][0]).toMatchObject({ id: 'rem_1' })
    expect(w.emitted('log')?.[0][0]).toMatchObject({ id: 'rem_1' })
  })

  it('builds the "more actions" menu of a row only when it is opened', async () => {
    const w = mount(ReminderList, {
      props: { reminders: [reminder({ id: 'a' }), reminder({ id: 'b', customer_name: 'Beta Co' })], now },
      attachTo: document.body,
      ...mountOptions('en'),
    })
    // a plain button per row, no dropdown (no popper, no hidden menu) until one is opened
    expect(w.findAll('[data-test=reminder-more]')).toHaveLength(2)
    expect(w.findAll('.el-dropdown')).toHaveLength(0)
    expect(document.querySelector('[data-test=reminder-done-with-note]')).toBeNull()
    await w.findAll('li.reminder')[1].find('[data-test=reminder-more]').trigger('click')
    await flush()
    const rows = w.findAll('li.reminder')
    expect(rows[1].findAll('.el-dropdown')).toHaveLength(1)
    expect(rows[0].findAll('.el-dropdown')).toHaveLength(0)
    const item = document.querySelector<HTMLElement>('[data-test=reminder-done-with-note]')
    expect(item?.textContent).toContain('Done, with a note')
    item?.click()
    await flush()
    expect(w.emitted('doneWithNote')?.[0][0]).toMatchObject({ id: 'b' })
    w.unmount()
  })
})
