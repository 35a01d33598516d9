import { createApp } from 'vue'
import 'element-plus/theme-chalk/base.css'
// ElMessage / ElMessageBox are called from scripts, so their styles are imported here
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles.css'
import App from './App.vue'
import { backToSignIn, router } from './router'
import { i18n, currentLanguage } from './i18n'
import { setApiLanguage, setUnauthorizedHandler } from './api/client'

setApiLanguage(currentLanguage())
document.documentElement.lang = currentLanguage()

setUnauthorizedHandler(backToSignIn)

createApp(App).use(i18n).use(router).mount('#app')
