// Managers' dashboards: every report of the API as a chart and as a table with names (people,
// countries, channels) in the person's language, and the server's export downloaded on demand.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { setToken } from '@/api/token'
import { filenameOf } from '@/api/download'
import { _setSessionForTests } from '@/composables/useSession'
import { _setPeopleForTests } from '@/composables/usePeople'
import { applyLanguage, i18n, t } from '@/i18n'
import DashboardView from '@/features/reports/views/DashboardView.vue'
import { loadReportChart } from '@/features/reports/components/chart'
import { sendDashboardCalls } from '@/features/reports/api'
import { funnelView, reportView, type Words } from '@/features/reports/figures'
import { flush, mountOptions, stubFetch, testUser } from './helpers'

// jsdom has no canvas: ECharts measures label text through one; an estimate is enough here.
HTMLCanvasElement.prototype.getContext = (() => ({ font: '', measureText: (s: string) => ({ width: s.length * 7 }) })) as never
// jsdom cannot navigate: the download link's click is recorded instead
const clicked: string[] = []
HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
  clicked.push(this.download)
}

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'bob', name: 'Bob Li', role: 'member', department: 'sales', team: 'default', active: true },
]
const mom = (n: number, prev: number) => ({ inquiries: n, previous: prev, change: n - prev, change_pct: prev ? Math.round(((n - prev) / prev) * 1000) / 10 : null })
const INQUIRIES = {
  from: '2026-10', to: '2026-11', by: 'country',
  months: [
    { month: '2026-10', ...mom(3, 0), places: [{ place: 'DE', name: 'Germany', region: 'EU', ...mom(2, 0) }, { place: 'US', name: 'United States', region: 'North America', ...mom(1, 0) }] },
    { month: '2026-11', ...mom(5, 3), places: [{ place: 'DE', name: 'Germany', region: 'EU', ...mom(4, 2) }, { place: null, name: null, region: null, ...mom(1, 0) }] },
  ],
}
const DURATION = { count: 1, mean: 5, median: 5, max: 5 }
const ANSWERS: Record<string, unknown> = {
  '/reports/inquiries': INQUIRIES,
  '/reports/demand': {
    from: '2026-10', to: '2026-11', by: 'region', customers: 10,
    products: [{ product: 'X-200', inquiries: 4, customers: 3 }],
    needs: [{ need: 'CE', customers: 8, share_pct: 80 }],
    places: [{ place: 'EU', name: null, customers: 10, needs: [{ need: 'CE', customers: 8, share_pct: 80 }] }],
  },
  '/reports/follow-up': {
    from: '2026-10', to: '2026-11', overall: { samples: 3, average_days: 4, median_days: 4, waiting: 1 },
    people: [{ salesperson: 'alice', samples: 2, average_days: 3, median_days: 3, waiting: 1 }, { salesperson: 'bob', samples: 1, average_days: 6, median_days: 6, waiting: 0 }],
  },
  '/reports/conversion': {
    from: '2026-10', to: '2026-11', total: { opened: 8, converted: 2, rate_pct: 25 },
    channels: [{ channel: 'trade_show', opened: 8, converted: 2, rate_pct: 25, campaigns: [{ campaign: 'Canton Fair', opened: 8, converted: 2, rate_pct: 25 }] }],
  },
  '/reports/handoffs': {
    from: '2026-10', to: '2026-11', since: '2026-10-01T00:00:00Z', until: '2026-12-01T00:00:00Z', kind: null,
    handoffs: 2, accepted: 1, returned: 1, return_rate: 50, refused: 0, info_pending: 0, overdue: [], info_completed_late: 0,
    people: [{ name: 'alice', department: 'sales', sent: 2, returned: 1, return_rate: 50, refused: 0, ready_to_submit_hours: DURATION, received: 0, signed: 0, returns_made: 0, submit_to_sign_hours: DURATION }],
    departments: [], kinds: [], missing_items: [],
  },
  '/reports/lost-reasons': {
    from: '2026-10', to: '2026-11',
    lost: { from: '2026-10', to: '2026-11', total: 2, reasons: [{ stage: 'lost', reason: 'price too high', count: 2 }] },
    rejected_in_pool: { from: '2026-10', to: '2026-11', total: 1, reasons: [{ reason: 'asked us never to call', count: 1 }] },
  },
}

const STAGE_TOTALS: Record<string, number> = { new_contact: 12, inquiry: 8, quoted: 4, sample: 2, negotiation: 1, customer: 3, lost: 1 }

function words(lang: 'en' | 'zh-CN'): Words {
  applyLanguage(lang)
  const global = i18n.global as unknown as { te: (key: string) => boolean }
  return {
    t,
    te: (k) => global.te(k),
    country: (code) => (code ? new Intl.DisplayNames([lang], { type: 'region' }).of(code) ?? code : ''),
    nameOf: (id) => PEOPLE.find((p) => p.id === id)?.name ?? id ?? '',
  }
}

describe('report figures', () => {
  it('inquiries: every place in the table by country name, the busiest places drawn', () => {
    mountOptions('zh-CN')
    const view = reportView('inquiries', INQUIRIES as never, words('zh-CN'))
    expect(view.rows.map((r) => [r.month, r.place, r.inquiries, r.change_pct])).toEqual([
      ['2026-10', '全部地区', 3, null], ['2026-10', '德国', 2, null], ['2026-10', '美国', 1, null],
      ['2026-11', '全部地区', 5, 66.7], ['2026-11', '德国', 4, 100], ['2026-11', '未知国家', 1, null],
    ])
    const series = (view.option as { series: { name: string; data: number[] }[] }).series
    expect(series.map((s) => s.name)).toEqual(['全部地区', '德国', '美国', '未知国家'])
    expect(series[1].data).toEqual([2, 4])
  })

  it('people by name and channels in words; nothing to draw when nothing happened', () => {
    mountOptions('en')
    const w = words('en')
    const followUp = reportView('follow-up', ANSWERS['/reports/follow-up'] as never, w)
    expect(followUp.rows.map((r) => r.person)).toEqual(['Alice Wang', 'Bob Li', 'Everyone'])
    const conversion = reportView('conversion', ANSWERS['/reports/conversion'] as never, w)
    expect(conversion.rows[0]).toMatchObject({ channel: 'Trade show', campaign: 'All campaigns', opened: 8, rate_pct: 25 })
    expect(conversion.rows[1].campaign).toBe('Canton Fair')
    const empty = reportView('inquiries', { ...INQUIRIES, months: [{ month: '2026-11', ...mom(0, 0), places: [] }] } as never, w)
    expect(empty.option).toBeNull()
    const lost = reportView('lost-reasons', ANSWERS['/reports/lost-reasons'] as never, w)
    expect(lost.rows).toEqual([
      { where: 'Lost', reason: 'price too high', count: 2 },
      { where: 'Rejected in the pool', reason: 'asked us never to call', count: 1 },
    ])
  })

  it('regions keep their configured name where no translation is known', () => {
    mountOptions('zh-CN')
    const view = reportView('demand', ANSWERS['/reports/demand'] as never, words('zh-CN'))
    expect(view.rows.map((r) => r.place)).toEqual(['全部地区', '欧盟', '产品'])
    const other = reportView('demand', { ...(ANSWERS['/reports/demand'] as object), places: [{ place: 'Mars Colonies', name: null, customers: 1, needs: [] }] } as never, words('zh-CN'))
    expect(other.rows.some((r) => r.place === 'Mars Colonies')).toBe(false)   // no needs: no rows
    expect((other.option as { series: { name: string }[] }).series.map((s) => s.name)).toContain('Mars Colonies')
  })
})

describe('funnel by stage', () => {
  const counts = { total: 31, stages: { new_contact: 12, inquiry: 8, quoted: 4, sample: 2, negotiation: 1, customer: 3, lost: 1, invalid: 0, rejected: 0, dormant: 0 } }

  it('draws the stages in their order with the totals the routes gave, the side stages only in the table', () => {
    mountOptions('en')
    const view = funnelView(counts, words('en'))
    const option = view.option as { yAxis: { data: string[] }; series: { type: string; data: number[] }[] }
    expect(option.series[0].type).toBe('bar')
    // a category axis draws its first entry at the bottom: the stages reversed put the first on top
    expect(option.yAxis.data).toEqual(['Customer', 'Negotiation', 'Sample', 'Quoted', 'Inquiry', 'New contact'])
    expect(option.series[0].data).toEqual([3, 1, 2, 4, 8, 12])
    expect(view.rows.map((r) => [r.stage, r.customers])).toEqual([
      ['New contact', 12], ['Inquiry', 8], ['Quoted', 4], ['Sample', 2], ['Negotiation', 1], ['Customer', 3],
      ['Lost', 1], ['Invalid', 0], ['Rejected', 0], ['Dormant', 0], ['All customers you see', 31],
    ])
  })

  it('speaks Chinese, and draws nothing when no customer is in the funnel', () => {
    mountOptions('zh-CN')
    const view = funnelView(counts, words('zh-CN'))
    expect(view.columns.map((c) => c.label)).toEqual(['阶段', '客户数'])
    expect(view.rows[0].stage).toBe('初步接触')
    const none = funnelView({ total: 1, stages: { ...counts.stages, new_contact: 0, inquiry: 0, quoted: 0, sample: 0, negotiation: 0, customer: 0 } }, words('zh-CN'))
    expect(none.option).toBeNull()
    expect(none.rows.at(-1)).toEqual({ stage: '你可见的全部客户', customers: 1 })
  })
})

describe('DashboardView', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    setToken(null)
  })

  function mountDashboard(lang: 'en' | 'zh-CN' = 'en', answer?: (url: string) => { status: number; body?: unknown } | null) {
    setToken('bt_test')
    _setSessionForTests(testUser({ id: 'meier', name: 'Klaus Meier', role: 'manager' }), 'Asia/Shanghai')
    _setPeopleForTests(PEOPLE)
    const calls = stubFetch((call) => {
      const special = answer?.(call.url)
      if (special) return special
      const path = call.url.split('?')[0]
      if (path === '/people') return { status: 200, body: { items: PEOPLE } }
      if (path === '/customers/stages') return { status: 200, body: { total: 31, stages: STAGE_TOTALS } }
      return { status: 200, body: ANSWERS[path] }
    })
    return { calls, w: mount(DashboardView, { ...mountOptions(lang), attachTo: document.body }) }
  }

  it('asks every report once for the period and place kind, shows each with its table a click away', async () => {
    const { calls, w } = mountDashboard('en')
    for (let i = 0; i < 5; i++) await flush()
    const reports = calls.filter((c) => c.url.startsWith('/reports/')).map((c) => c.url)
    expect(reports.sort()).toEqual([
      '/reports/conversion', '/reports/demand?by=country', '/reports/follow-up', '/reports/handoffs',
      '/reports/inquiries?by=country', '/reports/lost-reasons',
    ])
    expect(w.text()).toContain('2026-10 to 2026-11')
    // the funnel by stage: every stage's total and every customer's, in one call
    const totals = calls.filter((c) => c.url.startsWith('/customers')).map((c) => c.url)
    expect(totals).toEqual(['/customers/stages'])
    // the charts' code is a chunk of its own, asked for as the page was set up
    await loadReportChart()
    for (let i = 0; i < 3; i++) await flush()
    expect(w.findAll('[data-test=report-chart]').length).toBe(7)
    expect(w.find('[data-test=report-funnel]').text()).toContain('Funnel by stage')
    expect(w.find('[data-test=export-csv-funnel]').exists()).toBe(false)   // nothing the server writes for it
    await w.find('[data-test=show-table-follow-up] input').setValue(true)
    await flush()
    const table = w.find('[data-test=report-table-follow-up]')
    expect(table.text()).toContain('Alice Wang')
    expect(table.text()).not.toMatch(/\balice\b/)
    w.unmount()
  })

  it('takes over the calls the router sent before the page was set up, sending none twice', async () => {
    setToken('bt_test')
    const early = stubFetch((call) => {
      const path = call.url.split('?')[0]
      return { status: 200, body: path === '/customers/stages' ? { total: 31, stages: STAGE_TOTALS } : ANSWERS[path] }
    })
    sendDashboardCalls()
    expect(early.length).toBe(7)
    const { calls, w } = mountDashboard('en')
    for (let i = 0; i < 5; i++) await flush()
    expect(calls.filter((c) => c.url.startsWith('/reports/') || c.url.startsWith('/customers'))).toEqual([])
    expect(w.text()).toContain('2026-10 to 2026-11')   // the early answers, shown
    await loadReportChart()
    for (let i = 0; i < 3; i++) await flush()
    expect(w.findAll('[data-test=report-chart]').length).toBe(7)   // the funnel's too
    w.unmount()
  })

  it('a period the server refuses shows its reason beside the months', async () => {
    const refusal = { error: { code: 'invalid_input', message: 'The query is not valid: see the field errors.', details: { fields: { from: ['After \'to\' (2026-01).'] } } } }
    const { w } = mountDashboard('en', (url) => (url.startsWith('/reports/') ? { status: 400, body: refusal } : null))
    for (let i = 0; i < 5; i++) await flush()
    expect(w.find('.period .field-error').text()).toBe('After \'to\' (2026-01).')
    w.unmount()
  })

  it('an export asks the server for the file in that format', async () => {
    const { calls, w } = mountDashboard('zh-CN', (url) => (url.includes('format=') ? { status: 200, body: 'x' } : null))
    const created = vi.fn(() => 'blob:x')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: created, revokeObjectURL: () => undefined }))
    for (let i = 0; i < 5; i++) await flush()
    await w.find('[data-test=export-xlsx-inquiries]').trigger('click')
    for (let i = 0; i < 5; i++) await flush()
    expect(calls.some((c) => c.url === '/reports/inquiries?by=country&format=xlsx')).toBe(true)
    expect(created).toHaveBeenCalled()
    expect(clicked).toContain('inquiries.xlsx')   // the stub gave no Content-Disposition: the fallback name
    w.unmount()
  })
})

describe('download', () => {
  it('takes the name the server gave', () => {
    expect(filenameOf('attachment; filename="inquiries-2026-10-2026-11.csv"', 'x.csv')).toBe('inquiries-2026-10-2026-11.csv')
    expect(filenameOf(null, 'x.csv')).toBe('x.csv')
  })
})
