import type { RouteRecordRaw } from 'vue-router'
import { DataAnalysis } from '@element-plus/icons-vue'
import { sendDashboardCalls } from './api'
import { loadReportChart } from './components/chart'

// Lazy: the page and ECharts (its charts' chunk, components/chart.ts) are never in the first page's bundle.
const routes: RouteRecordRaw[] = [
  {
    path: '/dashboards',
    name: 'dashboards',
    component: () => import('./views/DashboardView.vue'),
    meta: {
      titleKey: 'reports.title',
      roles: ['manager', 'admin'],
      nav: { icon: DataAnalysis, order: 60 },
      // the reports and the charts' code (ECharts) are asked for while the page's own code downloads
      early: () => {
        sendDashboardCalls()
        loadReportChart().catch(() => undefined) // the page shows a failed download
      },
    },
  },
]
export default routes
