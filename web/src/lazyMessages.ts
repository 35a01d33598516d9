// A feature's words that only its lazily loaded pages use: merged into vue-i18n when the page's
// chunk loads, so they stay out of the first page's bundle. The feature's i18n.ts keeps what the
// shell needs before (menu titles), under the same name.
import { i18n, LANGUAGES } from './i18n'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Messages = Record<string, any>

export function mergeFeatureMessages(feature: string, messages: { en: Messages; 'zh-CN': Messages }): void {
  for (const lang of LANGUAGES) {
    const global = i18n.global as unknown as { mergeLocaleMessage: (l: string, m: Messages) => void }
    global.mergeLocaleMessage(lang, { [feature]: messages[lang] })
  }
}
