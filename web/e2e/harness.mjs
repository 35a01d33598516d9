// Shared e2e harness: the fixture, Chromium, signing in through the real form, screenshots.
// BATON_E2E_FIXTURE names a JSON file:
// {"baseUrl", "screenshots", "users": {id: {password, name, role, department, team}},
//  "seed": {"alice_customer": {id, company}, "pool_customer": {id, company},
//           "handoff_for_sam": {id, company, customer_id}}}
import { readFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'

function loadFixture() {
  const file = process.env.BATON_E2E_FIXTURE
  if (!file) throw new Error('BATON_E2E_FIXTURE is not set: it names the e2e fixture (JSON)')
  const data = JSON.parse(readFileSync(file, 'utf8'))
  data.baseUrl = String(data.baseUrl).replace(/\/+$/, '')
  data.screenshots = data.screenshots || path.join(path.dirname(file), 'screenshots')
  mkdirSync(data.screenshots, { recursive: true })
  return data
}

export const fixture = loadFixture()

export const DESKTOP = { width: 1366, height: 900 }
export const PHONE = { width: 390, height: 844 }

/** Debian's Chromium, headless. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.BATON_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/**
 * A fresh page (own context: own localStorage) at desktop size, or `PHONE`.
 * `locale` sets navigator.language (default en-US, so the console starts in English).
 */
export async function newPage(browser, { viewport = DESKTOP, locale = 'en-US', timeZone } = {}) {
  const context = await browser.newContext({
    viewport,
    locale,
    timezoneId: timeZone,
    deviceScaleFactor: 1,
    isMobile: viewport.width < 768,
    hasTouch: viewport.width < 768,
  })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.jsErrors = errors
  return page
}

export function url(pathname) {
  return fixture.baseUrl + pathname
}

export function user(id) {
  const u = fixture.users?.[id]
  if (!u) throw new Error(`fixture has no user ${id}`)
  return u
}

/** Fill the sign-in form and submit; waits until the console leaves /signin. */
export async function signIn(page, userId, { password, next } = {}) {
  const target = '/signin' + (next ? `?next=${encodeURIComponent(next)}` : '')
  await page.goto(url(target))
  await page.locator('#signin-user').fill(userId)
  await page.locator('#signin-password').fill(password ?? user(userId).password)
  await page.locator('[data-test=signin-submit]').click()
  if (password !== undefined && password !== user(userId).password) return
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'))
  await page.locator('main#main').waitFor()
}

/** A full-page PNG in fixture.screenshots; returns its path. */
export async function shot(page, name) {
  const file = path.join(fixture.screenshots, `${name.replace(/[^\w.-]+/g, '_')}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/** Call the API as a user (a real POST /sessions), for checks a journey cannot see on screen. */
export async function apiAs(userId) {
  const res = await fetch(url('/sessions'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ user_id: userId, password: user(userId).password }),
  })
  if (!res.ok) throw new Error(`sign-in of ${userId} for the API failed: ${res.status} ${await res.text()}`)
  const { token } = await res.json()
  return async (method, pathname, body) => {
    const r = await fetch(url(pathname), {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await r.text()
    const data = text ? JSON.parse(text) : null
    if (!r.ok) throw Object.assign(new Error(`${method} ${pathname}: ${r.status} ${text}`), { status: r.status, data })
    return data
  }
}

/** The page's visible text (for "no cus_ id visible" checks). */
export async function visibleText(page) {
  return page.locator('body').innerText()
}
