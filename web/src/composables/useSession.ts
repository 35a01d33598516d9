// Who is signed in. The token lives in localStorage (src/api/token.ts); `me` comes from
// POST /sessions or GET /me; the time zone from GET /users/<me>/preferences.
import { computed, reactive } from 'vue'
import { api, ApiError, setApiLanguage } from '@/api/client'
import { setToken, token } from '@/api/token'
import type { Preferences, SessionAnswer, User } from '@/api/types'
import { applyLanguage, currentLanguage, languageFrom, type Language } from '@/i18n'

interface SessionState {
  me: User | null
  timeZone: string | null
  loading: Promise<User | null> | null
}

const state = reactive<SessionState>({ me: null, timeZone: null, loading: null })

// Who signed in last in this browser: on a reload the time zone is asked beside GET /me rather
// than after it (one round trip less before the first page is drawn).
const USER_KEY = 'baton.user'

function rememberedUserId(): string | null {
  try {
    return localStorage.getItem(USER_KEY)
  } catch {
    return null
  }
}

function rememberUser(userId: string | null): void {
  try {
    if (userId) localStorage.setItem(USER_KEY, userId)
    else localStorage.removeItem(USER_KEY)
  } catch {
    /* storage unavailable (private mode): the zone is asked after /me */
  }
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

/** The person's saved time zone; null: the browser's is used. */
async function savedTimeZone(userId: string): Promise<string | null> {
  try {
    const prefs = await api<Preferences>('GET', `/users/${encodeURIComponent(userId)}/preferences`)
    return prefs.time_zone || null
  } catch {
    return null
  }
}

async function loadPreferences(userId: string): Promise<void> {
  state.timeZone = await savedTimeZone(userId)
}

function adopt(user: User): void {
  state.me = user
  rememberUser(user.id)
  const lang = languageFrom(user.language ?? null)
  if (lang) {
    applyLanguage(lang)
    setApiLanguage(lang)
  }
}

/** Who is signed in, when already known (no call). */
export function currentMe(): User | null {
  return state.me
}

/** GET /me (once per page load, or again with force). null when not signed in. */
export function loadMe(force = false): Promise<User | null> {
  if (!token.value) return Promise.resolve(null)
  if (state.me && !force) return Promise.resolve(state.me)
  if (state.loading && !force) return state.loading
  state.loading = (async () => {
    try {
      const guess = rememberedUserId()
      const guessed = guess ? savedTimeZone(guess) : null
      const user = await api<User>('GET', '/me')
      adopt(user)
      state.timeZone = guessed && guess === user.id ? await guessed : await savedTimeZone(user.id)
      return user
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null
      throw e
    } finally {
      state.loading = null
    }
  })()
  return state.loading
}

/** POST /sessions. Throws ApiError (401 wrong id/password, 429 too many attempts…). */
export async function signIn(userId: string, password: string): Promise<User> {
  const answer = await api<SessionAnswer>('POST', '/sessions', {
    body: { user_id: userId, password },
    redirectOn401: false,
  })
  setToken(answer.token)
  adopt(answer.user)
  // /me carries the saved language even if the session answer does not
  await loadMe(true).catch(() => null)
  if (!state.timeZone) await loadPreferences(answer.user.id)
  return state.me ?? answer.user
}

/** Forget the session here; tell the server (DELETE /sessions/current) when we still can. */
export async function signOut(): Promise<void> {
  if (token.value) {
    await api('DELETE', '/sessions/current', { redirectOn401: false }).catch(() => undefined)
  }
  forgetSession()
}

/** Local part of signing out (also used when the server answers 401). */
export function forgetSession(): void {
  setToken(null)
  rememberUser(null)
  state.me = null
  state.timeZone = null
}

/** Switch language; when signed in, keep the choice on the server (PATCH /me {"language"}). */
export async function setLanguage(lang: Language): Promise<void> {
  applyLanguage(lang)
  setApiLanguage(lang)
  if (state.me && token.value) {
    try {
      const user = await api<User>('PATCH', '/me', { body: { language: lang } })
      if (user && typeof user === 'object' && 'id' in user) state.me = { ...state.me, ...user, language: lang }
      else state.me = { ...state.me, language: lang }
    } catch (e) {
      // kept in this browser anyway; the server may not know PATCH /me yet
      if (!(e instanceof ApiError) || e.status >= 500) throw e
    }
  }
}

/** PUT /users/<me>/preferences {"time_zone"}. */
export async function setTimeZone(timeZone: string): Promise<void> {
  if (!state.me) return
  const prefs = await api<Preferences>('PUT', `/users/${encodeURIComponent(state.me.id)}/preferences`, {
    body: { time_zone: timeZone },
  })
  state.timeZone = prefs?.time_zone ?? timeZone
}

export function useSession() {
  const me = computed(() => state.me)
  const userId = computed(() => state.me?.id ?? '')
  const signedIn = computed(() => !!token.value)
  const timeZone = computed(() => state.timeZone ?? browserTimeZone())
  const language = computed(() => currentLanguage())
  const hasRole = (...roles: string[]) => !!state.me && roles.includes(state.me.role)
  const inDepartment = (...departments: string[]) => !!state.me?.department && departments.includes(state.me.department)
  return {
    me,
    userId,
    signedIn,
    timeZone,
    language,
    hasRole,
    inDepartment,
    loadMe,
    signIn,
    signOut,
    setLanguage,
    setTimeZone,
  }
}

/** For tests: put the session in a known state. */
export function _setSessionForTests(me: User | null, timeZone: string | null = null): void {
  state.me = me
  state.timeZone = timeZone
}
