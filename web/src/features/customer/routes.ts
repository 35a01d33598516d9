import type { RouteRecordRaw } from 'vue-router'

const routes: RouteRecordRaw[] = [
  {
    path: '/c/:id',
    name: 'customer',
    component: () => import('./views/CustomerView.vue'),
    meta: { titleKey: 'customer.title' },
  },
]
export default routes
