// Marketing's screening journey (seed 000: acquire → screen → follow up): mia opens the screening
// queue, finds the website lead nobody owns, screens it (fit, the specific need, the call and its
// result), hands it to sales — whose turn it is — and the queue shows it waiting for that
// salesperson's signature (it is theirs once they sign).
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { apiAs, fixture, launch, newPage, shot, signIn, url } from './harness.mjs'

let browser
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('mia screens a website lead and hands it to sales', async () => {
  const seed = fixture.seed.screening_lead
  const page = await newPage(browser)
  await signIn(page, 'mia')

  const queued = page.waitForResponse((r) => r.url().includes('/screening'))
  await page.goto(url('/screening'))
  await queued
  const row = page.locator('[data-test=screening-list] tr', { hasText: seed.company })
  await row.waitFor()
  assert.ok((await row.innerText()).includes('website form'), 'the source channel, by its name')
  assert.ok((await row.innerText()).includes('2,000 pcs'), "the inquiry's words")
  await shot(page, 'screening-queue-mia')

  await row.locator('[data-test=screen]').click()
  const dialog = page.locator('.el-dialog')
  await dialog.locator('textarea[data-test=need]').fill('2,000 pcs of model X with CE by March')
  await dialog.locator('input[data-test=result]').fill('confirmed the quantity, wants a quote')
  await shot(page, 'screening-form-mia')
  const saved = page.waitForResponse((r) => r.url().includes(`/customers/${seed.id}/screening`))
  await dialog.locator('[data-test=act]').click()
  assert.equal((await saved).status(), 201)
  await row.locator('[data-test=hand]:not([disabled])').waitFor()

  await row.locator('[data-test=hand]').click()
  const handed = page.waitForResponse((r) => r.url().endsWith('/handoffs') && r.request().method() === 'POST')
  await page.locator('.el-dialog [data-test=act]').click()
  const handoff = await (await handed).json()
  assert.equal(handoff.state, 'submitted', JSON.stringify(handoff))
  const waiting = row.locator('[data-test=hand-over]')
  await waiting.waitFor()
  assert.ok((await waiting.innerText()).includes(fixture.users[handoff.to_users[0]].name), 'the receiver by name')
  assert.ok(await row.locator('[data-test=hand]').isDisabled(), 'handed over once')
  await shot(page, 'screening-handed-mia')

  const mia = await apiAs('mia')
  const owner = await mia('GET', `/customers/${seed.id}/owner`)
  assert.equal(owner.state, 'screening', 'owned only once the salesperson signs')
  assert.deepEqual(page.jsErrors, [])
})
