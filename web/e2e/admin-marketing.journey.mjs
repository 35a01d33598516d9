// The admin's configuration check and marketing's imports and do-not-contact list, in Chromium
// (run by tests/e2e/test_console_admin_marketing.py with its own seed: not a *.spec.mjs, so the
// main console journeys, whose seed differs, leave it out).
// fixture.seed: {rejected: {id, company, email}, import_file, new_email, bad_config, unreadable_config}
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fixture, launch, newPage, shot, signIn, url } from './harness.mjs'

const seed = fixture.seed
let browser
// The machine is shared with other test runs: pages get more time than the harness's default.
async function open(options) {
  const page = await newPage(browser, options)
  page.setDefaultTimeout(30_000)
  return page
}
before(async () => {
  browser = await launch()
})
after(async () => {
  await browser?.close()
})

test('an admin checks a bad configuration and sees each refused setting named', async () => {
  const page = await open()
  await signIn(page, 'root')
  await page.goto(url('/admin/configuration'))
  await page.locator('[data-test=configuration-text]').waitFor()
  await page.locator('[data-test=configuration-file]').setInputFiles(seed.bad_config)
  await page.locator('[data-test=configuration-file-name]').waitFor()
  assert.ok((await page.locator('textarea[data-test=configuration-text]').inputValue()).includes('per_day: -1'), 'the file fills the text')

  const checked = page.waitForResponse((r) => r.url().endsWith('/admin/configuration/check'))
  await page.locator('[data-test=configuration-check]').click()
  assert.equal((await checked).status(), 200)
  const summary = page.locator('[data-test=configuration-summary]')
  await summary.waitFor()
  assert.match(await summary.innerText(), /2 services would refuse it/)
  const pool = await page.locator('[data-test=configuration-errors-pool]').innerText()
  assert.ok(pool.includes('BATON.pool.claim_limits.per_day: Must be greater than or equal to 0.'), pool)
  const gateway = await page.locator('[data-test=configuration-errors-gateway]').innerText()
  assert.ok(gateway.includes('BATON.gateway.rpc_timeout_seconds'), gateway)
  for (const service of ['intake', 'profile', 'handoff', 'notification'])
    assert.equal((await page.locator(`[data-test=configuration-status-${service}]`).innerText()).trim(), 'Would load', service)
  assert.equal((await page.locator('[data-test=configuration-status-pool]').innerText()).trim(), '1 error')
  await shot(page, 'configuration-check-errors')

  await page.locator('textarea[data-test=configuration-text]').fill(seed.unreadable_config)
  const refused = page.waitForResponse((r) => r.url().endsWith('/admin/configuration/check'))
  await page.locator('[data-test=configuration-check]').click()
  assert.equal((await refused).status(), 422)
  const error = page.locator('.el-form-item__error')
  await error.waitFor()
  assert.match(await error.innerText(), /The YAML cannot be read: line \d+, column \d+/)
  assert.equal(await page.locator('[data-test=configuration-report]').count(), 0)
  await shot(page, 'configuration-check-unreadable')
  assert.deepEqual(page.jsErrors, [])
})

test('the configuration check speaks Chinese', async () => {
  const page = await open({ locale: 'zh-CN' })
  await signIn(page, 'root')
  await page.goto(url('/admin/configuration'))
  await page.locator('[data-test=configuration-file]').setInputFiles(seed.bad_config)
  await page.locator('[data-test=configuration-check]').click()
  await page.locator('[data-test=configuration-summary]').waitFor()
  assert.ok((await page.locator('h1').innerText()).includes('配置检查'))
  assert.match(await page.locator('[data-test=configuration-summary]').innerText(), /2 个服务会拒绝此配置/)
  await shot(page, 'configuration-check-zh')
})

test('mia previews an import, runs it with progress and downloads the report', async () => {
  const page = await open()
  await signIn(page, 'mia')
  const mappings = page.waitForResponse((r) => r.url().endsWith('/imports/mappings'))
  await page.goto(url('/imports'))
  assert.equal((await mappings).status(), 200)
  await page.locator('[data-test=import-file]').setInputFiles(seed.import_file)
  const read = page.waitForResponse((r) => r.url().endsWith('/imports/read'))
  await page.locator('[data-test=import-preview]').click()
  assert.equal((await read).status(), 200)
  const columns = page.locator('[data-test=import-columns]')
  await columns.waitFor()
  const mapped = await columns.innerText()
  assert.ok(mapped.includes('contact.email') && mapped.includes('Internal note') && mapped.includes('Not imported'), mapped)
  assert.ok((await page.locator('[data-test=import-sample]').innerText()).includes('Vogt Leuchten GmbH'))
  assert.equal(await page.locator('[data-test=import-progress]').count(), 0, 'nothing is filed before Import')
  await shot(page, 'import-preview')

  const phases = new Set()
  const watch = setInterval(async () => {
    const text = await page.locator('[data-test=import-phase]').innerText().catch(() => '')
    if (text) phases.add(text.split(':')[0])
  }, 50)
  await page.locator('[data-test=import-start]').click()
  await page.locator('[data-test=import-progress]').waitFor()
  await shot(page, 'import-progress')
  const report = page.locator('[data-test=import-report]')
  await report.waitFor({ timeout: 120_000 })
  clearInterval(watch)
  assert.equal((await page.locator('[data-test=import-phase]').innerText()).trim(), 'Done')
  assert.ok(phases.size >= 1, `progress was shown: ${[...phases]}`)
  assert.match(await page.locator('[data-test=import-count-created]').innerText(), /^1 created/)
  assert.match(await page.locator('[data-test=import-count-merged]').innerText(), /^1 merged/)
  assert.match(await page.locator('[data-test=import-count-rejected]').innerText(), /^1 rejected/)
  assert.match(await page.locator('[data-test=import-count-dnc]').innerText(), /^1 of them into do-not-contact/)
  const rows = await page.locator('[data-test=import-rows]').innerText()
  assert.ok(rows.includes('Do not contact: ') && rows.includes('asked us never to call again'), rows)
  assert.match(rows, /email/i, 'the rejected row names the field')
  await shot(page, 'import-report')

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=import-download]').click()])
  assert.equal(download.suggestedFilename(), 'import-report-alibaba-export.csv')
  const csv = readFileSync(await download.path(), 'utf8')
  const lines = csv.replace(/^\ufeff/, '').trim().split(/\r?\n/)
  assert.equal(lines[0], 'row,outcome,company,email,customer_id,reasons,do_not_contact,possible_duplicates')
  assert.equal(lines.length, 4, csv)
  assert.ok(lines.some((l) => l.startsWith('2,created,Vogt Leuchten GmbH,')), csv)
  assert.ok(lines.some((l) => l.startsWith('3,merged,') && l.includes('asked us never to call again')), csv)
  assert.ok(lines.some((l) => l.startsWith('4,rejected,Broken Row Ltd,') && /email/i.test(l)), csv)
  assert.deepEqual(page.jsErrors, [])
})

test('mia looks the do-not-contact list up and exports it', async () => {
  const page = await open()
  await signIn(page, 'mia')
  const listed = page.waitForResponse((r) => r.url().includes('/do-not-contact'))
  await page.goto(url('/do-not-contact'))
  await listed
  const table = page.locator('[data-test=dnc-list]')
  await table.waitFor()
  assert.ok((await table.innerText()).includes(seed.rejected.company))
  assert.ok((await table.innerText()).includes('asked us never to call again'))
  assert.ok((await table.innerText()).includes('Klaus Meier'), 'who rejected it, by name')
  await shot(page, 'dnc-list')

  await page.locator('input[data-test=dnc-value]').fill(seed.rejected.email.toUpperCase())
  await page.locator('[data-test=dnc-search]').click()
  const answer = page.locator('[data-test=dnc-answer]')
  await answer.waitFor()
  await page.waitForFunction(() => document.querySelector('[data-test=dnc-answer]')?.textContent?.includes('must not be contacted'))
  assert.ok((await table.innerText()).includes(seed.rejected.company))
  await shot(page, 'dnc-found')

  await page.locator('[data-test=dnc-lookup]').click()
  await page.locator('.el-select-dropdown__item', { hasText: 'Domain' }).click()
  await page.locator('input[data-test=dnc-value]').fill(seed.new_email.split('@')[1])
  await page.locator('[data-test=dnc-search]').click()
  await page.waitForFunction(() => /not on the list|No customer has this/.test(document.querySelector('[data-test=dnc-answer]')?.textContent ?? ''))
  assert.equal(await table.count(), 0, 'the imported customer is not on the list')

  await page.locator('[data-test=dnc-clear]').click()
  await table.waitFor()
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-csv-do-not-contact]').click()])
  assert.match(csvDownload.suggestedFilename(), /\.csv$/)
  const csv = readFileSync(await csvDownload.path(), 'utf8')
  assert.ok(csv.includes(seed.rejected.company) && csv.includes('asked us never to call again'), csv)
  const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-xlsx-do-not-contact]').click()])
  assert.match(xlsxDownload.suggestedFilename(), /\.xlsx$/)
  assert.equal(readFileSync(await xlsxDownload.path()).subarray(0, 2).toString(), 'PK', 'an XLSX workbook')
  await shot(page, 'dnc-exported')
  assert.deepEqual(page.jsErrors, [])
})
