import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { _setSessionForTests } from '@/composables/useSession'
import ContactForm from '@/features/day/components/ContactForm.vue'
import { specialLines } from '@/features/day/components/reminders'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

_setSessionForTests(testUser(), 'Asia/Shanghai')

describe('specialLines', () => {
  it('takes the lines starting with 【特殊】, without the mark', () => {
    expect(specialLines('Phone call\n【特殊】110V only\n  【特殊】 no logo on the box\nnot 【特殊】 this one\n【特殊】')).toEqual([
      '110V only',
      'no logo on the box',
    ])
    expect(specialLines('')).toEqual([])
  })
})

describe('ContactForm', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('previews 【特殊】 lines as special requirements while typing, and keeps a draft', async () => {
    const w = mount(ContactForm, { props: { customerId: 'cus_1' }, ...mountOptions('en') })
    await flush()
    expect(w.find('[data-test=special-preview]').exists()).toBe(false)
    const summary = w.find('textarea#contact-summary')
    await summary.setValue('Called Jane, she wants 2,000 panels.\n【特殊】All panels 110V\nQuote sent.')
    const preview = w.find('[data-test=special-preview]')
    expect(preview.exists()).toBe(true)
    expect(preview.text()).toContain('Will become a special requirement')
    expect(preview.findAll('li').map((li) => li.text())).toEqual(['All panels 110V'])
    expect(preview.text()).not.toContain('Quote sent')
    expect(localStorage.getItem('baton.draft.contact:cus_1:summary')).toContain('【特殊】All panels 110V')

    await summary.setValue('【特殊】All panels 110V\n【特殊】Ship by sea only')
    expect(w.find('[data-test=special-preview]').findAll('li')).toHaveLength(2)
    expect(w.find('[data-test=special-preview]').text()).toContain('Will become special requirements')
  })

  it('shows the preview in Chinese', async () => {
    const w = mount(ContactForm, { props: { customerId: 'cus_2' }, ...mountOptions('zh-CN') })
    await flush()
    await w.find('textarea#contact-summary').setValue('【特殊】只要 110V')
    expect(w.find('[data-test=special-preview]').text()).toContain('将成为特殊要求')
    expect(w.find('[data-test=special-preview]').text()).toContain('只要 110V')
  })

  it('inserts a 【特殊】 line on request', async () => {
    const w = mount(ContactForm, { props: { customerId: 'cus_3' }, ...mountOptions('en') })
    await flush()
    await w.find('textarea#contact-summary').setValue('Called.')
    await w.find('[data-test=insert-special]').trigger('click')
    expect((w.find('textarea#contact-summary').element as HTMLTextAreaElement).value).toBe('Called.\n【特殊】')
  })

  it('sends the notes convention, shows field errors beside fields, and clears the draft once saved', async () => {
    let fail = true
    const calls = stubFetch(() =>
      fail
        ? { status: 422, body: { error: { code: 'invalid_input', message: 'Invalid input.', details: { fields: { result: ['too long for a result'] } } } } }
        : { status: 201, body: { id: 'cus_4', company: 'Acme GmbH' } },
    )
    const w = mount(ContactForm, { props: { customerId: 'cus_4' }, ...mountOptions('en') })
    await flush()
    await w.find('textarea#contact-summary').setValue('Phone call.\n【特殊】110V')
    await w.find('textarea#contact-words').setValue('We need it before May.')
    await w.find('input#contact-result').setValue('quote requested')
    await w.find('form').trigger('submit')
    await flush()
    await flush()
    expect(calls).toHaveLength(1)
    expect(calls[0].url).toBe('/customers/cus_4/communications')
    expect(calls[0].headers['Idempotency-Key']).toBeTruthy()
    const body = calls[0].body as Record<string, string>
    expect(body.summary).toBe('Phone call.\n【特殊】110V')
    expect(body.customer_words).toBe('We need it before May.')
    expect(body.result).toBe('quote requested')
    expect(body.method).toBe('phone')
    expect(body.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/)
    // the field error sits under the result field; the draft is still there
    const resultItem = w.find('input#contact-result').element.closest('.el-form-item') as HTMLElement
    expect(resultItem.textContent).toContain('too long for a result')
    expect(localStorage.getItem('baton.draft.contact:cus_4:summary')).toBe('Phone call.\n【特殊】110V')

    fail = false
    await w.find('form').trigger('submit')
    await flush()
    await flush()
    expect(calls).toHaveLength(2)
    // same write retried: same idempotency key
    expect(calls[1].headers['Idempotency-Key']).toBe(calls[0].headers['Idempotency-Key'])
    expect(w.emitted('saved')?.[0][0]).toMatchObject({ company: 'Acme GmbH' })
    expect(localStorage.getItem('baton.draft.contact:cus_4:summary')).toBeNull()
    expect(localStorage.getItem('baton.draft.contact:cus_4:words')).toBeNull()
  })

  it('asks for the summary before sending', async () => {
    const calls = stubFetch(() => ({ status: 201, body: {} }))
    const w = mount(ContactForm, { props: { customerId: 'cus_5' }, ...mountOptions('en') })
    await flush()
    await w.find('form').trigger('submit')
    await flush()
    await flush()
    expect(calls).toHaveLength(0)
    expect(w.text()).toContain('Describe what happened')
  })
})
