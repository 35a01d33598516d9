import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import DealRecords from '../DealRecords.vue'
import HandoffPackageView from '../HandoffPackageView.vue'
import { setup } from './helpers'

const quote = { id: 'q1', at: '2026-12-04T03:00:00Z', by: 'alice', product: 'LED panel 600x600', currency: 'USD', quantity: 2000, incoterm: 'FOB Ningbo' }
const order = { id: 'o1', at: '2026-12-04T04:00:00Z', by: 'alice', currency: 'USD', products: ['LP-6060'], delivery_date: '2027-02-20', payment_method: 'T/T' }
const sample = { id: 's1', sent_at: '2026-12-04T03:30:00Z', by: 'alice', model: 'LP-6060', quantity: 2, test_days: 14 }

describe('DealRecords', () => {
  it('shows price columns when the server sent prices', () => {
    const w = mount(DealRecords, {
      ...setup('UTC'),
      props: { quotes: [{ ...quote, unit_price: 4.35 }], orders: [{ ...order, amount: 8700 }], samples: [sample] },
    })
    expect(w.findAll('[data-test=price-column]')).toHaveLength(2)
    expect(w.text()).toContain('Unit price')
    expect(w.text()).toContain('Amount')
    expect(w.find('[data-test=quotes] [data-test=price]').text()).toContain('4.35')
    expect(w.find('[data-test=orders] [data-test=price]').text()).toContain('8,700')
  })

  it('has no price column at all when the prices are absent or null (stripped for the role)', () => {
    const w = mount(DealRecords, {
      ...setup('UTC', 'sam'),
      props: { quotes: [quote, { ...quote, id: 'q2', unit_price: null }], orders: [{ ...order, amount: null }], samples: [sample] },
    })
    expect(w.findAll('[data-test=price-column]')).toHaveLength(0)
    expect(w.findAll('[data-test=price]')).toHaveLength(0)
    expect(w.text()).not.toContain('Unit price')
    expect(w.text()).not.toContain('Amount')
    expect(w.text()).not.toContain('undefined')
    expect(w.text()).not.toContain('null')
    expect(w.text()).not.toContain('NaN')
    // the rest is still there, by name
    expect(w.text()).toContain('LED panel 600x600')
    expect(w.text()).toContain('2027-02-20')
    expect(w.text()).toContain('Alice Wang')
  })

  it('a handoff package without amounts shows its orders without an amount column', () => {
    const w = mount(HandoffPackageView, {
      ...setup('UTC', 'sam'),
      props: { pkg: { customer: { company: 'Kessler' }, quotes: [quote], orders: [order], outstanding_payments: [{ currency: 'USD', note: 'deposit' }], deal_closed: true } },
    })
    expect(w.findAll('[data-test=price-column]')).toHaveLength(0)
    expect(w.text()).not.toContain('undefined')
    expect(w.text()).toContain('deposit')
  })
})
