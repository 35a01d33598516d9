import type { RouteRecordRaw } from 'vue-router'
import { Setting } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./views/SettingsView.vue'),
    meta: { titleKey: 'settings.title', nav: { icon: Setting, order: 90 } },
  },
]
export default routes
