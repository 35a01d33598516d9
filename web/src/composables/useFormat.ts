// Dates, times and numbers in the person's time zone (preferences, else the browser's) and
// language. The pure functions are exported for tests and for code outside components.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { useSession } from './useSession'

type DateInput = string | number | Date | null | undefined

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === '') return null
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? null : d
}

const dtfCache = new Map<string, Intl.DateTimeFormat>()
function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options)
  let f = dtfCache.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options)
    dtfCache.set(key, f)
  }
  return f
}

export function formatDateTime(value: DateInput, locale: string, timeZone: string, withYear = 'auto' as 'auto' | boolean): string {
  const d = toDate(value)
  if (!d) return ''
  const sameYear = wallParts(d, timeZone).year === wallParts(new Date(), timeZone).year
  const showYear = withYear === 'auto' ? !sameYear : withYear
  return dtf(locale, {
    timeZone,
    year: showYear ? 'numeric' : undefined,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d)
}

export function formatDate(value: DateInput, locale: string, timeZone: string): string {
  const d = toDate(value)
  if (!d) return ''
  return dtf(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric' }).format(d)
}

export function formatTime(value: DateInput, locale: string, timeZone: string): string {
  const d = toDate(value)
  if (!d) return ''
  return dtf(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d)
}

/** "in 3 hours", "2 days ago", "昨天" … */
export function formatRelative(value: DateInput, locale: string, now: Date = new Date()): string {
  const d = toDate(value)
  if (!d) return ''
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000)
  const abs = Math.abs(seconds)
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  if (abs < 45) return rtf.format(0, 'second')
  if (abs < 45 * 60) return rtf.format(Math.round(seconds / 60), 'minute')
  if (abs < 22 * 3600) return rtf.format(Math.round(seconds / 3600), 'hour')
  if (abs < 26 * 86400) return rtf.format(Math.round(seconds / 86400), 'day')
  if (abs < 320 * 86400) return rtf.format(Math.round(seconds / (30 * 86400)), 'month')
  return rtf.format(Math.round(seconds / (365 * 86400)), 'year')
}

// Building an Intl formatter costs far more than using one (a dashboard formats hundreds of figures)
const nfCache = new Map<string, Intl.NumberFormat>()
const regionNames = new Map<string, Intl.DisplayNames>()
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key)
  if (value === undefined) {
    value = make()
    cache.set(key, value)
  }
  return value
}

export function formatNumber(value: number | null | undefined, locale: string, options?: Intl.NumberFormatOptions): string {
  if (value === null || value === undefined || Number.isNaN(value)) return ''
  return cached(nfCache, locale + JSON.stringify(options ?? {}), () => new Intl.NumberFormat(locale, options)).format(value)
}

/** "DE" → "Germany" / "德国" (the code itself when unknown). */
export function formatCountry(code: string | null | undefined, locale: string): string {
  if (!code) return ''
  try {
    return cached(regionNames, locale, () => new Intl.DisplayNames(locale, { type: 'region' })).of(code.toUpperCase()) ?? code
  } catch {
    return code
  }
}

export interface WallParts {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  weekday: number // 0 = Sunday
}

/** The wall-clock reading of an instant in a time zone. */
export function wallParts(d: Date, timeZone: string): WallParts {
  const parts = dtf('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(d)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0'
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')) % 24,
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: weekdays.indexOf(get('weekday')),
  }
}

/** Minutes the zone is ahead of UTC at that instant (Asia/Shanghai → 480). */
export function zoneOffsetMinutes(d: Date, timeZone: string): number {
  const p = wallParts(d, timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60000)
}

/** "2026-03-05T09:30" read in `timeZone` → the instant (ISO, UTC). */
export function wallTimeToIso(wall: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall.trim())
  if (!m) throw new Error(`not a wall time: ${wall}`)
  const [y, mo, da, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0))
  const guess = Date.UTC(y, mo - 1, da, h, mi, s || 0)
  let instant = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60000
  // across a DST change the offset at the result can differ from the guess's: settle it
  const second = guess - zoneOffsetMinutes(new Date(instant), timeZone) * 60000
  if (second !== instant) instant = second
  return new Date(instant).toISOString()
}

/** An instant → "YYYY-MM-DDTHH:mm" as read on a clock in `timeZone`. */
export function isoToWallTime(value: DateInput, timeZone: string): string {
  const d = toDate(value)
  if (!d) return ''
  const p = wallParts(d, timeZone)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`
}

/** The instant at hh:mm local time, `daysAhead` calendar days from `now` in `timeZone`. */
export function localTimeOnDay(now: Date, timeZone: string, daysAhead: number, hour: number, minute = 0): string {
  const p = wallParts(now, timeZone)
  const day = new Date(Date.UTC(p.year, p.month - 1, p.day + daysAhead))
  const pad = (n: number) => String(n).padStart(2, '0')
  return wallTimeToIso(
    `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}T${pad(hour)}:${pad(minute)}`,
    timeZone,
  )
}

/** Next Monday (never today) at hh:mm local time. */
export function nextMonday(now: Date, timeZone: string, hour = 9): string {
  const wd = wallParts(now, timeZone).weekday
  const ahead = ((8 - wd) % 7) || 7
  return localTimeOnDay(now, timeZone, ahead, hour)
}

export function useFormat() {
  const { locale } = useI18n()
  const { timeZone } = useSession()
  const tz = computed(() => timeZone.value)
  return {
    timeZone: tz,
    dateTime: (v: DateInput) => formatDateTime(v, locale.value, tz.value),
    date: (v: DateInput) => formatDate(v, locale.value, tz.value),
    time: (v: DateInput) => formatTime(v, locale.value, tz.value),
    relative: (v: DateInput) => formatRelative(v, locale.value),
    number: (v: number | null | undefined, o?: Intl.NumberFormatOptions) => formatNumber(v, locale.value, o),
    country: (code: string | null | undefined) => formatCountry(code, locale.value),
    toWall: (v: DateInput) => isoToWallTime(v, tz.value),
    fromWall: (wall: string) => wallTimeToIso(wall, tz.value),
  }
}
