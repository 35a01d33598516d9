import type { RouteRecordRaw } from 'vue-router'
import { Sunny } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/day',
    name: 'day',
    component: () => import('./views/DayView.vue'),
    meta: { titleKey: 'day.title', nav: { icon: Sunny, order: 10 } },
  },
]
export default routes
