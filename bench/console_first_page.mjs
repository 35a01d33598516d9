// The console's first page in Chromium, for bench/console.py: sign in through the real form, then
// open /day again and again, each time in a fresh browser context (empty HTTP cache, the session
// copied in), and time it until the reminders list and the my-customers table show their first rows.
//
//   node bench/console_first_page.mjs --base-url http://127.0.0.1:PORT --user alice --password PW [--runs 5]
//
// Prints one JSON object on stdout: {"signin_ms", "runs": [{shown_ms, reminders_ms, customers_ms,
// heap_bytes, reminder_rows, customer_rows, scripts, document, api: {me, reminders, customers:
// [{start, end}], customer_lookups}, errors}]}. Times are milliseconds from the
// navigation's start (performance.timeOrigin) to the DOM change that made the rows visible, as an
// observer installed before any of the page's scripts saw it; Playwright also waits for the rows
// to be visible (the guard, and the fallback). The heap is the page's JavaScript heap once the
// page settled (network idle), after a garbage collection.
//
// Same Chromium as web/e2e/harness.mjs: Debian's /usr/bin/chromium (BATON_CHROMIUM overrides),
// headless, --no-sandbox --disable-gpu --disable-background-networking; playwright-core from
// web/node_modules.
import { benchArgs, measureRuns, newContext } from './page_runs.mjs'

const args = benchArgs({ user: 'alice', timeoutMs: 60000 })
const { base, timeout } = args

// Stable hooks of the day page (web/src/features/day): the reminders section is labelled by
// #reminders-title and each reminder is an <li data-test="reminder-<kind>">; the desktop table of
// my customers is [data-test=my-customers-table], its rows Element Plus's tr.el-table__row.
const REMINDER_ROW = 'section[aria-labelledby="reminders-title"] li[data-test^="reminder-"]'
const CUSTOMER_ROW = '[data-test="my-customers-table"] tr.el-table__row'

// Runs in the page before its own scripts: notes when each kind of row is first visible.
const OBSERVER = `(() => {
  const marks = (window.__benchFirstRows = {})
  const visible = (el) => {
    if (!el) return false
    const box = el.getBoundingClientRect()
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden'
  }
  const check = () => {
    const now = performance.now()
    const shown = (selector) => visible(document.querySelector(selector))
    if (marks.reminders === undefined && shown(${JSON.stringify(REMINDER_ROW)})) marks.reminders = now
    if (marks.customers === undefined && shown(${JSON.stringify(CUSTOMER_ROW)})) marks.customers = now
    if (marks.reminders !== undefined && marks.customers !== undefined) observer.disconnect()
  }
  const observer = new MutationObserver(check)
  observer.observe(document, { childList: true, subtree: true, attributes: true })
})()`

async function measure(browser, storageState) {
  const context = await newContext(browser, storageState)
  await context.addInitScript(OBSERVER)
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${base}/day`, { waitUntil: 'commit' })
  await page.locator(REMINDER_ROW).first().waitFor({ state: 'visible' })
  await page.locator(CUSTOMER_ROW).first().waitFor({ state: 'visible' })
  const seen = await page.evaluate(() => ({ ...window.__benchFirstRows, now: performance.now() }))
  await page.waitForLoadState('networkidle')
  const cdp = await context.newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = await cdp.send('Runtime.getHeapUsage')
  const facts = await page.evaluate(([reminderRow, customerRow]) => {
    const [nav] = performance.getEntriesByType('navigation')
    return {
      reminderRows: document.querySelectorAll(reminderRow).length,
      customerRows: document.querySelectorAll(customerRow).length,
      document: nav ? { answered: nav.responseEnd, dcl: nav.domContentLoadedEventEnd } : null,
      resources: performance.getEntriesByType('resource').map((e) => ({
        name: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
        transfer: e.transferSize, body: e.decodedBodySize,
      })),
    }
  }, [REMINDER_ROW, CUSTOMER_ROW])
  await context.close()
  const reminders = seen.reminders ?? seen.now
  const customers = seen.customers ?? seen.now
  // each API call the page made of this kind: {start, end} in ms from the navigation's start
  const api = (pattern) => facts.resources
    .filter((r) => r.type === 'fetch' && pattern.test(new URL(r.name).pathname + new URL(r.name).search))
    .map((r) => ({ start: r.start, end: r.end }))
  return {
    shown_ms: Math.max(reminders, customers),
    reminders_ms: reminders,
    customers_ms: customers,
    observed: seen.reminders !== undefined && seen.customers !== undefined,
    heap_bytes: heap.usedSize,
    reminder_rows: facts.reminderRows,
    customer_rows: facts.customerRows,
    scripts: facts.resources.filter((r) => r.type === 'script' || /\.js$/.test(new URL(r.name).pathname))
      .map((r) => ({ path: new URL(r.name).pathname, transfer: r.transfer, body: r.body, end: r.end })),
    document: facts.document,
    api: {
      me: api(/^\/me$/),
      reminders: api(/^\/users\/[^/]+\/reminders/),
      customers: api(/^\/pool\?/),
      customer_lookups: api(/^\/customers\/[^/?]+$/).length,
    },
    errors,
  }
}

// she lands on /day: the first showing of the page warms the services (not measured)
await measureRuns(
  args,
  async (page) => {
    await page.locator(REMINDER_ROW).first().waitFor({ state: 'visible' })
    await page.locator(CUSTOMER_ROW).first().waitFor({ state: 'visible' })
  },
  measure,
)
