// Each report's answer as what the dashboard shows: an ECharts option and the same numbers as a
// table. Display only: every figure is the API's; nothing is computed but the order of series.
import type { EChartsCoreOption } from 'echarts/core'
import type {
  ConversionReport, DemandReport, FollowUpReport, HandoffsReport, InquiriesReport, LostReasonsReport, ReportAnswers,
  ReportName, StageCounts,
} from './api'
import { FUNNEL_STAGES, OFF_FUNNEL_STAGES } from './api'

export interface Column {
  key: string
  label: string
  numeric?: boolean
}
export type Cell = string | number | null
export interface ReportView {
  option: EChartsCoreOption | null // null: nothing to draw for this period
  columns: Column[]
  rows: Record<string, Cell>[]
}

export interface Words {
  t: (key: string, named?: Record<string, unknown>) => string
  te: (key: string) => boolean
  country: (code: string | null | undefined) => string
  nameOf: (id: string | null | undefined) => string
}

/** Places drawn as their own series; the table lists every place. */
export const CHART_PLACES = 6

const pct = (v: number | null | undefined): Cell => (v === null || v === undefined ? null : v)

function placeLabel(w: Words, by: string, place: string | null | undefined, name?: string | null): string {
  if (!place) return w.t('reports.unknownPlace')
  if (by === 'country') return w.country(place) || name || place
  return w.te(`reports.region.${place}`) ? w.t(`reports.region.${place}`) : place
}

export function channelLabel(w: Words, channel: string): string {
  return w.te(`reports.channel.${channel}`) ? w.t(`reports.channel.${channel}`) : channel
}

// ECharts 6 keeps axis labels inside the chart by itself (grid.outerBoundsMode 'auto')
const GRID = { left: 8, right: 16, top: 40, bottom: 8 }
// ECharts 6 puts the legend at the bottom by default, over the axis labels: keep it on top
const LEGEND = { type: 'scroll', top: 0 }

function inquiries(r: InquiriesReport, w: Words): ReportView {
  const months = r.months.map((m) => m.month)
  const totals = new Map<string, number>()
  for (const m of r.months) for (const p of m.places) totals.set(p.place ?? '', (totals.get(p.place ?? '') ?? 0) + p.inquiries)
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, CHART_PLACES).map(([place]) => place)
  const names = new Map(r.months.flatMap((m) => m.places.map((p) => [p.place ?? '', p.name] as const)))
  const series = [
    { type: 'bar', name: w.t('reports.allPlaces'), data: r.months.map((m) => m.inquiries), itemStyle: { opacity: 0.35 } },
    ...top.map((place) => ({
      type: 'line',
      name: placeLabel(w, r.by, place, names.get(place)),
      data: r.months.map((m) => m.places.find((p) => (p.place ?? '') === place)?.inquiries ?? 0),
    })),
  ]
  const rows: Record<string, Cell>[] = []
  for (const m of r.months) {
    rows.push({ month: m.month, place: w.t('reports.allPlaces'), inquiries: m.inquiries, previous: m.previous, change: m.change, change_pct: pct(m.change_pct) })
    for (const p of m.places)
      rows.push({ month: m.month, place: placeLabel(w, r.by, p.place, p.name), inquiries: p.inquiries, previous: p.previous, change: p.change, change_pct: pct(p.change_pct) })
  }
  return {
    option: r.months.some((m) => m.inquiries || m.previous) ? {
      tooltip: { trigger: 'axis' }, legend: LEGEND, grid: GRID,
      xAxis: { type: 'category', data: months }, yAxis: { type: 'value', minInterval: 1 }, series,
    } : null,
    columns: [
      { key: 'month', label: w.t('reports.col.month') },
      { key: 'place', label: w.t(`reports.by.${r.by}`) },
      { key: 'inquiries', label: w.t('reports.col.inquiries'), numeric: true },
      { key: 'previous', label: w.t('reports.col.previous'), numeric: true },
      { key: 'change', label: w.t('reports.col.change'), numeric: true },
      { key: 'change_pct', label: w.t('reports.col.changePct'), numeric: true },
    ],
    rows,
  }
}

function demand(r: DemandReport, w: Words): ReportView {
  const needs = r.needs.map((n) => n.need)
  const places = [...r.places].sort((a, b) => b.customers - a.customers).slice(0, CHART_PLACES)
  const share = (list: { need: string; share_pct?: number | null }[], need: string) =>
    list.find((n) => n.need === need)?.share_pct ?? 0
  const series = [
    { type: 'bar', name: w.t('reports.allPlaces'), data: needs.map((n) => share(r.needs, n)) },
    ...places.map((p) => ({ type: 'bar', name: placeLabel(w, r.by, p.place, p.name), data: needs.map((n) => share(p.needs, n)) })),
  ]
  const rows: Record<string, Cell>[] = r.needs.map((n) => ({
    place: w.t('reports.allPlaces'), customers: r.customers, need: n.need, asking: n.customers, share_pct: pct(n.share_pct),
  }))
  for (const p of r.places)
    for (const n of p.needs)
      rows.push({ place: placeLabel(w, r.by, p.place, p.name), customers: p.customers, need: n.need, asking: n.customers, share_pct: pct(n.share_pct) })
  for (const p of r.products)
    rows.push({ place: w.t('reports.product'), customers: p.customers, need: p.product, asking: p.inquiries, share_pct: null })
  return {
    option: r.customers ? {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => `${v}%` }, legend: LEGEND, grid: GRID,
      xAxis: { type: 'category', data: needs, axisLabel: { interval: 0, rotate: needs.length > 4 ? 30 : 0 } }, yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } }, series,
    } : null,
    columns: [
      { key: 'place', label: w.t(`reports.by.${r.by}`) },
      { key: 'customers', label: w.t('reports.col.customers'), numeric: true },
      { key: 'need', label: w.t('reports.col.need') },
      { key: 'asking', label: w.t('reports.col.asking'), numeric: true },
      { key: 'share_pct', label: w.t('reports.col.sharePct'), numeric: true },
    ],
    rows,
  }
}

function followUp(r: FollowUpReport, w: Words): ReportView {
  const people = r.people.map((p) => w.nameOf(p.salesperson))
  const rows: Record<string, Cell>[] = [
    ...r.people.map((p) => ({ person: w.nameOf(p.salesperson), samples: p.samples, average_days: p.average_days ?? null, median_days: p.median_days ?? null, waiting: p.waiting })),
    { person: w.t('reports.everyone'), samples: r.overall.samples, average_days: r.overall.average_days ?? null, median_days: r.overall.median_days ?? null, waiting: r.overall.waiting },
  ]
  return {
    option: r.people.length ? {
      tooltip: { trigger: 'axis' }, legend: LEGEND, grid: GRID,
      xAxis: { type: 'category', data: people }, yAxis: { type: 'value', name: w.t('reports.days') },
      series: [
        { type: 'bar', name: w.t('reports.col.averageDays'), data: r.people.map((p) => p.average_days ?? 0) },
        { type: 'bar', name: w.t('reports.col.medianDays'), data: r.people.map((p) => p.median_days ?? 0) },
      ],
    } : null,
    columns: [
      { key: 'person', label: w.t('reports.col.salesperson') },
      { key: 'samples', label: w.t('reports.col.samples'), numeric: true },
      { key: 'average_days', label: w.t('reports.col.averageDays'), numeric: true },
      { key: 'median_days', label: w.t('reports.col.medianDays'), numeric: true },
      { key: 'waiting', label: w.t('reports.col.waiting'), numeric: true },
    ],
    rows,
  }
}

function conversion(r: ConversionReport, w: Words): ReportView {
  const rows: Record<string, Cell>[] = []
  for (const c of r.channels) {
    rows.push({ channel: channelLabel(w, c.channel), campaign: w.t('reports.allCampaigns'), opened: c.opened, converted: c.converted, rate_pct: pct(c.rate_pct) })
    for (const k of c.campaigns)
      rows.push({ channel: channelLabel(w, c.channel), campaign: k.campaign ?? w.t('reports.noCampaign'), opened: k.opened, converted: k.converted, rate_pct: pct(k.rate_pct) })
  }
  rows.push({ channel: w.t('reports.allChannels'), campaign: '', opened: r.total.opened, converted: r.total.converted, rate_pct: pct(r.total.rate_pct) })
  return {
    option: r.channels.length ? {
      tooltip: { trigger: 'axis' }, legend: LEGEND, grid: GRID,
      xAxis: { type: 'category', data: r.channels.map((c) => channelLabel(w, c.channel)) },
      yAxis: [{ type: 'value', minInterval: 1 }, { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } }],
      series: [
        { type: 'bar', name: w.t('reports.col.opened'), data: r.channels.map((c) => c.opened) },
        { type: 'bar', name: w.t('reports.col.converted'), data: r.channels.map((c) => c.converted) },
        { type: 'line', name: w.t('reports.col.ratePct'), yAxisIndex: 1, data: r.channels.map((c) => c.rate_pct ?? 0) },
      ],
    } : null,
    columns: [
      { key: 'channel', label: w.t('reports.col.channel') },
      { key: 'campaign', label: w.t('reports.col.campaign') },
      { key: 'opened', label: w.t('reports.col.opened'), numeric: true },
      { key: 'converted', label: w.t('reports.col.converted'), numeric: true },
      { key: 'rate_pct', label: w.t('reports.col.ratePct'), numeric: true },
    ],
    rows,
  }
}

function handoffs(r: HandoffsReport, w: Words): ReportView {
  const people = r.people.filter((p) => p.sent || p.received)
  const rows: Record<string, Cell>[] = people.map((p) => ({
    person: w.nameOf(p.name), sent: p.sent, returned: p.returned, return_rate: pct(p.return_rate), refused: p.refused,
    received: p.received, signed: p.signed, sign_hours: p.submit_to_sign_hours.median ?? null,
  }))
  rows.push({ person: w.t('reports.everyone'), sent: r.handoffs, returned: r.returned, return_rate: pct(r.return_rate), refused: r.refused, received: r.handoffs, signed: r.accepted, sign_hours: null })
  return {
    option: people.length ? {
      tooltip: { trigger: 'axis' }, legend: LEGEND, grid: GRID,
      xAxis: { type: 'category', data: people.map((p) => w.nameOf(p.name)) }, yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', name: w.t('reports.col.sent'), data: people.map((p) => p.sent) },
        { type: 'bar', name: w.t('reports.col.returned'), data: people.map((p) => p.returned) },
        { type: 'bar', name: w.t('reports.col.signed'), data: people.map((p) => p.signed) },
      ],
    } : null,
    columns: [
      { key: 'person', label: w.t('reports.col.person') },
      { key: 'sent', label: w.t('reports.col.sent'), numeric: true },
      { key: 'returned', label: w.t('reports.col.returned'), numeric: true },
      { key: 'return_rate', label: w.t('reports.col.returnRate'), numeric: true },
      { key: 'refused', label: w.t('reports.col.refused'), numeric: true },
      { key: 'received', label: w.t('reports.col.received'), numeric: true },
      { key: 'signed', label: w.t('reports.col.signed'), numeric: true },
      { key: 'sign_hours', label: w.t('reports.col.signHours'), numeric: true },
    ],
    rows,
  }
}

function lostReasons(r: LostReasonsReport, w: Words): ReportView {
  const rows: Record<string, Cell>[] = [
    ...r.lost.reasons.map((x) => ({ where: w.te(`common.stage.${x.stage}`) ? w.t(`common.stage.${x.stage}`) : x.stage, reason: x.reason, count: x.count })),
    ...r.rejected_in_pool.reasons.map((x) => ({ where: w.t('reports.rejectedInPool'), reason: x.reason, count: x.count })),
  ]
  const bars = [...rows].sort((a, b) => Number(b.count) - Number(a.count)).reverse()
  return {
    option: rows.length ? {
      tooltip: { trigger: 'axis' }, grid: { ...GRID, top: 8 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: bars.map((b) => `${b.reason} (${b.where})`), axisLabel: { width: 220, overflow: 'truncate' } },
      series: [{ type: 'bar', name: w.t('reports.col.count'), data: bars.map((b) => b.count) }],
    } : null,
    columns: [
      { key: 'where', label: w.t('reports.col.where') },
      { key: 'reason', label: w.t('reports.col.reason') },
      { key: 'count', label: w.t('reports.col.count'), numeric: true },
    ],
    rows,
  }
}

const BUILDERS: { [N in ReportName]: (r: ReportAnswers[N], w: Words) => ReportView } = {
  inquiries, demand, 'follow-up': followUp, conversion, handoffs, 'lost-reasons': lostReasons,
}

export function reportView<N extends ReportName>(name: N, answer: ReportAnswers[N], words: Words): ReportView {
  return BUILDERS[name](answer, words)
}

/** The funnel by stage: customers at each stage now, drawn in the stages' order (the side stages —
 * lost, invalid, rejected, dormant — only in the table), with the total the customer list answers.
 * Every number is a route's total. */
export function funnelView(c: StageCounts, w: Words): ReportView {
  const stageLabel = (s: string) => (w.te(`common.stage.${s}`) ? w.t(`common.stage.${s}`) : s)
  const data = FUNNEL_STAGES.map((s) => ({ name: stageLabel(s), value: c.stages[s] }))
  const rows: Record<string, Cell>[] = [
    ...FUNNEL_STAGES.map((s) => ({ stage: stageLabel(s), customers: c.stages[s] })),
    ...OFF_FUNNEL_STAGES.map((s) => ({ stage: stageLabel(s), customers: c.stages[s] })),
    { stage: w.t('reports.allCustomers'), customers: c.total },
  ]
  // horizontal bars, the first stage on top: a snapshot need not narrow stage by stage, so no
  // funnel shape pretends it does
  const top = [...data].reverse()
  return {
    option: data.some((d) => d.value) ? {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, grid: { ...GRID, top: 8, right: 40 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: top.map((d) => d.name) },
      series: [{ type: 'bar', name: w.t('reports.col.customers'), data: top.map((d) => d.value), label: { show: true, position: 'right' } }],
    } : null,
    columns: [
      { key: 'stage', label: w.t('reports.col.stage') },
      { key: 'customers', label: w.t('reports.col.customers'), numeric: true },
    ],
    rows,
  }
}
