// The managers' dashboard in Chromium, for bench/dashboard.py: sign in through the real form, then
// open /dashboards again and again, each time in a fresh browser context (empty HTTP cache, the
// session copied in), and time it until every report card has answered: no loading mask left, and
// each card shows its chart, its table or its "nothing in this period".
//
//   node bench/dashboard_page.mjs --base-url http://127.0.0.1:PORT --user meier --password PW [--runs 5]
//
// Prints one JSON object on stdout: {"signin_ms", "runs": [{shown_ms, cards, failed, calls, errors}]}, times in
// milliseconds from the navigation's start (performance.timeOrigin). Same Chromium as
// web/e2e/harness.mjs, launched by bench/page_runs.mjs: Debian's /usr/bin/chromium (BATON_CHROMIUM overrides), headless,
// --no-sandbox --disable-gpu --disable-background-networking; playwright-core from web/node_modules.
import { benchArgs, measureRuns, newContext } from './page_runs.mjs'

const args = benchArgs({ user: 'meier', timeoutMs: 120000 })
const { base, timeout } = args

// Stable hooks of web/src/features/reports: each report is a section.report-card whose body carries
// Element Plus's v-loading mask while its call is out; a chart is [data-test=report-chart] (ECharts
// draws an SVG or a canvas in it), a table an .el-table.
const ALL_ANSWERED = `(() => {
  const cards = [...document.querySelectorAll('section.report-card')]
  if (cards.length === 0) return false
  const answered = (card) => {
    const mask = card.querySelector('.el-loading-mask')
    const loading = mask && getComputedStyle(mask).display !== 'none'
    const shown = card.querySelector(
      '[data-test="report-chart"] canvas, [data-test="report-chart"] svg, .el-table, .el-empty, .load-error',
    )
    return !loading && Boolean(shown)
  }
  if (!cards.every(answered)) return false
  // a card that answered with an error (LoadError) is counted as answered, and named
  const failed = cards.filter((card) => card.querySelector('.load-error')).map((card) => card.dataset.test)
  return { at: performance.now(), cards: cards.length, failed }
})()`

// What each card shows, for a timeout's message.
const CARDS = `[...document.querySelectorAll('section.report-card')].map((card) => ({
  test: card.dataset.test,
  mask: Boolean(card.querySelector('.el-loading-mask')),
  text: card.innerText.slice(0, 160),
}))`

async function measure(browser, storageState) {
  const context = await newContext(browser, storageState)
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  const errors = []
  let calls = 0
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('request', (r) => {
    if (['fetch', 'xhr'].includes(r.resourceType())) calls += 1
  })
  await page.goto(`${base}/dashboards`, { waitUntil: 'commit' })
  const handle = await page.waitForFunction(ALL_ANSWERED, null, { timeout, polling: 'raf' })
  const seen = await handle.jsonValue()
  await context.close()
  return { shown_ms: seen.at, cards: seen.cards, failed: seen.failed, calls, errors }
}

// the first showing of the dashboard warms the services and the store (not measured)
await measureRuns(
  args,
  async (page) => {
    await page.goto(`${base}/dashboards`)
    try {
      await page.waitForFunction(ALL_ANSWERED, null, { timeout, polling: 50 })
    } catch (error) {
      throw new Error(`${error}\ncards as they stood: ${JSON.stringify(await page.evaluate(CARDS))}`)
    }
  },
  measure,
)
