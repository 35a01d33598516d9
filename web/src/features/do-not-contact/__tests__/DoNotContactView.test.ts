import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { setup } from '@/components/__tests__/helpers'

const listDoNotContact = vi.fn()
vi.mock('../api', async (orig) => ({ ...(await orig<typeof import('../api')>()), listDoNotContact: (...a: unknown[]) => listDoNotContact(...a) }))

import DoNotContactView from '../views/DoNotContactView.vue'

const ENTRY = {
  customer_id: 'cus_1',
  company: 'Kessler Lichttechnik GmbH',
  country: 'Germany',
  country_code: 'DE',
  reason: 'asked us never to call',
  rejected_at: '2026-12-01T03:00:00Z',
  rejected_by: 'alice',
}

describe('the do-not-contact page', () => {
  it('lists the whole list, then asks the server by email and says what it found', async () => {
    listDoNotContact.mockResolvedValueOnce({ items: [ENTRY], total: 1, limit: 50, offset: 0 })
    const view = mount(DoNotContactView, { ...setup(), attachTo: document.body })
    await flushPromises()
    expect(listDoNotContact).toHaveBeenLastCalledWith({ limit: 50, offset: 0 })
    expect(view.text()).toContain('Kessler Lichttechnik GmbH')
    expect(view.text()).toContain('Alice Wang')

    listDoNotContact.mockResolvedValueOnce({ items: [ENTRY], total: 1, limit: 50, offset: 0, found: ['cus_1'] })
    const input = view.find('input[data-test=dnc-value]')
    expect(input.exists()).toBe(true)
    await input.setValue('Jana@Kessler-Licht.de')
    await view.find('[data-test=dnc-search]').trigger('click')
    await flushPromises()
    expect(listDoNotContact).toHaveBeenLastCalledWith({ limit: 50, offset: 0, email: 'Jana@Kessler-Licht.de' })
    expect(view.find('[data-test=dnc-answer]').text()).toContain('1 customer with this email must not be contacted.')

    listDoNotContact.mockResolvedValueOnce({ items: [], total: 0, limit: 50, offset: 0, found: [] })
    await input.setValue('nobody@else.de')
    await view.find('[data-test=dnc-search]').trigger('click')
    await flushPromises()
    expect(view.find('[data-test=dnc-answer]').text()).toContain('No customer has this email')
    view.unmount()
  })
})
