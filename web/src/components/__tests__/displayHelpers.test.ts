import { describe, expect, it } from 'vitest'
import { anyHas, errorsUnder, flattenFieldErrors, groupByDay, namesInText } from '../displayHelpers'

describe('flattenFieldErrors', () => {
  it('flattens nested field errors to dotted paths', () => {
    const flat = flattenFieldErrors({
      company: ['Length must be between 1 and 300.'],
      titles: { '0': { registration_code: ['Not a valid DE VAT number.'] } },
      aliases: { '2': ['Too long.'] },
    })
    expect(flat).toEqual({
      company: ['Length must be between 1 and 300.'],
      'titles.0.registration_code': ['Not a valid DE VAT number.'],
      'aliases.2': ['Too long.'],
    })
    expect(errorsUnder(flat, 'titles')).toEqual(['Not a valid DE VAT number.'])
    expect(errorsUnder(flat, 'title')).toEqual([])
  })
})

describe('anyHas', () => {
  it('treats null and absent as not sent', () => {
    expect(anyHas([{ a: null }, {}], 'a')).toBe(false)
    expect(anyHas([{ a: null }, { a: 0 }], 'a')).toBe(true)
  })
})

describe('groupByDay', () => {
  it('keeps newest first', () => {
    const g = groupByDay([{ at: '2026-01-01T10:00:00Z' }, { at: '2026-01-02T10:00:00Z' }, { at: '2026-01-01T12:00:00Z' }], 'UTC')
    expect(g.map((x) => [x.day, x.entries.length])).toEqual([
      ['2026-01-02', 1],
      ['2026-01-01', 2],
    ])
    expect(g[1].entries[0].at).toBe('2026-01-01T12:00:00Z')
  })
})

describe('namesInText', () => {
  const names: Record<string, string> = { alice: 'Alice Wang', sam: 'Sam Zhou' }
  const nameOf = (id: string) => names[id]
  it('replaces whole-word ids only', () => {
    expect(namesInText('phone by alice: sent sam_123 to alice@x.de', nameOf, Object.keys(names))).toBe(
      'phone by Alice Wang: sent sam_123 to alice@x.de',
    )
    expect(namesInText('by sam (pool)', nameOf, Object.keys(names))).toBe('by Sam Zhou (pool)')
    expect(namesInText('Samsung and salami', nameOf, Object.keys(names))).toBe('Samsung and salami')
  })
})
