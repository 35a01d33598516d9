import type { RouteRecordRaw } from 'vue-router'
import { CircleClose } from '@element-plus/icons-vue'

// The do-not-contact list (拒绝往来): marketing checks a company before contacting it.
const routes: RouteRecordRaw[] = [
  {
    path: '/do-not-contact',
    name: 'do-not-contact',
    component: () => import('./views/DoNotContactView.vue'),
    meta: {
      titleKey: 'do-not-contact.title',
      // GET /do-not-contact: marketing, managers and admins (contracts/pool.py DO_NOT_CONTACT_READERS)
      allow: (me) => me.role === 'admin' || me.role === 'manager' || me.department === 'marketing',
      nav: { icon: CircleClose, order: 27 },
    },
  },
]
export default routes
