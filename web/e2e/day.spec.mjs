// Journeys of a salesperson's day, through the real console and API (node:test + playwright-core).
// Each journey signs in as the person it plays and relies only on the fixture's seed.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs, fixture, launch, newPage, PHONE, shot, signIn, url, user, visibleText } from './harness.mjs'

const seed = fixture.seed ?? {}
const KIND_FIRST_TOUCH = /First contact with a new customer|新客户首次联系/

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

async function closePage(page) {
  await page.context().close()
}

function reminderOf(page, company) {
  return page.locator('li.reminder', { hasText: company })
}

describe('my day', () => {
  it('alice signs in and sees her customer by name with its reminder, never an id', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'alice')
      assert.match(new URL(page.url()).pathname, /^\/day$/)
      const company = seed.alice_customer.company
      const item = reminderOf(page, company).filter({ hasText: KIND_FIRST_TOUCH }).first()
      await item.waitFor()
      const link = item.locator('a.customer-link')
      assert.equal((await link.textContent()).trim(), company)
      assert.equal(await link.getAttribute('href'), `/c/${seed.alice_customer.id}`)
      // "my customers" lists her customers by name too
      await page.locator('[data-test=my-customers-table] a.customer-link').first().waitFor()
      // the header names the person
      await page.getByText(user('alice').name).first().waitFor()
      // each reminder's line is worded from its details: names, times in her zone, no ids
      await item.locator('.detail').waitFor()
      const text = await visibleText(page)
      assert.ok(!/\bcus_/.test(text), 'no customer id is visible on /day')
      assert.ok(!/\b(?:hof|cus|man)_/.test(text), `no handoff, customer or inquiry id on /day: ${text.match(/\b(?:hof|cus|man)_\S*/)?.[0]}`)
      assert.ok(!/\bUTC\b/.test(text), `no UTC time on /day: ${text.match(/.{0,40}\bUTC\b/)?.[0]}`)
      for (const detail of await page.locator('li.reminder .detail').allInnerTexts()) {
        assert.ok(!/\b(?:alice|bob|sam)\b/.test(detail), `people by name, not id: ${detail}`)
      }
      assert.ok((await item.locator('.detail').innerText()).includes(company), 'the line names the company')
      await shot(page, 'day-alice-desktop')
      // a row's "more actions" menu is built when opened, and opens on that first click
      assert.equal(await page.locator('section[aria-labelledby="reminders-title"] .el-dropdown').count(), 0)
      await item.locator('[data-test=reminder-more]').click()
      const withNote = page.locator('.el-dropdown-menu [data-test=reminder-done-with-note]')
      await withNote.waitFor()
      assert.equal(await page.evaluate(() => document.activeElement?.closest('.el-dropdown')?.querySelector('[data-test=reminder-more]') === document.activeElement), true,
        'focus moved to the menu button that took the plain one\'s place')
      await page.locator('#reminders-title').click({ position: { x: 2, y: 2 } })   // a click elsewhere closes it
      await withNote.waitFor({ state: 'hidden' })
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await closePage(page)
    }
  })

  it('alice logs a contact with a 【特殊】 line and finds it on the customer page', async () => {
    const page = await newPage(browser)
    const special = `Panels must be 110V ${Date.now().toString(36)}`
    try {
      await signIn(page, 'alice')
      const company = seed.alice_customer.company
      await page.locator('.my-customers').waitFor()
      const reminder = reminderOf(page, company).first()
      let dialog
      if (await reminder.count()) {
        // from the customer's reminder
        await reminder.locator('[data-test=reminder-log]').click()
        dialog = page.locator('.el-dialog', { hasText: company })
      } else {
        // or from the header, choosing the customer by name
        await page.locator('[data-test=log-contact]').click()
        dialog = page.locator('.el-dialog[data-test=contact-dialog]')
        await dialog.locator('[data-test=contact-customer]').click()
        await page.keyboard.type(company)
        await page.locator('.el-select-dropdown__item', { hasText: company }).first().click()
      }
      await dialog.waitFor()
      const summary = dialog.locator('#contact-summary')
      await summary.fill(`Phone call with Jane, she confirmed 2,000 panels.\n【特殊】${special}`)
      const preview = dialog.locator('[data-test=special-preview]')
      await preview.waitFor()
      assert.match(await preview.innerText(), new RegExp(special))
      await dialog.locator('#contact-words').fill('We need them before May.')
      await dialog.locator('#contact-result').fill('quote requested')
      await shot(page, 'day-contact-dialog')
      await dialog.locator('[data-test=contact-save]').click()
      await dialog.waitFor({ state: 'hidden' })

      // the server recorded it, with the special requirement lifted from the 【特殊】 line
      const call = await apiAs('alice')
      const customer = await call('GET', `/customers/${seed.alice_customer.id}`)
      const recorded = customer.communications.find((c) => (c.summary ?? '').includes(special))
      assert.ok(recorded, 'the communication is on the archive')
      assert.ok(JSON.stringify(customer.special_requirements).includes(special), 'the special requirement is on the archive')

      // and the customer page shows it
      await page.goto(url(`/c/${seed.alice_customer.id}`))
      await page.getByText(special).first().waitFor()
      const text = await visibleText(page)
      assert.ok(text.includes(company), 'the customer page names the company')
      await shot(page, 'customer-after-contact')
    } finally {
      await closePage(page)
    }
  })

  it('alice claims the pool customer and her remaining claims go down', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'alice', { next: '/pool' })
      assert.equal(new URL(page.url()).pathname, '/pool')
      const summary = page.locator('[data-test=claims-summary]')
      await summary.waitFor()
      const figures = async () => {
        const day = page.locator('[data-test=claims-day] [data-test=claims-remaining]')
        const held = await page.locator('[data-test=claims-held] .figure').innerText()
        return {
          left: (await day.count()) ? Number((await day.innerText()).match(/\d+/)[0]) : null,
          held: Number(held.match(/\d+/)[0]),
        }
      }
      const before = await figures()
      const button = page.locator(`[data-test="claim-${seed.pool_customer.id}"]`)
      if (!(await button.count())) {
        // not on the first page: narrow down by the customer's country
        const call = await apiAs('alice')
        const c = await call('GET', `/customers/${seed.pool_customer.id}`)
        await page.getByPlaceholder(/Country|国家/).fill(c.country)
        await page.getByPlaceholder(/Country|国家/).press('Enter')
      }
      await page.getByText(seed.pool_customer.company, { exact: true }).first().waitFor()
      await button.first().click()
      await page.locator('.el-message--success, [data-test=claim-refusal]').first().waitFor()
      const refusal = page.locator('[data-test=claim-refusal]')
      if (await refusal.count()) assert.fail(`the claim was refused: ${await refusal.innerText()}`)
      await page.locator(`[data-test="claim-${seed.pool_customer.id}"]`).waitFor({ state: 'detached' })
      await page.waitForFunction(
        (held) => Number((document.querySelector('[data-test=claims-held] .figure')?.textContent ?? '').match(/\d+/)?.[0]) === held + 1,
        before.held,
      )
      const afterClaim = await figures()
      assert.equal(afterClaim.held, before.held + 1)
      if (before.left !== null) assert.equal(afterClaim.left, before.left - 1)
      await shot(page, 'pool-after-claim')
      const owner = await (await apiAs('alice'))('GET', `/customers/${seed.pool_customer.id}/owner`)
      assert.equal(owner.owner_id, 'alice')
    } finally {
      await closePage(page)
    }
  })

  it('alice switches to Chinese, and it stays Chinese after a reload and on the next sign-in', async () => {
    const page = await newPage(browser)
    const call = await apiAs('alice')
    const was = (await call('GET', '/me')).language ?? null
    try {
      await signIn(page, 'alice')
      const switchTo = async (lang) => {
        await page.locator('[data-test=language-switch]').click()
        await page.locator(`.el-dropdown-menu [data-test=language-${lang}]`).last().click()
        await page.waitForFunction((l) => document.documentElement.lang === l, lang)
      }
      if ((await page.evaluate(() => document.documentElement.lang)) !== 'en') await switchTo('en')
      await page.getByRole('heading', { name: 'Reminders' }).waitFor()
      await switchTo('zh-CN')
      await page.getByRole('heading', { name: '提醒' }).waitFor()
      await page.locator('.aside').getByText('我的一天').waitFor()
      await page.locator('.aside').getByText('公海').waitFor()
      await page.reload()
      await page.getByRole('heading', { name: '我的客户' }).waitFor()
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
      await shot(page, 'day-alice-zh')
      // kept on the server: a fresh browser signs in in Chinese
      assert.equal((await call('GET', '/me')).language, 'zh-CN')
      const other = await newPage(browser)
      try {
        await signIn(other, 'alice')
        await other.getByRole('heading', { name: '提醒' }).waitFor()
      } finally {
        await closePage(other)
      }
    } finally {
      await closePage(page)
      if (was !== 'zh-CN') await call('PATCH', '/me', { language: was ?? 'en' }).catch(() => undefined)
    }
  })

  it('a wrong password shows the server’s error and stays on sign-in', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'bob', { password: 'not-the-password' })
      const error = page.locator('[data-test=signin-error]')
      await error.waitFor()
      assert.ok((await error.innerText()).trim().length > 0)
      assert.equal(new URL(page.url()).pathname, '/signin')
      assert.equal(await page.evaluate(() => localStorage.getItem('baton.token')), null)
      await shot(page, 'signin-wrong-password')
    } finally {
      await closePage(page)
    }
  })

  it('an expired session returns to sign-in and then to the same page', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'alice')
      await page.evaluate(() => localStorage.setItem('baton.token', 'bs_expired'))
      await page.goto(url('/inbox'))
      await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('next') === '/inbox')
      await page.locator('#signin-user').waitFor()
      await shot(page, 'signin-session-ended')
      await page.locator('#signin-user').fill('alice')
      await page.locator('#signin-password').fill(user('alice').password)
      await page.locator('[data-test=signin-submit]').click()
      await page.waitForURL((u) => u.pathname === '/inbox')
    } finally {
      await closePage(page)
    }
  })

  it('/day works at phone width (390 px)', async () => {
    const page = await newPage(browser, { viewport: PHONE })
    try {
      await signIn(page, 'alice')
      await page.locator('.my-customers').waitFor()
      await page.locator('[data-test=my-customers-cards], .my-customers .el-empty').first().waitFor()
      // the menu is a drawer behind a labelled button; nothing is wider than the screen
      const menu = page.getByRole('button', { name: /Open menu|打开菜单/ })
      await menu.waitFor()
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`)
      await shot(page, 'day-alice-phone')
      await menu.click()
      await page.locator('.nav-drawer .el-menu-item').first().waitFor()
      await shot(page, 'day-alice-phone-menu')
    } finally {
      await closePage(page)
    }
  })
})
