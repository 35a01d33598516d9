// The managers' dashboard in Chromium, for bench/dashboard.py: sign in through the real form, then
// open /dashboards again and again, each time in a fresh browser context (empty HTTP cache, the
// session copied in), and time it until every report card has answered: no loading mask left, and
// each card shows its chart, its table or its "nothing in this period".
//
//   node bench/dashboard_page.mjs --base-url http://127.0.0.1:PORT --user meier --password PW [--runs 5]
//
// Prints one JSON object on stdout: {"signin_ms", "runs": [{shown_ms, cards, failed, calls, errors}]}, times in
// milliseconds from the navigation's start (performance.timeOrigin). Same Chromium as
// web/e2e/harness.mjs: Debian's /usr/bin/chromium (BATON_CHROMIUM overrides), headless,
// --no-sandbox --disable-gpu --disable-background-networking; playwright-core from web/node_modules.
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core')

const { values: args } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    user: { type: 'string', default: 'meier' },
    password: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'timeout-ms': { type: 'string', default: '120000' },
  },
})
const base = String(args['base-url']).replace(/\/+$/, '')
const runs = Number(args.runs)
const timeout = Number(args['timeout-ms'])
const DESKTOP = { width: 1366, height: 900 }

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

async function newContext(browser, storageState) {
  return browser.newContext({ viewport: DESKTOP, locale: 'en-US', deviceScaleFactor: 1, storageState })
}

async function signIn(browser) {
  const context = await newContext(browser)
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  const started = Date.now()
  await page.goto(`${base}/signin`)
  await page.locator('#signin-user').fill(args.user)
  await page.locator('#signin-password').fill(args.password)
  await page.locator('[data-test=signin-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'))
  await page.locator('main#main').waitFor()
  // the first showing of the dashboard warms the services and the store (not measured)
  await page.goto(`${base}/dashboards`)
  try {
    await page.waitForFunction(ALL_ANSWERED, null, { timeout, polling: 50 })
  } catch (error) {
    throw new Error(`${error}\ncards as they stood: ${JSON.stringify(await page.evaluate(CARDS))}`)
  }
  const signinMs = Date.now() - started
  const state = await context.storageState()
  await context.close()
  return { state, signinMs }
}

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

const browser = await chromium.launch({
  executablePath: process.env.BATON_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
try {
  const { state, signinMs } = await signIn(browser)
  const measured = []
  for (let i = 0; i < runs; i += 1) measured.push(await measure(browser, state))
  process.stdout.write(JSON.stringify({ signin_ms: signinMs, runs: measured }) + '\n')
} finally {
  await browser.close()
}
