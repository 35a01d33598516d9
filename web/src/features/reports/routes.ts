import type { RouteRecordRaw } from 'vue-router'
import { DataAnalysis } from '@element-plus/icons-vue'

// Lazy: ECharts is in this chunk only, never in the first page's bundle.
const routes: RouteRecordRaw[] = [
  {
    path: '/dashboards',
    name: 'dashboards',
    component: () => import('./views/DashboardView.vue'),
    meta: { titleKey: 'reports.title', roles: ['manager', 'admin'], nav: { icon: DataAnalysis, order: 60 } },
  },
]
export default routes
