import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
// ElMessage / ElMessageBox are called from scripts, so their styles are imported here
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLanguage } from './i18n'
import { setApiLanguage, setUnauthorizedHandler } from './api/client'
import { forgetSession } from './composables/useSession'

setApiLanguage(currentLanguage())
document.documentElement.lang = currentLanguage()

// Any 401 (expired session, revoked token): back to sign-in, then to the same page.
setUnauthorizedHandler((reason) => {
  forgetSession()
  const here = router.currentRoute.value
  if (here.matched.some((r) => r.meta.public)) return
  void router.replace({ path: '/signin', query: { next: here.fullPath, ...(reason ? { reason } : {}) } })
})

createApp(App).use(i18n).use(router).mount('#app')
