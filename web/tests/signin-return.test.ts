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
    vi.unstubAllGlobals()
    setToken(null)
  })

  it('keeps the page being opened when a 401 answers after the session check', async () => {
    setUnauthorizedHandler(backToSignIn)
    setToken('bs_expired')
    localStorage.setItem('baton.user', 'alice') // signed in here before: preferences are asked early
    const asked: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        asked.push(url)
        if (url.includes('/preferences')) await new Promise((r) => setTimeout(r, 30))
        return new Response(JSON.stringify(ended), { status: 401, headers: { 'Content-Type': 'application/json' } })
      }),
    )
    await router.push('/inbox').catch(() => undefined)
    await vi.waitFor(() => expect(asked).toContain('/users/alice/preferences'))
    await new Promise((r) => setTimeout(r, 100)) // the late 401 has answered and been handled
    expect(router.currentRoute.value.path).toBe('/signin')
    expect(router.currentRoute.value.query).toMatchObject({ next: '/inbox', reason: 'signed_out' })
  })
})
