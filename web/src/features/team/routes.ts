import type { RouteRecordRaw } from 'vue-router'
import { Grid } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/team',
    name: 'team-board',
    component: () => import('./views/TeamBoardView.vue'),
    meta: { titleKey: 'team.title', roles: ['manager', 'admin'], nav: { icon: Grid, order: 55 } },
  },
]
export default routes
