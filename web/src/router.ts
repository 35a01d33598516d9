// Collects every feature's routes (src/features/*/routes.ts, each `export default RouteRecordRaw[]`).
// Routes with meta.public (sign-in) stand alone; all others render inside the shell (AppShell) and
// need a session. meta: { titleKey, roles?, departments?, nav?: { icon, order }, public? }.
import type { Component } from 'vue'
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { token } from '@/api/token'
import { clearOutage } from '@/api/status'
import { forgetEarly } from '@/api/early'
import type { User } from '@/api/types'
import { currentMe, forgetSession, loadMe } from '@/composables/useSession'
import { homeFor } from '@/home'
import { t } from '@/i18n'
import AppShell from '@/layout/AppShell.vue'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (document title, menu entry). */
    titleKey?: string
    /** Only these roles (admin, manager, member, integration) may open it. */
    roles?: string[]
    /** Only people of these departments (sales, marketing, service) may open it; admins always may. */
    departments?: string[]
    /** Instead of roles/departments: who may open it, when that is "this department or these roles". */
    allow?: (me: User) => boolean
    /** Shown in the side menu, sorted by order. */
    nav?: { icon: Component; order: number }
    /** No session needed, rendered without the shell (sign-in). */
    public?: boolean
    /** Sends the calls the page makes on opening (api/early.ts), while the session is checked and
     * the page's code downloads; the page takes them over. */
    early?: () => void
  }
}

const modules = import.meta.glob<{ default: RouteRecordRaw[] }>('./features/*/routes.ts', { eager: true })
export const featureRoutes: RouteRecordRaw[] = Object.values(modules).flatMap((m) => m.default)

export function allowed(route: Pick<RouteLocationNormalized, 'meta'> | RouteRecordRaw, me: User | null): boolean {
  const meta = route.meta ?? {}
  if (meta.public) return true
  if (!me) return false
  if (meta.allow) return meta.allow(me)
  if (meta.roles && !meta.roles.includes(me.role)) return false
  if (meta.departments && me.role !== 'admin' && !meta.departments.includes(me.department ?? '')) return false
  return true
}

const routes: RouteRecordRaw[] = [
  ...featureRoutes.filter((r) => r.meta?.public),
  {
    path: '/',
    component: AppShell,
    children: [
      {
        path: '',
        name: 'home',
        component: { render: () => null },
        beforeEnter: async () => homeFor(await loadMe().catch(() => null)),
      },
      ...featureRoutes.filter((r) => !r.meta?.public),
      {
        path: '/:pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/layout/NotFound.vue'),
        meta: { titleKey: 'common.pageNotFound' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

/** A lazily loaded page's code starts downloading now, while the session is checked, rather than
 * after (the router itself asks for it only once every guard has passed). */
function startLoading(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    for (const view of Object.values(record.components ?? {})) {
      const lazy = typeof view === 'function' && !('displayName' in view || 'props' in view || '__vccOpts' in view)
      if (lazy) (view as () => Promise<unknown>)()?.catch?.(() => undefined) // the router reports a failure itself
    }
  }
}

/** The page being opened while a navigation is under way (its guard checks the session). */
let arriving: RouteLocationNormalized | null = null
/** Why the server last ended the session (a 401's reason), shown on sign-in. */
let endedBecause: string | undefined

function signInFor(page: RouteLocationNormalized) {
  return { path: '/signin', query: { next: page.fullPath, ...(endedBecause ? { reason: endedBecause } : {}) } }
}

/** Any 401 (expired session, revoked token): back to sign-in, then to the same page. During a
 * navigation that is the page being opened, not the one left (on the first load that would be
 * the router's start, "/"): the session check and the remembered person's preferences are asked
 * together, and either may answer last. */
export function backToSignIn(reason: string | undefined): void {
  forgetSession()
  endedBecause = reason
  const here = arriving ?? router.currentRoute.value
  if (here.matched.some((r) => r.meta.public)) return
  void router.replace(signInFor(here))
}

router.beforeEach(async (to) => {
  arriving = to
  clearOutage()
  if (to.matched.every((r) => r.meta.public)) return true
  if (!token.value) {
    endedBecause = undefined
    return signInFor(to)
  }
  // the session's call first, then the page's own calls (a person known not to be let in sends
  // none), then the page's code
  const meLoading = loadMe()
  const known = currentMe()
  forgetEarly()
  if (!known || to.matched.every((r) => allowed(r, known))) to.matched.forEach((r) => r.meta.early?.())
  startLoading(to)
  let me: User | null
  try {
    me = await meLoading
  } catch {
    return true // the server is not answering: the page shows the banner
  }
  if (!me) return signInFor(to)
  if (!to.matched.every((r) => allowed(r, me))) return homeFor(me)
  return true
})

export function pageTitle(route: RouteLocationNormalized): string {
  const key = [...route.matched].reverse().find((r) => r.meta.titleKey)?.meta.titleKey
  const app = t('common.appName')
  return key ? `${t(key)} · ${app}` : app
}

router.afterEach((to) => {
  if (arriving === to) arriving = null
  document.title = pageTitle(to)
})
