import type { RouteRecordRaw } from 'vue-router'
import { Connection, DocumentChecked, Postcard, User, WarningFilled } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/admin/users',
    name: 'admin-users',
    component: () => import('./views/UsersView.vue'),
    meta: { titleKey: 'admin.users.title', roles: ['admin'], nav: { icon: User, order: 70 } },
  },
  {
    path: '/admin/salespeople',
    name: 'admin-salespeople',
    component: () => import('./views/SalespeopleView.vue'),
    meta: { titleKey: 'admin.salespeople.title', roles: ['manager', 'admin'], nav: { icon: Postcard, order: 72 } },
  },
  {
    path: '/admin/parked-events',
    name: 'admin-parked',
    component: () => import('./views/ParkedEventsView.vue'),
    meta: { titleKey: 'admin.parked.title', roles: ['admin'], nav: { icon: WarningFilled, order: 74 } },
  },
  {
    path: '/admin/plugins',
    name: 'admin-plugins',
    component: () => import('./views/PluginsView.vue'),
    meta: { titleKey: 'admin.plugins.title', roles: ['manager', 'admin'], nav: { icon: Connection, order: 76 } },
  },
  {
    path: '/admin/configuration',
    name: 'admin-configuration',
    component: () => import('./views/ConfigurationCheckView.vue'),
    meta: { titleKey: 'admin.configuration.title', roles: ['admin'], nav: { icon: DocumentChecked, order: 78 } },
  },
]
export default routes
