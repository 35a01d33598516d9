import { describe, expect, it } from 'vitest'
import {
  formatDateTime,
  formatRelative,
  formatCountry,
  isoToWallTime,
  localTimeOnDay,
  nextMonday,
  wallTimeToIso,
  zoneOffsetMinutes,
} from '@/composables/useFormat'

describe('useFormat: time zones', () => {
  it('knows zone offsets, with daylight saving', () => {
    expect(zoneOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Asia/Shanghai')).toBe(480)
    expect(zoneOffsetMinutes(new Date('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(60)
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(120)
    expect(zoneOffsetMinutes(new Date('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-240)
  })

  it('reads a wall time in the person’s zone as the right instant', () => {
    expect(wallTimeToIso('2026-03-05T09:30', 'Asia/Shanghai')).toBe('2026-03-05T01:30:00.000Z')
    expect(wallTimeToIso('2026-03-05T09:30', 'UTC')).toBe('2026-03-05T09:30:00.000Z')
    // New York: EST in winter, EDT after 8 March 2026
    expect(wallTimeToIso('2026-03-05T09:30', 'America/New_York')).toBe('2026-03-05T14:30:00.000Z')
    expect(wallTimeToIso('2026-03-10T09:30', 'America/New_York')).toBe('2026-03-10T13:30:00.000Z')
  })

  it('shows an instant on the person’s clock', () => {
    expect(isoToWallTime('2026-03-05T01:30:00Z', 'Asia/Shanghai')).toBe('2026-03-05T09:30')
    expect(isoToWallTime('2026-03-04T23:30:00Z', 'Asia/Shanghai')).toBe('2026-03-05T07:30')
    expect(isoToWallTime('2026-03-05T01:30:00Z', 'America/Los_Angeles')).toBe('2026-03-04T17:30')
    expect(isoToWallTime(null, 'UTC')).toBe('')
  })

  it('round-trips wall time and instant', () => {
    for (const zone of ['Asia/Shanghai', 'Europe/Berlin', 'America/Sao_Paulo', 'Asia/Kolkata']) {
      expect(isoToWallTime(wallTimeToIso('2026-10-25T02:30', zone), zone)).toMatch(/^2026-10-25T0[23]:30$/)
      expect(isoToWallTime(wallTimeToIso('2026-06-01T18:45', zone), zone)).toBe('2026-06-01T18:45')
    }
  })

  it('formats dates in the zone and language given', () => {
    const at = '2026-03-04T23:30:00Z'
    expect(formatDateTime(at, 'en', 'Asia/Shanghai', true)).toContain('Mar 5')
    expect(formatDateTime(at, 'en', 'Asia/Shanghai', true)).toContain('07:30')
    expect(formatDateTime(at, 'en', 'UTC', true)).toContain('Mar 4')
    expect(formatDateTime(at, 'en', 'UTC', true)).toContain('23:30')
    expect(formatDateTime(at, 'zh-CN', 'Asia/Shanghai', true)).toContain('3月5日')
    expect(formatDateTime('', 'en', 'UTC')).toBe('')
  })

  it('computes "tomorrow 9:00" and "next Monday 9:00" on the person’s calendar', () => {
    // 23:30 UTC on Wed 4 March is already Thu 5 March 07:30 in Shanghai
    const now = new Date('2026-03-04T23:30:00Z')
    expect(localTimeOnDay(now, 'Asia/Shanghai', 1, 9)).toBe('2026-03-06T01:00:00.000Z')
    expect(localTimeOnDay(now, 'UTC', 1, 9)).toBe('2026-03-05T09:00:00.000Z')
    expect(nextMonday(now, 'Asia/Shanghai')).toBe('2026-03-09T01:00:00.000Z')
    // on a Monday, "next Monday" is a week later
    expect(nextMonday(new Date('2026-03-09T03:00:00Z'), 'Asia/Shanghai')).toBe('2026-03-16T01:00:00.000Z')
  })

  it('says relative times and country names in the language', () => {
    const now = new Date('2026-03-05T00:00:00Z')
    expect(formatRelative('2026-03-05T03:00:00Z', 'en', now)).toBe('in 3 hours')
    expect(formatRelative('2026-03-03T00:00:00Z', 'en', now)).toBe('2 days ago')
    expect(formatRelative('2026-03-04T00:00:00Z', 'zh-CN', now)).toBe('昨天')
    expect(formatCountry('DE', 'en')).toBe('Germany')
    expect(formatCountry('DE', 'zh-CN')).toBe('德国')
  })
})
