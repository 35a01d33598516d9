// A manager's possible duplicates (GET /duplicates in the console): every pair by name, one pair kept
// apart with a note, another merged side by side; a later inquiry for the pair kept apart flags
// nothing. Run by tests/e2e/test_console_duplicates.py on a system of its own (not one of e2e/*.spec.mjs:
// the shared journeys' fixture has none of these customers).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs, launch, newPage, PHONE, shot, signIn, url, visibleText } from '../harness.mjs'

const word = `${Date.now().toString(36)}`
const W = word.charAt(0).toUpperCase() + word.slice(1)
const FALCON = `Falcon${W} Trading GmbH`
const OSPREY = `Osprey${W} Handel GmbH`
const KESTREL = `Kestrel${W} Home Goods Ltd`
const KESTREL_TYPO = `Kestrel${W} Home Goosd Ltd`

let browser
let mia
let meier
const ids = {}

async function eventually(what, check, tries = 60) {
  for (let i = 0; i < tries; i++) {
    const found = await check()
    if (found) return found
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** No loading mask left on the page (before a screenshot). */
const settled = (page) => page.waitForFunction(() => !document.querySelector('.el-loading-mask'))

/** File an inquiry as marketing; the archive it went into, once profile has filed it. */
async function file(company, contact, country = 'DE') {
  const sent = await mia('POST', '/inquiries', {
    schema_version: 1, channel: 'website_form', company, country, contact,
    message: 'We need 500 lamps of model L-20 by May.',
  })
  return eventually(`${company} to be filed`, async () => (await mia('GET', `/inquiries/${sent.id}`)).customer_id)
}

before(async () => {
  browser = await launch()
  mia = await apiAs('mia')
  meier = await apiAs('meier')
  const domain = `falcon${word}.de`
  ids.falcon = await file(FALCON, { name: 'Jane Doe', email: `jane@${domain}` })
  ids.osprey = await file(OSPREY, { name: 'Otto Berg', email: `sales@osprey${word}.de` })
  // Falcon's domain under Osprey's name: filed into Falcon, Osprey noted as a possible duplicate
  assert.equal(await file(OSPREY, { name: 'Ines Vogt', email: `info@${domain}` }), ids.falcon)
  ids.kestrel = await file(KESTREL, { name: 'Kate Moss', email: `kate.${word}@gmail.com` }, 'GB')
  ids.typo = await file(KESTREL_TYPO, { name: 'Someone New', email: `new.${word}@gmail.com` }, 'GB')
  await eventually('both pairs listed', async () => (await meier('GET', '/duplicates')).total === 2)
})
after(async () => {
  await browser?.close()
})

describe('possible duplicates, pair by pair', () => {
  it('on a phone in Chinese, meier reads every pair by name', async () => {
    const page = await newPage(browser, { viewport: PHONE, locale: 'zh-CN' })
    try {
      await signIn(page, 'meier', { next: '/duplicates' })
      await page.locator('[data-test=pairs-cards]').waitFor()
      const text = await visibleText(page)
      assert.match(text, /疑似重复客户/)
      for (const name of [FALCON, OSPREY, KESTREL, KESTREL_TYPO]) assert.ok(text.includes(name), `${name} listed`)
      assert.match(text, /公司名/, 'the key both have, in Chinese')
      assert.match(text, /名称相近/, 'a pair found by its name alone')
      assert.ok(!/\bcus_/.test(text), 'names, never ids')
      await settled(page)
      await shot(page, 'pairs-meier-phone-zh')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })

  it('meier keeps one pair apart with a note and merges the other; the pair kept apart stays apart', async () => {
    const page = await newPage(browser)
    try {
      await signIn(page, 'meier')
      await page.locator('nav').getByText('Possible duplicates').first().click()
      await page.waitForURL((u) => u.pathname === '/duplicates')
      const table = page.locator('[data-test=pairs-table]')
      await table.waitFor()
      const row = (name) => table.locator('.el-table__row', { hasText: name })
      assert.match(await row(FALCON).innerText(), /company name/)
      assert.match(await row(FALCON).innerText(), /Germany/)
      assert.match(await row(KESTREL).innerText(), /a similar name/)
      assert.ok(!/\bcus_/.test(await visibleText(page)), 'names, never ids')
      await settled(page)
      await shot(page, 'pairs-meier-list')

      // different companies: Osprey distributes for Falcon
      await row(FALCON).locator('[data-test=pair-keep-apart]').click()
      await page.locator('[data-test=keep-apart-note]').fill('Osprey is Falcon\'s distributor, not Falcon')
      await shot(page, 'pairs-meier-keep-apart')
      await page.locator('[data-test=keep-apart-save]').click()
      await row(FALCON).waitFor({ state: 'detached' })
      const falcon = await meier('GET', `/customers/${ids.falcon}`)
      assert.deepEqual(falcon.possible_duplicates, [])

      // the typo: compared side by side, merged into the first archive
      await row(KESTREL).locator('[data-test=pair-compare]').click()
      await page.waitForURL((u) => u.pathname.startsWith('/duplicates/'))
      const compare = page.locator('[data-test=duplicates-compare]')
      await compare.waitFor()
      const text = await compare.innerText()
      assert.ok(text.includes(KESTREL) && text.includes(KESTREL_TYPO), 'both side by side')
      await settled(page)
      await shot(page, 'pairs-meier-compare')
      const kept = (await page.locator('[data-test=duplicates-compare] .head').nth(2).innerText()).trim()
      const keepSide = kept === KESTREL ? 'keep-right' : 'keep-left'
      await page.locator(`[data-test=${keepSide}]`).click()
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await page.waitForURL((u) => u.pathname === '/duplicates')
      await page.locator('[data-test=pairs-empty]').waitFor()
      await eventually('the merge', async () => (await meier('GET', `/customers/${ids.kestrel}`)).inquiry_count === 2)

      // a new inquiry for the pair kept apart: filed into Falcon, and not flagged again
      assert.equal(await file(OSPREY, { name: 'Lena Kurz', email: `orders@falcon${word}.de` }), ids.falcon)
      const again = await meier('GET', `/customers/${ids.falcon}`)
      assert.equal(again.inquiry_count, 3)
      assert.deepEqual(again.possible_duplicates, [])
      assert.equal((await meier('GET', '/duplicates')).total, 0)
      await page.reload()
      await page.locator('[data-test=pairs-empty]').waitFor()
      await settled(page)
      await shot(page, 'pairs-meier-decided')

      // both timelines say who kept them apart, and why
      await page.goto(url(`/c/${ids.osprey}`))
      // the entry is worded once the people it names are known: wait for the names, not the words
      await page.getByText(new RegExp(`Klaus Meier kept it apart from ${FALCON}`)).first().waitFor()
      const timeline = await visibleText(page)
      assert.match(timeline, new RegExp(`Klaus Meier kept it apart from ${FALCON}`))
      assert.match(timeline, /Osprey is Falcon's distributor/)
      await settled(page)
      await shot(page, 'pairs-meier-timeline')
      assert.deepEqual(page.jsErrors, [])
    } finally {
      await page.context().close()
    }
  })
})
