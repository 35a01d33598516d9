import { api } from '@/api/client'
import { download } from '@/api/download'
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

export function fetchReport<N extends ReportName>(name: N, q: ReportQuery, signal?: AbortSignal) {
  return api<ReportAnswers[N]>('GET', `/reports/${name}`, { query: queryFor(name, q), signal })
}

/** The server writes the file (the same figures as the JSON): CSV or XLSX. */
export function downloadReport(name: ReportName, q: ReportQuery, format: 'csv' | 'xlsx') {
  return download(`/reports/${name}`, { ...queryFor(name, q), format }, `${name}.${format}`)
}
