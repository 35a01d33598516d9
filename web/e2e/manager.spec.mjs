// Journeys of a manager and an admin: the dashboards (every report as a chart and as a table, the
// server's CSV/XLSX export, the funnel by stage), the manager's decisions (stalled allocations,
// possible duplicates side by side, a leaver's customers, the quality audit, plugins' health) and
// the admin pages (users, salespeople, parked events).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { apiAs, fixture, launch, newPage, PHONE, shot, signIn, url, user, visibleText } from './harness.mjs'

const REPORTS = ['inquiries', 'demand', 'follow-up', 'conversion', 'handoffs', 'lost-reasons']

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

describe('the manager\'s dashboards', () => {
  it('meier sees every report as a chart, reads one as a table with names, and exports it', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'meier')
      await page.locator('nav').getByText('Dashboards').first().click()
      await page.waitForURL((u) => u.pathname === '/dashboards')
      for (const name of REPORTS) await page.locator(`[data-test=report-${name}]`).waitFor()
      // the seed opened customers this month: conversion by source draws them (an ECharts SVG)
      const conversion = page.locator('[data-test=report-conversion]')
      await conversion.locator('[data-test=report-chart] svg').waitFor()
      await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
      await shot(page, 'dashboards-meier-desktop')
      await conversion.locator('[data-test=show-table-conversion]').click()
      const table = conversion.locator('[data-test=report-table-conversion]')
      await table.waitFor()
      const rows = await table.innerText()
      assert.match(rows, /Trade show/, 'channels in words')
      assert.match(rows, /All channels/)
      const text = await visibleText(page)
      assert.ok(!/\b(?:alice|bob|meier|cus_)\b/.test(text), `names, never ids: ${text.match(/\b(?:alice|bob|meier|cus_)\S*/)?.[0]}`)
      // the server writes the export: the same figures, a BOM, the period in the name
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        conversion.locator('[data-test=export-csv-conversion]').click(),
      ])
      assert.match(download.suggestedFilename(), /^conversion-\d{4}-\d{2}-\d{4}-\d{2}\.csv$/)
      const csv = readFileSync(await download.path(), 'utf8')
      assert.ok(csv.startsWith('\ufeffchannel,campaign,opened,converted,rate_pct'), csv.slice(0, 80))
      assert.match(csv, /trade_show/)
      const [xlsx] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-test=export-xlsx-inquiries]').click(),
      ])
      assert.match(xlsx.suggestedFilename(), /^inquiries-.*\.xlsx$/)
      assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK')
      // per region: the inquiries report is asked again
      const asked = page.waitForRequest((r) => r.url().includes('/reports/inquiries') && r.url().includes('by=region'))
      await page.locator('[data-test=report-by]').getByText('Region').click()
      await asked
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('in Chinese on a phone, the dashboards stack and speak Chinese', async () => {
    const page = await newPage(browser, { viewport: PHONE, locale: 'zh-CN' })
    try {
      await signIn(page, 'meier', { next: '/dashboards' })
      await page.locator('[data-test=report-conversion] [data-test=report-chart] svg').waitFor()
      await page.waitForFunction(() => !document.querySelector('.el-loading-mask'))
      const text = await visibleText(page)
      assert.match(text, /数据看板/)
      assert.match(text, /按来源和活动的转化/)
      await shot(page, 'dashboards-meier-phone-zh')
    } finally {
      await page.context().close()
    }
  })

  it('meier reads the team board: each salesperson by name with reminders, handoffs and claims', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'meier', { next: '/team' })
      const table = page.locator('[data-test=team-table]')
      await table.getByText(user('alice').name).waitFor()
      await table.getByText(user('bob').name).waitFor()
      const text = await visibleText(page)
      assert.ok(!/\b(?:alice|bob)\b/.test(text), 'names, never ids')
      await shot(page, 'team-board-meier')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('alice exports the public pool as the server writes it', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'alice', { next: '/pool' })
      // another journey may have claimed the seed's pool customer: the file lists what the API does
      await page.locator('[data-test=pool-table], [data-test=pool-empty]').first().waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-csv-pool]').click()])
      assert.equal(download.suggestedFilename(), 'pool-public_pool.csv')
      const csv = readFileSync(await download.path(), 'utf8')
      assert.ok(csv.startsWith('\ufeffcustomer_id,company'), csv.slice(0, 60))
      const listed = (await (await apiAs('alice'))('GET', '/pool?limit=200')).items.map((e) => e.customer_id)
      const exported = csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(',')[0])
      assert.deepEqual(exported, listed)
    } finally {
      await page.context().close()
    }
  })

  it('a salesperson cannot open the dashboards', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'alice')
      assert.equal(await page.locator('nav').getByText('Dashboards').count(), 0)
    } finally {
      await page.context().close()
    }
  })
})

describe('administration', () => {
  it('root creates a user (the server\'s field error in place), sets a password, and the user signs in', async () => {
    const page = await newPage(browser)
    const id = `lin${Date.now().toString(36)}`
    try {
      await signIn(page, 'root', { next: '/admin/users' })
      const table = page.locator('[data-test=users-table]')
      await table.getByText(user('alice').name).waitFor()
      await shot(page, 'admin-users-desktop')
      await page.locator('[data-test=user-create]').click()
      const form = page.locator('[data-test=user-form]')
      await form.locator('[data-test=user-id]').fill(id)
      await form.locator('[data-test=user-name]').fill('Lin Hua')
      await page.locator('[data-test=user-save]').click()
      // a member needs a department: the server says so beside the field
      const departmentItem = form.locator('.el-form-item', { has: page.locator('[data-test=user-department]') })
      await departmentItem.locator('.field-error').getByText(/department/).waitFor()
      await shot(page, 'admin-user-field-error')
      await form.locator('[data-test=user-department]').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: 'Marketing' }).click()
      await page.locator('[data-test=user-save]').click()
      await table.getByText('Lin Hua').waitFor()
      await page.locator(`[data-test=password-${id}]`).click()
      await page.locator('[data-test=new-password]').fill('short')
      await page.locator('[data-test=password-save]').click()
      await page.locator('.el-dialog .field-error').waitFor()
      await page.locator('[data-test=new-password]').fill('lin-hua-password-2026')
      await page.locator('[data-test=password-save]').click()
      await page.locator('.el-dialog .field-error').waitFor({ state: 'detached' })
      // the new person signs in with it
      const theirs = await newPage(browser)
      try {
        await theirs.goto(url('/signin'))
        await theirs.locator('#signin-user').fill(id)
        await theirs.locator('#signin-password').fill('lin-hua-password-2026')
        await theirs.locator('[data-test=signin-submit]').click()
        await theirs.waitForURL((u) => !u.pathname.startsWith('/signin'))
      } finally {
        await theirs.context().close()
      }
      // deactivated: struck through, marked
      await page.locator(`[data-test=toggle-${id}]`).click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await table.locator('tr', { hasText: 'Lin Hua' }).getByText('Deactivated').waitFor()
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('root sees the salespeople by name and the parked events', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'root', { next: '/admin/salespeople' })
      await page.locator('[data-test=salespeople-table]').getByText(user('alice').name).waitFor()
      await shot(page, 'admin-salespeople-desktop')
      await page.goto(url('/admin/parked-events'))
      await page.locator('[data-test=parked-empty], [data-test=parked-table]').first().waitFor()
      await shot(page, 'admin-parked-events')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })
})

describe('the manager\'s decisions', () => {
  it('meier reads the funnel by stage as a chart and as a table, and the stalled allocations', async () => {
    const page = await newPage(browser)
    try {
      const asked = []
      page.on('request', (r) => asked.push(new URL(r.url()).pathname + new URL(r.url()).search))
      await signIn(page, 'meier', { next: '/dashboards' })
      const funnel = page.locator('[data-test=report-funnel]')
      // the seed's customers are at some stage: the funnel draws them (an ECharts SVG)
      await funnel.locator('[data-test=report-chart] svg').waitFor()
      await funnel.locator('[data-test=show-table-funnel]').click()
      const table = funnel.locator('[data-test=report-table-funnel]')
      await table.waitFor()
      const rows = await table.innerText()
      assert.match(rows, /New contact/)
      assert.match(rows, /Dormant/)
      // the numbers are the customer list's totals, per stage and for every customer meier sees
      assert.match(rows, /All customers you see\s+\d+/)
      assert.deepEqual(asked.filter((u) => u.startsWith('/customers')), ['/customers/stages'])
      await page.locator('nav').getByText('Stalled allocations').first().click()
      await page.waitForURL((u) => u.pathname === '/stalled')
      await page.locator('[data-test=stalled-table], [data-test=stalled-empty]').first().waitFor()
      await shot(page, 'stalled-meier')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('meier compares a possible duplicate side by side and merges it', async () => {
    const mia = await apiAs('mia')
    const word = `Kestrel${Date.now().toString(36)}`
    const file = async (company, contact) => {
      const sent = await mia('POST', '/inquiries', {
        schema_version: 1, channel: 'website_form', company, country: 'GB', contact,
        message: 'We need 500 lamps of model L-20 with UKCA by May.',
      })
      for (let i = 0; i < 60; i++) {
        const { customer_id: id } = await mia('GET', `/inquiries/${sent.id}`)
        if (id) return id
        await new Promise((r) => setTimeout(r, 500))
      }
      throw new Error(`${company} was not filed`)
    }
    const first = await file(`${word} Home Goods Ltd`, { name: 'Jane Doe', email: `jane.${word.toLowerCase()}@gmail.com` })
    const second = await file(`${word} Home Goosd Ltd`, { name: 'Someone New', email: `new.${word.toLowerCase()}@gmail.com` })
    const meier = await apiAs('meier')
    assert.deepEqual((await meier('GET', `/customers/${second}`)).possible_duplicates, [first])
    const page = await newPage(browser)
    try {
      await signIn(page, 'meier', { next: `/c/${second}` })
      await page.locator(`[data-test=compare-${first}]`).click()
      await page.waitForURL((u) => u.pathname === `/duplicates/${second}`)
      const compare = page.locator('[data-test=duplicates-compare]')
      await compare.waitFor()
      const text = await compare.innerText()
      assert.match(text, new RegExp(`${word} Home Goods Ltd`))
      assert.match(text, new RegExp(`${word} Home Goosd Ltd`))
      assert.match(text, /Jane Doe/)
      assert.ok(!/\bcus_/.test(await visibleText(page)), 'names, never ids')
      await shot(page, 'duplicates-meier')
      // keep the first archive (the right-hand one), merge the typo into it
      await page.locator('[data-test=keep-right]').click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await page.waitForURL((u) => u.pathname === `/c/${first}`)
      for (let i = 0; i < 60; i++) {
        if ((await meier('GET', `/customers/${first}`)).inquiry_count === 2) break
        await new Promise((r) => setTimeout(r, 500))
      }
      assert.equal((await meier('GET', `/customers/${first}`)).inquiry_count, 2)
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('meier hands over the customers of a salesperson who leaves', async () => {
    // someone of a team of their own, so no allocation of the seed's team reaches them
    const id = `leo${Date.now().toString(36)}`
    const root = await apiAs('root')
    await root('POST', '/users', { id, name: 'Leo Leaving', role: 'member', department: 'sales', team: 'e2e-leavers' })
    const meier = await apiAs('meier')
    for (let i = 0; i < 60; i++) {
      if ((await meier('GET', '/salespeople')).items.some((p) => p.id === id)) break
      await new Promise((r) => setTimeout(r, 500))
    }
    const page = await newPage(browser)
    try {
      await signIn(page, 'meier', { next: '/leavers' })
      await page.locator('[data-test=leaver]').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: 'Leo Leaving' }).click()
      await page.locator('[data-test=leaver-empty]').waitFor()
      await page.locator('[data-test=leaver-effective]').getByText('Gone').click()
      await page.locator('[data-test=leaver-submit]').click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      const result = page.locator('[data-test=leaver-result]')
      await result.waitFor()
      assert.match(await result.innerText(), /Sign-in of Leo Leaving ends|Leo Leaving can sign in until/)
      assert.ok(!new RegExp(`\\b${id}\\b`).test(await visibleText(page)), 'names, never ids')
      await shot(page, 'leavers-meier')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('meier reads the weekly quality audit, and the plugins\' health in Chinese', async () => {
    const page = await newPage(browser, { locale: 'zh-CN' })
    try {
      await signIn(page, 'meier', { next: '/quality' })
      await page.locator('[data-test=quality-table], [data-test=quality-empty]').first().waitFor()
      assert.match(await visibleText(page), /质量抽检/)
      await shot(page, 'quality-meier-zh')
      await page.goto(url('/admin/plugins'))
      const table = page.locator('[data-test=plugins-table]')
      await table.waitFor()
      assert.match(await page.locator('[data-test=plugins-summary]').innerText(), /所有插件均正常|个插件有问题/)
      await shot(page, 'plugins-meier-zh')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('on a phone, the decisions pages fit the screen', async () => {
    const page = await newPage(browser, { viewport: PHONE })
    try {
      await signIn(page, 'meier', { next: '/stalled' })
      await page.locator('[data-test=stalled-cards], [data-test=stalled-empty]').first().waitFor()
      const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)
      assert.ok(await fits(), 'no sideways scrolling on /stalled')
      await shot(page, 'stalled-meier-phone')
      await page.goto(url('/leavers'))
      await page.locator('[data-test=leaver]').waitFor()
      assert.ok(await fits(), 'no sideways scrolling on /leavers')
      await shot(page, 'leavers-meier-phone')
      await page.goto(url(`/duplicates/${fixture.seed.alice_customer.id}`))
      await page.locator('[data-test=duplicates-none], [data-test=duplicates-compare]').first().waitFor()
      assert.ok(await fits(), 'no sideways scrolling on /duplicates')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })
})
