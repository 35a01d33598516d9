import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ChecklistView from '../ChecklistView.vue'
import { normaliseItems } from '@/features/handoffs/api'
import { setup } from './helpers'

const items = [
  { name: 'communications_continuous', passed: true, reason: '3 records from 2026-12-01 to 2026-12-04' },
  { name: 'deal_status_updated', passed: false, reason: "The deal status is not updated (stage 'sample')" },
  { name: 'needs_and_pain_points', passed: false, reason: 'Give the pain points (pain_points).' },
]

describe('ChecklistView', () => {
  it('renders every item with pass or fail and the reason', () => {
    const w = mount(ChecklistView, { ...setup(), props: { items, labels: { deal_status_updated: 'Deal status updated' } } })
    const rows = w.findAll('li')
    expect(rows).toHaveLength(3)
    expect(rows[0].classes()).toContain('passed')
    expect(rows[1].classes()).toContain('failed')
    expect(rows[2].classes()).toContain('failed')
    expect(rows[0].text()).toContain('3 records from 2026-12-01 to 2026-12-04')
    expect(rows[1].text()).toContain('Deal status updated')
    expect(rows[1].text()).toContain("The deal status is not updated (stage 'sample')")
    // an item without a label keeps its own name
    expect(rows[2].text()).toContain('needs_and_pain_points')
    expect(w.text()).toContain('2 items missing')
  })

  it('shows a refusal\'s items right even when the server sends "True"/"False" strings', () => {
    const refused = normaliseItems([
      { name: 'a', passed: 'True', reason: 'ok' },
      { name: 'b', passed: 'False', reason: 'missing b' },
    ])
    const w = mount(ChecklistView, { ...setup(), props: { items: refused } })
    const rows = w.findAll('li')
    expect(rows[0].classes()).toContain('passed')
    expect(rows[1].classes()).toContain('failed')
    expect(rows[1].text()).toContain('missing b')
  })

  it('says so when every item passed', () => {
    const w = mount(ChecklistView, { ...setup(), props: { items: [items[0]] } })
    expect(w.text()).toContain('Every item passed')
  })
})
