import type { RouteRecordRaw } from 'vue-router'
import { Filter } from '@element-plus/icons-vue'

// Marketing's screening queue (初筛): the leads nobody owns yet, screened and handed to sales here.
const routes: RouteRecordRaw[] = [
  {
    path: '/screening',
    name: 'screening',
    component: () => import('./views/ScreeningView.vue'),
    meta: {
      titleKey: 'screening.title',
      allow: (me) => me.role === 'admin' || me.role === 'manager' || me.department === 'marketing',
      nav: { icon: Filter, order: 25 },
    },
  },
]
export default routes
