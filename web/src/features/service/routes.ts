import type { RouteRecordRaw } from 'vue-router'
import { Service } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/service',
    name: 'service',
    component: () => import('./views/ServiceView.vue'),
    meta: {
      titleKey: 'service.title',
      // the service department, and managers and admins
      allow: (me) => me.department === 'service' || me.role === 'manager' || me.role === 'admin',
      nav: { icon: Service, order: 20 },
    },
  },
]
export default routes
