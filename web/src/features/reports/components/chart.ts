// The chart component (and ECharts with it) in a chunk of its own: the dashboard's page sets up
// and sends its report calls without waiting for ECharts to download and start; the chart chunk
// comes meanwhile (loadReportChart: asked for as the page is set up, before any card draws).
import { defineAsyncComponent } from 'vue'

export const loadReportChart = () => import('./ReportChart.vue')
export const ReportChart = defineAsyncComponent(loadReportChart)
