import type { RouteRecordRaw } from 'vue-router'
import { Checked, CopyDocument, Switch, Timer } from '@element-plus/icons-vue'

// The manager's decisions: stalled allocations, possible duplicates, a leaver's customers, the
// weekly quality audit. Paths are the console's own (none is an API path).
const MANAGERS = ['manager', 'admin']
const routes: RouteRecordRaw[] = [
  {
    path: '/stalled',
    name: 'stalled',
    component: () => import('./views/StalledView.vue'),
    meta: { titleKey: 'decisions.stalled.title', roles: MANAGERS, nav: { icon: Timer, order: 56 } },
  },
  {
    path: '/duplicates',
    name: 'duplicate-pairs',
    component: () => import('./views/DuplicatePairsView.vue'),
    meta: { titleKey: 'decisions.duplicates.title', roles: MANAGERS, nav: { icon: CopyDocument, order: 56.5 } },
  },
  {
    path: '/duplicates/:id',
    name: 'duplicates',
    component: () => import('./views/DuplicatesView.vue'),
    meta: { titleKey: 'decisions.duplicates.title', roles: MANAGERS },
  },
  {
    path: '/leavers',
    name: 'leavers',
    component: () => import('./views/LeaversView.vue'),
    meta: { titleKey: 'decisions.leavers.title', roles: MANAGERS, nav: { icon: Switch, order: 57 } },
  },
  {
    path: '/quality',
    name: 'quality',
    component: () => import('./views/QualityView.vue'),
    meta: { titleKey: 'decisions.quality.title', roles: MANAGERS, nav: { icon: Checked, order: 62 } },
  },
]
export default routes
