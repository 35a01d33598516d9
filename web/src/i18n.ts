// vue-i18n instance. Shared words live in src/locales/ under `common.*`; each feature's
// src/features/<name>/i18n.ts exports `default: { en: {...}, 'zh-CN': {...} }`, merged under the
// feature's folder name (t('day.title'), t('customer.contacts')).
import { createI18n } from 'vue-i18n'
import en from './locales/en'
import zhCN from './locales/zh-CN'

export const LANGUAGES = ['en', 'zh-CN'] as const
export type Language = (typeof LANGUAGES)[number]

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Messages = Record<string, any>
const featureMessages = import.meta.glob<{ default: { en: Messages; 'zh-CN': Messages } }>(
  './features/*/i18n.ts',
  { eager: true },
)

function collect(lang: Language): Messages {
  const out: Messages = { common: lang === 'en' ? en : zhCN }
  for (const [file, mod] of Object.entries(featureMessages)) {
    const name = file.split('/')[2]
    out[name] = mod.default[lang] ?? {}
  }
  return out
}

const STORAGE_KEY = 'baton.language'

/** zh-CN for any Chinese browser language, else en. */
export function languageFrom(value: string | null | undefined): Language | null {
  if (!value) return null
  if (value === 'en' || value === 'zh-CN') return value
  const lower = value.toLowerCase()
  if (lower.startsWith('zh')) return 'zh-CN'
  if (lower.startsWith('en')) return 'en'
  return null
}

export function initialLanguage(): Language {
  let stored: string | null = null
  try {
    stored = localStorage.getItem(STORAGE_KEY)
  } catch {
    stored = null
  }
  const nav = typeof navigator !== 'undefined' ? navigator.languages?.[0] ?? navigator.language : null
  return languageFrom(stored) ?? languageFrom(nav) ?? 'en'
}

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLanguage(),
  fallbackLocale: 'en',
  messages: { en: collect('en'), 'zh-CN': collect('zh-CN') },
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

export function currentLanguage(): Language {
  return i18n.global.locale.value as Language
}

/** Switches vue-i18n (and so Element Plus, see App.vue), remembers it in this browser. */
export function applyLanguage(lang: Language): void {
  i18n.global.locale.value = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang
}

/** Translate outside components (API client, router). */
export function t(key: string, named?: Record<string, unknown>): string {
  const translate = (i18n.global as unknown as { t: (k: string, n?: Record<string, unknown>) => string }).t
  return named ? translate(key, named) : translate(key)
}
