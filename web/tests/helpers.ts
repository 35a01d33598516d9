// Shared test helpers: a fetch stub answering like the gateway, and mount options with the real
// i18n and a memory router.
import { vi } from 'vitest'
import { createRouter, createMemoryHistory } from 'vue-router'
import { i18n, applyLanguage } from '@/i18n'

export interface StubCall {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

export function stubFetch(answer: (call: StubCall) => { status: number; body?: unknown; text?: string }) {
  const calls: StubCall[] = []
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const call: StubCall = {
      method: init.method ?? 'GET',
      url,
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    }
    calls.push(call)
    const a = answer(call)
    const text = a.text ?? (a.body === undefined ? '' : JSON.stringify(a.body))
    return new Response(a.status === 204 ? null : text, { status: a.status, headers: { 'Content-Type': 'application/json' } })
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

export function testRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:p(.*)*', component: { render: () => null } }],
  })
}

export function mountOptions(lang: 'en' | 'zh-CN' = 'en') {
  applyLanguage(lang)
  return { global: { plugins: [i18n, testRouter()] } }
}

export const flush = () => new Promise((r) => setTimeout(r, 0))

import type { User } from '@/api/types'
export function testUser(over: Partial<User> = {}): User {
  return { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true, created_at: '', ...over } as User
}
