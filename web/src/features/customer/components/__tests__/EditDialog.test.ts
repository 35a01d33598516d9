import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { ApiError } from '@/api/client'
import type { Customer } from '@/api/types'
import { setup } from '@/components/__tests__/helpers'

const patchCustomer = vi.fn()
vi.mock('../../api', async (orig) => ({ ...(await orig<typeof import('../../api')>()), patchCustomer: (...a: unknown[]) => patchCustomer(...a) }))

import EditDialog from '../EditDialog.vue'

const customer = {
  id: 'cus_1',
  company: 'Kessler Lichttechnik GmbH',
  contacts: [{ name: 'Jana', email: 'jana@kessler-licht.de' }],
  country: 'DE',
  city: null,
  website: null,
  registration_code: null,
  stage: 'inquiry',
  sources: [],
  needs: [],
  products: [],
  possible_duplicates: [],
  inquiry_count: 1,
  created_at: '2026-12-04T03:00:00Z',
  updated_at: '2026-12-04T03:00:00Z',
  aliases: [],
  titles: [{ name: 'Kessler Licht AG', registration_code: null, country: 'DE' }],
  cautions: [],
  special_requirements: [],
  manual_tags: [],
  custom_fields: {},
} as unknown as Customer

/** The form item (label + control + errors) whose label is `label`. */
function itemFor(label: string): Element {
  const item = [...document.body.querySelectorAll('.el-form-item')].find((el) => el.querySelector('.el-form-item__label')?.textContent?.trim() === label)
  if (!item) throw new Error(`no form item ${label}`)
  return item
}

describe('EditDialog', () => {
  beforeEach(() => {
    patchCustomer.mockReset()
    document.body.innerHTML = ''
  })
  afterEach(() => {
    document.body.innerHTML = ''
  })

  it('sends only what changed and shows the server\'s field errors beside their fields', async () => {
    patchCustomer.mockRejectedValueOnce(
      new ApiError(422, 'invalid_input', 'The change is not valid: see the field errors.', {
        fields: {
          registration_code: ['Not a valid DE VAT number (the check digits do not match).'],
          titles: { '0': { registration_code: ['Not a valid DE VAT number.'] } },
        },
      }),
    )
    const w = mount(EditDialog, { ...setup('UTC'), props: { modelValue: false, customer }, attachTo: document.body })
    await w.setProps({ modelValue: true })
    await flushPromises()
    await nextTick()

    const code = itemFor('Registration code').querySelector('input') as HTMLInputElement
    code.value = 'DE123'
    code.dispatchEvent(new Event('input'))
    await nextTick()
    ;(document.body.querySelector('[data-test=dialog-save]') as HTMLButtonElement).click()
    await flushPromises()
    await nextTick()

    expect(patchCustomer).toHaveBeenCalledTimes(1)
    expect(patchCustomer.mock.calls[0][0]).toBe('cus_1')
    expect(patchCustomer.mock.calls[0][1]).toEqual({ registration_code: 'DE123' })

    // beside the registration code, not beside the company
    expect(itemFor('Registration code').textContent).toContain('Not a valid DE VAT number (the check digits do not match).')
    expect(itemFor('Company').querySelector('.field-error')).toBeNull()
    // a list item's error beside its row
    const titleRow = document.body.querySelector('[data-test=edit-title-row]') as Element
    expect(titleRow.textContent).toContain('Not a valid DE VAT number.')
    // and the server's message above the form
    expect(document.body.querySelector('[data-test=form-error]')?.textContent).toContain('The change is not valid')
    w.unmount()
  })

  it('closes and hands back the saved archive when the server accepts it', async () => {
    patchCustomer.mockResolvedValueOnce({ ...customer, city: 'Berlin' })
    const w = mount(EditDialog, { ...setup('UTC'), props: { modelValue: false, customer }, attachTo: document.body })
    await w.setProps({ modelValue: true })
    await flushPromises()
    const city = itemFor('City').querySelector('input') as HTMLInputElement
    city.value = 'Berlin'
    city.dispatchEvent(new Event('input'))
    await nextTick()
    ;(document.body.querySelector('[data-test=dialog-save]') as HTMLButtonElement).click()
    await flushPromises()
    expect(patchCustomer.mock.calls[0][1]).toEqual({ city: 'Berlin' })
    expect(w.emitted('saved')?.[0]?.[0]).toMatchObject({ city: 'Berlin' })
    expect(w.emitted('update:modelValue')?.at(-1)).toEqual([false])
    w.unmount()
  })
})
