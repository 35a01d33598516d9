import type { RouteRecordRaw } from 'vue-router'
import { Files } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/pool',
    name: 'pool',
    component: () => import('./views/PoolView.vue'),
    meta: { titleKey: 'pool.title', nav: { icon: Files, order: 30 } },
  },
]
export default routes
