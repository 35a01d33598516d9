// What the shell needs before the admin pages' chunk loads (menu titles); the rest is messages.ts.
export default {
  en: { users: { title: 'Users' }, salespeople: { title: 'Salespeople' }, parked: { title: 'Parked events' }, plugins: { title: 'Plugins' }, configuration: { title: 'Configuration check' } },
  'zh-CN': { users: { title: '用户' }, salespeople: { title: '业务员' }, parked: { title: '搁置的事件' }, plugins: { title: '插件' }, configuration: { title: '配置检查' } },
}
