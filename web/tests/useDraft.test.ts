import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import { useDraft } from '@/composables/useDraft'

describe('useDraft', () => {
  it('keeps the text in localStorage as it is typed', () => {
    const d = useDraft('contact:c1:summary')
    expect(d.text.value).toBe('')
    expect(d.restored.value).toBe(false)
    d.text.value = 'Phone call, asked for a quote'
    expect(localStorage.getItem('baton.draft.contact:c1:summary')).toBe('Phone call, asked for a quote')
  })

  it('restores an unsaved draft and says so', () => {
    localStorage.setItem('baton.draft.contact:c2:summary', '【特殊】110V only')
    const d = useDraft('contact:c2:summary')
    expect(d.text.value).toBe('【特殊】110V only')
    expect(d.restored.value).toBe(true)
  })

  it('clear() forgets the draft once saved', () => {
    const d = useDraft('k')
    d.text.value = 'something'
    d.clear()
    expect(d.text.value).toBe('')
    expect(localStorage.getItem('baton.draft.k')).toBeNull()
    expect(useDraft('k').text.value).toBe('')
  })

  it('follows a changing key (another customer) without mixing drafts', async () => {
    localStorage.setItem('baton.draft.contact:b', 'draft for b')
    const key = ref('contact:a')
    const d = useDraft(key)
    d.text.value = 'draft for a'
    key.value = 'contact:b'
    await nextTick()
    expect(d.text.value).toBe('draft for b')
    expect(localStorage.getItem('baton.draft.contact:a')).toBe('draft for a')
    d.text.value = 'draft for b, longer'
    expect(localStorage.getItem('baton.draft.contact:b')).toBe('draft for b, longer')
    expect(localStorage.getItem('baton.draft.contact:a')).toBe('draft for a')
  })
})
