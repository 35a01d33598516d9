// Calls sent early for a page (while the router checks the session and the page's code downloads)
// are taken over by the page once, only for the same path, query, language and session.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, setApiLanguage } from '@/api/client'
import { forgetEarly, sendEarly, takeEarly } from '@/api/early'
import { setToken } from '@/api/token'
import { flush, stubFetch } from './helpers'

describe('early calls', () => {
  afterEach(() => {
    forgetEarly()
    vi.unstubAllGlobals()
    setToken(null)
    setApiLanguage('en')
  })

  function sendOne(query: Record<string, string> = { by: 'country' }) {
    sendEarly('/reports/demand', query, () => api('GET', '/reports/demand', { query }))
  }

  it('are taken once, with the answer, for the same path and query', async () => {
    setToken('bt_test')
    const calls = stubFetch(() => ({ status: 200, body: { months: [] } }))
    sendOne()
    expect(takeEarly('/reports/demand', { by: 'region' })).toBeUndefined()
    expect(takeEarly('/reports/other', { by: 'country' })).toBeUndefined()
    await expect(takeEarly('/reports/demand', { by: 'country' })).resolves.toEqual({ months: [] })
    expect(takeEarly('/reports/demand', { by: 'country' })).toBeUndefined()
    expect(calls.map((c) => c.url)).toEqual(['/reports/demand?by=country'])
  })

  it('are not taken in another language, in another session, or after the next navigation', async () => {
    setToken('bt_test')
    stubFetch(() => ({ status: 200, body: {} }))
    sendOne()
    setApiLanguage('zh-CN')
    expect(takeEarly('/reports/demand', { by: 'country' })).toBeUndefined()
    setApiLanguage('en')
    setToken('bt_other')
    expect(takeEarly('/reports/demand', { by: 'country' })).toBeUndefined()
    setToken('bt_test')
    forgetEarly()
    expect(takeEarly('/reports/demand', { by: 'country' })).toBeUndefined()
  })

  it('follow the taker\'s abort signal, and hand a refusal to the taker', async () => {
    setToken('bt_test')
    stubFetch(() => ({ status: 403, body: { error: { code: 'forbidden', message: 'Managers only.' } } }))
    sendOne()
    const controller = new AbortController()
    const taken = takeEarly('/reports/demand', { by: 'country' }, controller.signal)!
    controller.abort()
    await expect(taken).rejects.toMatchObject({ name: 'AbortError' })
    sendOne()
    await flush()
    await expect(takeEarly('/reports/demand', { by: 'country' })).rejects.toMatchObject({ status: 403, message: 'Managers only.' })
  })
})
