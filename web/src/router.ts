// Collects every feature's routes (src/features/*/routes.ts, each `export default RouteRecordRaw[]`).
// Routes with meta.public (sign-in) stand alone; all others render inside the shell (AppShell) and
// need a session. meta: { titleKey, roles?, departments?, nav?: { icon, order }, public? }.
import type { Component } from 'vue'
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { token } from '@/api/token'
import { clearOutage } from '@/api/status'
import type { User } from '@/api/types'
import { loadMe } from '@/composables/useSession'
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

router.beforeEach(async (to) => {
  clearOutage()
  if (to.matched.every((r) => r.meta.public)) return true
  if (!token.value) return { path: '/signin', query: { next: to.fullPath } }
  let me: User | null
  try {
    me = await loadMe()
  } catch {
    return true // the server is not answering: the page shows the banner
  }
  if (!me) return { path: '/signin', query: { next: to.fullPath } }
  if (!to.matched.every((r) => allowed(r, me))) return homeFor(me)
  return true
})

export function pageTitle(route: RouteLocationNormalized): string {
  const key = [...route.matched].reverse().find((r) => r.meta.titleKey)?.meta.titleKey
  const app = t('common.appName')
  return key ? `${t(key)} · ${app}` : app
}

router.afterEach((to) => {
  document.title = pageTitle(to)
})
