// What the console benches share (bench/console_first_page.mjs, bench/dashboard_page.mjs): their
// arguments, Debian's Chromium driven by playwright-core from web/node_modules (as web/e2e/harness.mjs:
// /usr/bin/chromium unless BATON_CHROMIUM, headless, --no-sandbox --disable-gpu
// --disable-background-networking), fresh desktop contexts, signing in through the real form, and the
// loop that prints one JSON object: {"signin_ms", "runs": [...]}.
import { createRequire } from 'node:module'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const { chromium } = createRequire(path.join(repo, 'web', 'package.json'))('playwright-core')
const DESKTOP = { width: 1366, height: 900 }

/** --base-url, --user, --password, --runs, --timeout-ms, with this bench's defaults. */
export function benchArgs({ user, timeoutMs }) {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      user: { type: 'string', default: user },
      password: { type: 'string' },
      runs: { type: 'string', default: '5' },
      'timeout-ms': { type: 'string', default: String(timeoutMs) },
    },
  })
  return {
    base: String(values['base-url']).replace(/\/+$/, ''),
    user: values.user,
    password: values.password,
    runs: Number(values.runs),
    timeout: Number(values['timeout-ms']),
  }
}

/** A fresh browser context (empty HTTP cache) at desktop size, with ``storageState``'s session. */
export function newContext(browser, storageState) {
  return browser.newContext({ viewport: DESKTOP, locale: 'en-US', deviceScaleFactor: 1, storageState })
}

/** Sign in through the form, then ``warm(page)`` (not measured); the session to copy into each run. */
export async function signIn(browser, args, warm) {
  const context = await newContext(browser)
  const page = await context.newPage()
  page.setDefaultTimeout(args.timeout)
  const started = Date.now()
  await page.goto(`${args.base}/signin`)
  await page.locator('#signin-user').fill(args.user)
  await page.locator('#signin-password').fill(args.password)
  await page.locator('[data-test=signin-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'))
  await page.locator('main#main').waitFor()
  await warm(page)
  const signinMs = Date.now() - started
  const state = await context.storageState()
  await context.close()
  return { state, signinMs }
}

/** Launch Chromium, sign in, run ``measure(browser, state)`` ``args.runs`` times, print the JSON. */
export async function measureRuns(args, warm, measure) {
  const browser = await chromium.launch({
    executablePath: process.env.BATON_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const { state, signinMs } = await signIn(browser, args, warm)
    const runs = []
    for (let n = 0; n < args.runs; n += 1) runs.push(await measure(browser, state))
    process.stdout.write(JSON.stringify({ signin_ms: signinMs, runs }) + '\n')
  } finally {
    await browser.close()
  }
}
