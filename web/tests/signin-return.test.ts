// A session that has ended sends the person to sign-in with the page they asked for as `next`,
// also when a 401 arrives while the router is still taking them there (on the first page load
// the session check and the remembered person's preferences are asked together, and either may
// answer last).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setUnauthorizedHandler } from '@/api/client'
import { setToken } from '@/api/token'
import { backToSignIn, router } from '@/router'

const ended = { error: { code: 'unauthorized', message: 'Signed out.', details: { reason: 'signed_out' } } }

describe('back to sign-in', () => {
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('keeps the page being opened when a 401 answers after the session check', async () => {
    let handled = 0
    setUnauthorizedHandler((reason) => {
      backToSignIn(reason)
      handled += 1
    })
    const navigations: Promise<unknown>[] = [] // those a 401 starts, awaited before looking
    const replace = router.replace.bind(router)
    vi.spyOn(router, 'replace').mockImplementation((to) => {
      const navigation = replace(to)
      navigations.push(navigation)
      return navigation
    })
    setToken('bs_expired')
    localStorage.setItem('baton.user', 'alice') // signed in here before: preferences are asked early
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (url.includes('/preferences')) await new Promise((r) => setTimeout(r, 30))
        return new Response(JSON.stringify(ended), { status: 401, headers: { 'Content-Type': 'application/json' } })
      }),
    )
    await router.push('/inbox').catch(() => undefined)
    await vi.waitFor(() => expect(handled).toBe(2)) // the session check's 401, then the preferences'
    await Promise.all(navigations)
    expect(router.currentRoute.value.path).toBe('/signin')
    expect(router.currentRoute.value.query).toMatchObject({ next: '/inbox', reason: 'signed_out' })
  })
})
