// What the shell needs before the dashboards' chunk loads (the menu title); the rest is messages.ts.
export default {
  en: { title: 'Dashboards' },
  'zh-CN': { title: '数据看板' },
}
