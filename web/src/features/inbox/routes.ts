import type { RouteRecordRaw } from 'vue-router'
import { Message } from '@element-plus/icons-vue'

const routes: RouteRecordRaw[] = [
  {
    path: '/inbox',
    name: 'inbox',
    component: () => import('./views/InboxView.vue'),
    meta: { titleKey: 'inbox.title', nav: { icon: Message, order: 80 } },
  },
]
export default routes
