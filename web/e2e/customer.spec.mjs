// Journeys on the customer page (/c/<id>): alice reads her seeded customer — company, contacts,
// the timeline with her name (never her id) — edits it, sees the server's field error beside the
// field for a bad value, then saves a good one; she starts a handoff and the checklist is
// evaluated live, and a failing one is refused with the server's reasons.
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

/** A valid German VAT number (ISO 7064 MOD 11,10 check digit), new each run. */
function germanVat() {
  const base = String(10000000 + Math.floor(Math.random() * 89999999))
  let p = 10
  for (const ch of base) {
    let s = (Number(ch) + p) % 10
    if (s === 0) s = 10
    p = (2 * s) % 11
  }
  const check = (11 - p) % 10
  return `DE${base}${check}`
}

test('alice reads her customer: company, contacts and a timeline that names people', async () => {
  const seed = fixture.seed.alice_customer
  const archive = await (await apiAs('alice'))('GET', `/customers/${seed.id}`)
  const page = await newPage(browser)
  await signIn(page, 'alice')
  await page.goto(url(`/c/${seed.id}`))
  const company = page.locator('[data-test=customer-company]')
  await company.waitFor()
  assert.equal((await company.innerText()).trim(), seed.company)

  const contacts = await page.locator('[data-test=customer-contacts]').innerText()
  assert.ok(archive.contacts.length > 0, 'the seeded customer has a contact')
  for (const c of archive.contacts) {
    if (c.name) assert.ok(contacts.includes(c.name), `contact ${c.name} shown`)
    if (c.email) assert.ok(contacts.includes(c.email), `email ${c.email} shown`)
  }
  assert.ok((await page.locator('[data-test=customer-owner]').innerText()).includes(user('alice').name))

  const timeline = page.locator('[data-test=timeline]')
  await timeline.locator('[data-test=timeline-entry]').first().waitFor()
  const text = await timeline.innerText()
  assert.ok(text.includes(user('alice').name), 'the timeline names alice')
  assert.doesNotMatch(text, /\balice\b/, 'never her id')
  assert.deepEqual(page.jsErrors, [])
  await shot(page, 'customer-alice-desktop')

  await page.setViewportSize(PHONE)
  await company.waitFor()
  await shot(page, 'customer-alice-phone')
  await page.context().close()
})

test('alice edits her customer: a bad registration code is refused beside the field, a good one is saved', async () => {
  const seed = fixture.seed.alice_customer
  const page = await newPage(browser)
  await signIn(page, 'alice')
  await page.goto(url(`/c/${seed.id}`))
  await page.locator('[data-test=customer-company]').waitFor()

  await page.locator('[data-test=action-edit]').click()
  const dialog = page.locator('[data-test=edit-dialog]')
  await dialog.waitFor()
  const code = dialog.locator('[data-test=edit-registration-code]')
  await code.fill('DE123')
  await dialog.locator('[data-test=dialog-save]').click()
  const error = dialog.locator('[data-test=error-registration_code]')
  await error.waitFor()
  assert.match(await error.innerText(), /\S/, 'the server says what is wrong with it')
  // the message sits in the registration code's form item
  const item = dialog.locator('.el-form-item', { has: page.locator('[data-test=edit-registration-code]') })
  assert.equal(await item.locator('[data-test=error-registration_code]').count(), 1)
  assert.equal(await dialog.locator('.el-form-item', { has: page.locator('[data-test=edit-company]') }).locator('.field-error').count(), 0)
  await shot(page, 'customer-edit-field-error')

  const good = germanVat()
  await code.fill(good)
  await dialog.locator('[data-test=dialog-save]').click()
  await dialog.waitFor({ state: 'hidden' })
  const shown = page.locator('[data-test=customer-registration-code]')
  await shown.waitFor()
  assert.equal((await shown.innerText()).trim(), good)
  const saved = await (await apiAs('alice'))('GET', `/customers/${seed.id}`)
  assert.equal(saved.registration_code, good)
  assert.deepEqual(page.jsErrors, [])
  await shot(page, 'customer-edit-saved')
  await page.context().close()
})

test('alice starts a handoff: the checklist is evaluated as she writes, and a failing one is refused with its reasons', async () => {
  const seed = fixture.seed.alice_customer
  const page = await newPage(browser)
  await signIn(page, 'alice')
  await page.goto(url(`/c/${seed.id}`))
  await page.locator('[data-test=action-handoff]').click()
  await page.waitForURL((u) => u.pathname === `/c/${seed.id}/handoff`)

  const live = page.locator('[data-test=live-checklist]')
  await live.locator('li').first().waitFor()
  assert.ok((await live.locator('li.failed').count()) > 0, 'a fresh customer does not meet the sales → service checklist')

  // writing the pain points is checked by the server as it is written
  const before = await live.innerText()
  await page.locator('[data-test=pkg-pain-points]').fill('their last supplier shipped late twice')
  await page.waitForFunction((old) => document.querySelector('[data-test=live-checklist]')?.textContent !== old, before.replace(/\s+/g, ''), { polling: 200 }).catch(() => undefined)
  await page.waitForFunction(
    () => (document.querySelector('[data-test=live-checklist]')?.textContent ?? '').includes('their last supplier shipped late twice'),
    null,
    { timeout: 10_000 },
  )

  // receivers are people of the service department, by name
  await page.locator('[data-test=handoff-to]').click()
  const option = page.locator('.el-select-dropdown__item', { hasText: user('sam').name })
  await option.first().click()
  await page.keyboard.press('Escape')
  await page.locator('[data-test=handoff-submit]').click()
  const refusal = page.locator('[data-test=handoff-refusal]')
  await refusal.waitFor()
  assert.ok((await refusal.locator('li.failed').count()) > 0, 'the refusal lists what is missing')
  assert.deepEqual(page.jsErrors, [])
  await shot(page, 'handoff-new-refused')
  await page.context().close()
})
