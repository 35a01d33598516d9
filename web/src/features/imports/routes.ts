import type { RouteRecordRaw } from 'vue-router'
import { Upload } from '@element-plus/icons-vue'

// File imports (Alibaba.com / Made-in-China exports, trade-show card lists): marketing and admins,
// who may send inquiries (POST /inquiries/batch).
const routes: RouteRecordRaw[] = [
  {
    path: '/imports',
    name: 'imports',
    component: () => import('./views/ImportView.vue'),
    meta: {
      titleKey: 'imports.title',
      allow: (me) => me.role === 'admin' || me.department === 'marketing',
      nav: { icon: Upload, order: 26 },
    },
  },
]
export default routes
