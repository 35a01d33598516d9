// The menu title; the page's words are in messages.ts (loaded with the page).
export default {
  en: { title: 'Team board' },
  'zh-CN': { title: '团队看板' },
}
