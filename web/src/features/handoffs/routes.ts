import type { RouteRecordRaw } from 'vue-router'
import { Switch } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/handoffs',
    name: 'handoffs',
    component: () => import('./views/HandoffsView.vue'),
    meta: { titleKey: 'handoffs.title', nav: { icon: Switch, order: 40 } },
  },
  {
    path: '/handoffs/:id',
    name: 'handoff',
    component: () => import('./views/HandoffDetailView.vue'),
    meta: { titleKey: 'handoffs.detailTitle' },
  },
  {
    path: '/c/:id/handoff',
    name: 'new-handoff',
    component: () => import('./views/NewHandoffView.vue'),
    meta: { titleKey: 'handoffs.newTitle' },
  },
]
export default routes
