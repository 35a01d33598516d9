import { api } from '@/api/client'
import { download } from '@/api/download'
import { sendEarly, takeEarly } from '@/api/early'
import type { Schemas } from '@/api/types'

export type ReportName = 'inquiries' | 'demand' | 'follow-up' | 'conversion' | 'handoffs' | 'lost-reasons'
export const REPORTS: ReportName[] = ['inquiries', 'demand', 'follow-up', 'conversion', 'handoffs', 'lost-reasons']
/** Reports that count per place take `by`. */
export const BY_PLACE: ReportName[] = ['inquiries', 'demand']

export type InquiriesReport = Schemas['InquiriesByPlaceReport']
export type DemandReport = Schemas['DemandReport']
export type FollowUpReport = Schemas['FollowUpReport']
export type ConversionReport = Schemas['ConversionReport']
export type HandoffsReport = Schemas['HandoffTimelinessReport']
export type LostReasonsReport = Schemas['LostAndRejectedReport']

export interface ReportAnswers {
  inquiries: InquiriesReport
  demand: DemandReport
  'follow-up': FollowUpReport
  conversion: ConversionReport
  handoffs: HandoffsReport
  'lost-reasons': LostReasonsReport
}

export interface ReportQuery {
  from?: string
  to?: string
  by?: 'country' | 'region'
}

function queryFor(name: ReportName, q: ReportQuery): Record<string, string | undefined> {
  return { from: q.from, to: q.to, by: BY_PLACE.includes(name) ? q.by : undefined }
}

/** What the dashboard asks for when it opens: the server's default period, per country. */
export const FIRST_QUERY: ReportQuery & { by: 'country' | 'region' } = { by: 'country' }

export function fetchReport<N extends ReportName>(name: N, q: ReportQuery, signal?: AbortSignal) {
  const path = `/reports/${name}`
  const query = queryFor(name, q)
  return takeEarly<ReportAnswers[N]>(path, query, signal) ?? api<ReportAnswers[N]>('GET', path, { query, signal })
}

/** The dashboard's first calls, sent by the router while the page's code downloads (routes.ts). */
export function sendDashboardCalls(): void {
  for (const name of REPORTS) {
    const path = `/reports/${name}`
    const query = queryFor(name, FIRST_QUERY)
    sendEarly(path, query, () => api('GET', path, { query }))
  }
  sendEarly(STAGES_PATH, undefined, () => api('GET', STAGES_PATH))
}

/** The server writes the file (the same figures as the JSON): CSV or XLSX. */
export function downloadReport(name: ReportName, q: ReportQuery, format: 'csv' | 'xlsx') {
  return download(`/reports/${name}`, { ...queryFor(name, q), format }, `${name}.${format}`)
}

/** The sales funnel's stages in their order; the side stages (lost, invalid, rejected, dormant) are listed beside it, not drawn. */
export const FUNNEL_STAGES = ['new_contact', 'inquiry', 'quoted', 'sample', 'negotiation', 'customer'] as const
export const OFF_FUNNEL_STAGES = ['lost', 'invalid', 'rejected', 'dormant'] as const
export type Stage = (typeof FUNNEL_STAGES)[number] | (typeof OFF_FUNNEL_STAGES)[number]

/** Customers at each stage now, as `GET /customers?stage=` totals them (the caller's view of the
 * archives), and every customer they see (`total`): one call, `GET /customers/stages`. Nothing is counted here. */
export interface StageCounts {
  total: number
  stages: Record<Stage, number>
}

const STAGES_PATH = '/customers/stages'

export async function fetchStageCounts(signal?: AbortSignal): Promise<StageCounts> {
  const counted = await (takeEarly<Schemas['StageCounts']>(STAGES_PATH, undefined, signal) ??
    api<Schemas['StageCounts']>('GET', STAGES_PATH, { signal }))
  const stages = [...FUNNEL_STAGES, ...OFF_FUNNEL_STAGES]
  return {
    total: counted.total,
    stages: Object.fromEntries(stages.map((s) => [s, counted.stages[s] ?? 0])) as Record<Stage, number>,
  }
}
