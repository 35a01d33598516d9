// Journeys of a handoff's receiver: sam opens "Waiting for me", opens the seeded sales → service
// handoff, reads the checklist and the package, signs it — and it no longer waits; then sam's
// view of the customer shows no price (the server strips them for service).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs, fixture, launch, newPage, PHONE, shot, signIn, url, user } from './harness.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('sam signs the handoff waiting for him, it leaves his list, and his view of the customer has no price', async () => {
  const seed = fixture.seed.handoff_for_sam
  const page = await newPage(browser)
  await signIn(page, 'sam')

  // Waiting for me
  let waiting = page.waitForResponse((r) => r.url().includes('/users/sam/handoffs/waiting'))
  await page.goto(url('/handoffs'))
  await waiting
  const row = page.locator(`[data-test=waiting-list] a[href="/handoffs/${seed.id}"]`)
  await row.waitFor()
  assert.ok((await row.innerText()).includes(seed.company))
  assert.ok((await row.innerText()).includes(user('alice').name), 'the sender by name')
  await shot(page, 'handoffs-waiting-sam')

  // The handoff: checklist with every item and its reason, the package
  await row.click()
  await page.waitForURL((u) => u.pathname === `/handoffs/${seed.id}`)
  await page.locator('[data-test=handoff-company]').waitFor()
  assert.equal((await page.locator('[data-test=handoff-company]').innerText()).trim(), seed.company)
  const items = page.locator('[data-test=handoff-checklist] li')
  await items.first().waitFor()
  const count = await items.count()
  assert.ok(count >= 3, 'the sales → service checklist has its items')
  assert.equal(await page.locator('[data-test=handoff-checklist] li.passed').count(), count, 'a submitted handoff met its checklist')
  for (let i = 0; i < count; i++) assert.match(await items.nth(i).innerText(), /\n\S/, 'each item with its reason')
  assert.ok((await page.locator('[data-test=package]').innerText()).includes('their last supplier shipped late twice'))
  await shot(page, 'handoff-detail-sam')

  await page.setViewportSize(PHONE)
  await shot(page, 'handoff-detail-sam-phone')
  await page.setViewportSize({ width: 1366, height: 900 })

  // Sign
  await page.locator('[data-test=handoff-sign]').click()
  const dialog = page.locator('[data-test=sign-dialog]')
  await dialog.waitFor()
  await dialog.locator('[data-test=sign-text]').fill('Read it; I will call them about the CE declaration.')
  await dialog.locator('[data-test=dialog-save]').click()
  await dialog.waitFor({ state: 'hidden' })
  const signed = page.locator('[data-test=handoff-signed-by]')
  await signed.waitFor()
  assert.ok((await signed.innerText()).includes(user('sam').name))
  assert.equal(await page.locator('[data-test=handoff-sign]').count(), 0, 'nothing left to sign')
  await shot(page, 'handoff-signed-sam')

  // No longer waiting
  waiting = page.waitForResponse((r) => r.url().includes('/users/sam/handoffs/waiting'))
  await page.goto(url('/handoffs'))
  await waiting
  await page.locator('[data-test=tab-waiting-label]').waitFor()
  await page.waitForTimeout(300)
  assert.equal(await page.locator(`a[href="/handoffs/${seed.id}"]`).count(), 0, 'the signed handoff no longer waits')

  // sam's view of the customer: the order is there, its amount is not
  const asAlice = await apiAs('alice')
  const archive = await asAlice('GET', `/customers/${seed.customer_id}`)
  const amounts = [...(archive.orders ?? []).map((o) => o.amount), ...(archive.quotes ?? []).map((q) => q.unit_price)].filter((x) => typeof x === 'number')
  assert.ok(amounts.length > 0, 'alice (sales) reads prices on this customer')
  await page.goto(url(`/c/${seed.customer_id}`))
  await page.locator('[data-test=customer-company]').waitFor()
  const deals = page.locator('[data-test=orders]')
  await deals.waitFor()
  assert.equal(await page.locator('[data-test=price-column]').count(), 0, 'no price column')
  assert.equal(await page.locator('[data-test=price]').count(), 0, 'no price cell')
  const text = await page.locator('main#main').innerText()
  for (const amount of amounts) {
    for (const shown of [String(amount), new Intl.NumberFormat('en-US').format(amount), new Intl.NumberFormat('zh-CN').format(amount)]) {
      assert.ok(!(await deals.innerText()).includes(shown), `the amount ${shown} is not shown`)
    }
  }
  assert.doesNotMatch(text, /undefined|NaN/)
  assert.ok((await deals.innerText()).includes('2027-03-01') || (archive.orders ?? []).every((o) => !o.delivery_date), 'the order itself is shown')
  assert.deepEqual(page.jsErrors, [])
  await shot(page, 'customer-sam-no-price')
  await page.setViewportSize(PHONE)
  await shot(page, 'customer-sam-no-price-phone')
  await page.context().close()
})
