// What the shell needs before the pages' chunks load (menu and page titles); the rest is messages.ts.
export default {
  en: {
    stalled: { title: 'Stalled allocations' },
    duplicates: { title: 'Possible duplicates' },
    leavers: { title: 'Leavers' },
    quality: { title: 'Quality audit' },
  },
  'zh-CN': {
    stalled: { title: '待分配客户' },
    duplicates: { title: '疑似重复客户' },
    leavers: { title: '离职交接' },
    quality: { title: '质量抽检' },
  },
}
