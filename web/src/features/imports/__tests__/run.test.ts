import { describe, expect, it } from 'vitest'
import type { ImportReading } from '../api'
import { BATCH_ITEMS, batches, reasonsOf, reportCsv, runImport, tally, type ImportApi, type Progress } from '../run'

function reading(n: number): ImportReading {
  return {
    file_name: 'export.csv',
    mapping: 'alibaba',
    channel: 'alibaba',
    columns: [],
    missing: [],
    total: n,
    items: Array.from({ length: n }, (_, i) => ({
      row: i + 2,
      message_id: `import:alibaba:${i}`,
      inquiry: { company: `Company ${i}`, contact: { email: `p${i}@x${i}.de` } },
    })),
  }
}

function fakeApi(): ImportApi & { batchSizes: number[] } {
  let clock = 0
  let asked = 0
  const batchSizes: number[] = []
  return {
    batchSizes,
    postBatch: async (items) => {
      batchSizes.push(items.length)
      return {
        items: items.map((item, index) => {
          const n = Number(item.message_id.split(':')[2])
          if (n === 1) return { index, outcome: 'rejected' as const, id: `inq-${n}`, status: 'rejected' as const, errors: { inquiry: { contact: { email: ['Not a valid email address.'] } } } }
          if (n === 2) return { index, outcome: 'duplicate' as const, id: `inq-${n}`, status: 'accepted' as const }
          return { index, outcome: 'accepted' as const, id: `inq-${n}`, status: 'accepted' as const }
        }),
        accepted: 0,
        duplicates: 0,
        rejected: 0,
      }
    },
    // the first answer files nothing yet (profile has not filed them): the run asks again
    inquiriesByIds: async (ids) => ({
      items: asked++ === 0 ? [] : ids.map((id) => {
        const n = Number(id.split('-')[1])
        return { id, customer_id: `cus-${n % 4}`, filed_as: n === 3 ? 'merged' : n === 4 ? 'flagged' : 'created' }
      }),
    }),
    contactStatus: async (ids) => ({
      items: ids.map((id) => ({ customer_id: id, state: 'owned' as const, do_not_contact: id === 'cus-3', reason: id === 'cus-3' ? 'asked not to be contacted' : '' })),
      unknown: [],
    }),
    possibleDuplicates: async () => ['cus-9'],
    sleep: async () => {
      clock += 500
    },
    now: () => clock,
  }
}

describe('an import run', () => {
  it('posts in batches, waits for filing and reports every row', async () => {
    const api = fakeApi()
    const seen: Progress[] = []
    const reports = await runImport(reading(BATCH_ITEMS + 5), api, (p) => seen.push(p))
    expect(api.batchSizes).toEqual([BATCH_ITEMS, 5])
    expect(seen.map((p) => p.phase)).toContain('filing')
    expect(seen.at(-1)).toMatchObject({ phase: 'done', sent: BATCH_ITEMS + 5, filed: BATCH_ITEMS + 5 })
    const byRow = new Map(reports.map((r) => [r.row, r]))
    expect(byRow.get(3)).toMatchObject({ outcome: 'rejected', reasons: 'inquiry.contact.email: Not a valid email address.' })
    expect(byRow.get(4)?.outcome).toBe('before')
    expect(byRow.get(5)).toMatchObject({ outcome: 'merged', customerId: 'cus-3', doNotContact: 'asked not to be contacted' })
    expect(byRow.get(6)).toMatchObject({ outcome: 'flagged', candidates: ['cus-9'] })
    expect(tally(reports)).toMatchObject({ rejected: 1, before: 1, merged: 1, flagged: 1 })
  })

  it('cuts long items into smaller batches', () => {
    const long = reading(3)
    long.items.forEach((i) => ((i.inquiry as Record<string, unknown>).message = 'x'.repeat(250_000)))
    expect(batches(long.items).map((b) => b.length)).toEqual([1, 1, 1])
  })

  it('writes the report as CSV a spreadsheet opens safely', () => {
    const csv = reportCsv([{ row: 2, outcome: 'rejected', company: '=HYPERLINK("x")', email: 'a@b.de', reasons: 'a: b, c' }])
    expect(csv.startsWith('\ufeffrow,outcome,')).toBe(true)
    expect(csv).toContain(`2,rejected,"'=HYPERLINK(""x"")",a@b.de,,"a: b, c",,`)
    expect(reasonsOf({ items: ['Give 1 to 500 inquiries.'] })).toBe('items: Give 1 to 500 inquiries.')
  })
})
