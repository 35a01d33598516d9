// The renderers' context on a page: vue-i18n, the people list (usePeople), company names
// (useCustomerNames) and the reader's zone (useFormat). Call inside setup(); the functions read
// reactive state, so computed lines follow a language switch or names arriving.
import { useI18n } from 'vue-i18n'
import { useCustomerNames } from '@/composables/useCustomerNames'
import { formatDate, useFormat } from '@/composables/useFormat'
import { usePeople } from '@/composables/usePeople'
import { renderNotice, noticeTitle, type NoticeSource } from './render'
import { str, type TextContext } from './text'
import { renderTimelineEntry, type TimelineSource } from './timeline'

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function useNoticeText() {
  const { t, te, locale } = useI18n()
  const f = useFormat()
  const { person, nameOf, people } = usePeople()
  const customers = useCustomerNames()

  const ctx: TextContext = {
    t: (key, named, plural) =>
      plural === undefined ? t(key, named ?? {}) : t(key, named ?? {}, plural),
    te: (key) => te(key),
    person: (id) => {
      const who = str(id)
      if (!who) return t('common.unknownPerson')
      if (person(who)) return nameOf(who)
      return te(`customer.actor.${who}`) ? t(`customer.actor.${who}`) : nameOf(who)
    },
    customer: (id, given) => customers.nameOf(str(id), given) || t('common.unknownCustomer'),
    dateTime: (value) => f.dateTime(value as string),
    date: (value) => {
      const v = str(value)
      // a calendar day (a delivery date) is that day everywhere, not an instant to move across zones
      return DAY.test(v) ? formatDate(`${v}T00:00:00Z`, locale.value, 'UTC') : f.date(v)
    },
    country: (code) => f.country(code),
    peopleNames: () => ({ ids: people.keys(), nameOf: (id) => person(id)?.name }),
  }

  return {
    ctx,
    /** A reminder's or inbox entry's line (rendered, or the server's words cleaned). */
    notice: (n: NoticeSource) => renderNotice(n, ctx),
    /** The kind's title in the reader's words, or null for a kind not known here. */
    title: (kind: string) => noticeTitle(kind, ctx),
    /** A timeline entry's sentence. */
    timeline: (e: TimelineSource) => renderTimelineEntry(e, ctx),
    /** Asks the company names of customers the lines name (GET /customers/<id>, once each). */
    ensureCustomers: customers.ensure,
  }
}
