// The shared renderer of reminders, inbox entries and timeline entries (src/features/notices):
// every kind in English and Chinese names people and customers, shows times in the reader's zone,
// and never shows an id or "UTC"; the server's words are only the fallback, cleaned the same way.
import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { mount } from '@vue/test-utils'
import { applyLanguage, i18n, t } from '@/i18n'
import type { User } from '@/api/types'
import { rememberCustomerName } from '@/composables/useCustomerNames'
import { _setPeopleForTests } from '@/composables/usePeople'
import { _setSessionForTests } from '@/composables/useSession'
import { NOTICE_KINDS, type NoticeSource } from '@/features/notices/render'
import type { TimelineSource } from '@/features/notices/timeline'
import { useNoticeText } from '@/features/notices/useNoticeText'

const PEOPLE = [
  { id: 'alice', name: 'Alice Wang', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'sam', name: 'Sam Zhou', role: 'member', department: 'service', team: null, active: true },
  { id: 'bob', name: 'Bob Li', role: 'member', department: 'sales', team: 'default', active: true },
  { id: 'meier', name: 'Anna Meier', role: 'manager', department: 'sales', team: 'default', active: true },
]

/** The composable as a page has it (real i18n, people, session in Asia/Shanghai). */
function noticeText(lang: 'en' | 'zh-CN') {
  applyLanguage(lang)
  let api!: ReturnType<typeof useNoticeText>
  mount(defineComponent({ setup: () => ((api = useNoticeText()), () => h('div')) }), { global: { plugins: [i18n] } })
  return api
}

// no record or customer id, no user id as a word, no UTC time
const ID = /\b(?:cus|hof|inq|man|rem|rqc|ntf|com|quo|ord|grp)_\w+|\b(?:alice|sam|bob|meier)\b|UTC/

const CUSTOMER = { customer_id: 'cus_c125590ac933329c3e3cfd60', customer_name: 'Maple Lighting Inc' }
const HANDOFF = {
  handoff_id: 'hof_38aefb095f814ebdbca6', kind: 'sales_to_service', from_user: 'alice',
  missing: 'communications_continuous, special_requirements_marked, solution_offered', info_pending: true,
  pending_until: '2026-12-06T03:50:15+00:00', submitted_at: '2026-12-04T03:50:15+00:00',
}

// Each kind as GET /users/<id>/reminders sends it (details as the notification service writes them),
// with the local times (Asia/Shanghai, UTC+8) and names the line must show.
const REMINDERS: Array<{ n: NoticeSource; shows: string[]; en: RegExp; zh: RegExp }> = [
  {
    n: { kind: 'first_touch', due_at: '2026-12-07T03:46:00Z', details: {}, text: 'First touch with new customer cus_c125590ac933329c3e3cfd60 by 2026-12-07 03:46 UTC.' },
    shows: ['Maple Lighting Inc', '11:46'],
    en: /^Contact Maple Lighting Inc for the first time by .*Dec 7.*11:46\.$/,
    zh: /^请在 12月7日.*11:46 前首次联系 Maple Lighting Inc。$/,
  },
  {
    n: { kind: 'second_touch', due_at: '2026-12-11T03:30:00Z', details: { record_id: 'com_1', contact_at: '2026-12-04T03:30:00+00:00', method: 'phone' } },
    shows: ['Maple Lighting Inc', '11:30'],
    en: /^No answer from Maple Lighting Inc \(Phone, .*Dec 4.*11:30\): try again by .*Dec 11.*11:30\.$/,
    zh: /^Maple Lighting Inc 未回复（电话，12月4日.*11:30）：请在 12月11日.*11:30 前再次联系。$/,
  },
  {
    n: { kind: 'follow_up', due_at: '2026-12-06T03:50:00Z', details: { why: 'an active customer (inquiry) is updated at least every 3 days', last_contact_at: '2026-12-04T03:30:15+00:00', basis: 'active_stage', stage: 'inquiry', every_hours: 72 } },
    shows: ['Maple Lighting Inc', '11:50', '11:30'],
    en: /^Follow up with Maple Lighting Inc by .*11:50 \(an active customer \(Inquiry\) is followed up at least every 3 days; last contact .*11:30\)\.$/,
    zh: /^请在 .*11:50 前跟进 Maple Lighting Inc（活跃客户（询盘）至少每 3 天跟进一次；上次联系 .*11:30）。$/,
  },
  {
    n: { kind: 'follow_up', due_at: '2027-01-03T02:48:00Z', details: { why: 'cadence of intent grade C', last_contact_at: '2026-12-04T02:48:59+00:00' } },
    shows: ['Maple Lighting Inc', '10:48'],
    en: /\(follow-up cadence of intent grade C; last contact .*10:48\)\.$/,
    zh: /（意向等级 C 的跟进频率；上次联系 .*10:48）。$/,
  },
  {
    n: { kind: 'meeting_minutes', due_at: '2026-12-05T06:00:00Z', details: { record_id: 'com_2', meeting_at: '2026-12-04T06:00:00+00:00', method: 'meeting' } },
    shows: ['Maple Lighting Inc', '14:00'],
    en: /^Send the minutes of your meeting with Maple Lighting Inc \(Meeting, .*Dec 4.*14:00\) by .*Dec 5.*14:00\.$/,
    zh: /^请在 .*14:00 前发送与 Maple Lighting Inc 的会议纪要（面谈，.*14:00）。$/,
  },
  {
    n: { kind: 'regrade', due_at: '2027-03-04T03:46:16Z', details: { graded_at: '2026-12-04T03:46:16.687000+00:00', intent_grade: 'B', value_grade: null } },
    shows: ['Maple Lighting Inc', '2027', 'Intent grade B'],
    en: /^Review the grades of Maple Lighting Inc by Mar 4, 2027 \(Intent grade B; last graded Dec 4, 2026\)\.$/,
    zh: /^请在 2027年3月4日 前复核 Maple Lighting Inc 的等级（意向等级 B；上次评级 2026年12月4日）。$/,
  },
  {
    n: { kind: 'recycling_warning', due_at: '2026-12-04T03:00:00Z', details: { returns_at: '2026-12-07T03:00:00+00:00', reason: 'no follow-up recorded for 30 days' } },
    shows: ['Maple Lighting Inc', '11:00'],
    en: /^Maple Lighting Inc returns to the public pool on .*Dec 7.*11:00 unless followed up \(no follow-up recorded for 30 days\)\.$/,
    zh: /^Maple Lighting Inc 如不跟进，将于 .*11:00 自动回收（掉入公海）（30 天没有跟进记录）。$/,
  },
  {
    n: { kind: 'returned_to_pool', due_at: '2026-12-07T03:00:00Z', details: { returned_at: '2026-12-07T03:00:00+00:00', reason: 'recycled: no follow-up recorded for 15 days', by: 'pool' } },
    shows: ['Maple Lighting Inc', '11:00'],
    en: /^Maple Lighting Inc went back to the public pool on .*Dec 7.*11:00 \(.*15.*\)\.$/,
    zh: /^Maple Lighting Inc 已于 .*11:00 回到公海（.*15.*）。$/,
  },
  {
    n: { kind: 'allocation_stalled', due_at: '2026-12-04T03:00:00Z', details: {
      team: 'default', reasons: 'alice: on leave; bob: holds 50 customers, the cap is 50',
      by_person: [{ person: 'alice', reasons: ['on leave'] }, { person: 'bob', reasons: ['holds 50 customers, the cap is 50', "serves DE, FR; customer's country is US"] }],
    } },
    shows: ['Maple Lighting Inc', 'Alice Wang', 'Bob Li'],
    en: /^Nobody in team default can take Maple Lighting Inc; it waits in the public pool\. Alice Wang: on leave; Bob Li: holds 50 customers, the cap is 50, serves Germany, France; the customer is in United States$/,
    zh: /^团队 default 中没有人能接手 Maple Lighting Inc，客户在公海等待分配。 Alice Wang：休假中；Bob Li：已负责 50 个客户，上限 50 个，负责市场 德国，法国；客户所在国家：美国$/,
  },
  {
    n: { kind: 'handoff_waiting', due_at: '2026-12-04T03:50:15Z', details: HANDOFF },
    shows: ['Maple Lighting Inc', 'Alice Wang', '11:50'],
    en: /^Alice Wang handed Maple Lighting Inc over to you \(Sales → service\): sign or return it\. Info pending until .*Dec 6.*11:50: Contact records continuous and showing progress, Special requirements marked, Solution offered\.$/,
    zh: /^Alice Wang 将 Maple Lighting Inc 移交给你（销售部 → 客服部），请签收或退回。 信息待补全，期限 .*11:50：跟进记录连续且有进展，已标注特殊要求，已给方案。$/,
  },
  {
    n: { kind: 'handoff_acceptance', due_at: '2026-12-05T03:50:15Z', details: HANDOFF },
    shows: ['Maple Lighting Inc', 'Alice Wang', '11:50'],
    en: /^The handoff of Maple Lighting Inc from Alice Wang \(Sales → service\) still waits for your signature \(submitted .*Dec 4.*11:50\)\.$/,
    zh: /^Alice Wang 发起的 Maple Lighting Inc 移交（销售部 → 客服部）仍在等待你签收（提交于 .*11:50）。$/,
  },
  {
    n: { kind: 'info_pending', due_at: '2026-12-06T03:50:15Z', details: HANDOFF },
    shows: ['Maple Lighting Inc', 'Alice Wang', '11:50'],
    en: /^Info pending on the handoff of Maple Lighting Inc from Alice Wang \(Sales → service\), due .*Dec 6.*11:50: Contact records continuous and showing progress, Special requirements marked, Solution offered\.$/,
    zh: /^Alice Wang 发起的 Maple Lighting Inc 移交（销售部 → 客服部）信息待补全，期限 .*11:50：跟进记录连续且有进展，已标注特殊要求，已给方案。$/,
  },
  {
    n: { kind: 'handoff_returned', due_at: '2026-12-04T03:40:00Z', details: { handoff_id: 'hof_4c57075ab104400f846b', by: 'sam', reasons: 'voltage not stated; no contact phone', kind: 'sales_to_service' } },
    shows: ['Maple Lighting Inc', 'Sam Zhou', 'voltage not stated'],
    en: /^Sam Zhou returned the handoff of Maple Lighting Inc \(Sales → service\): voltage not stated; no contact phone\.$/,
    zh: /^Sam Zhou 退回了 Maple Lighting Inc 的移交（销售部 → 客服部）：voltage not stated; no contact phone。$/,
  },
  {
    n: { kind: 'owner_handoff', due_at: '2026-12-04T03:40:00Z', details: { handoff_id: 'hof_1a2b3c4d5e6f', kind: 'repair_case', from_user: 'alice', to_users: 'bob', submitted_at: '2026-12-04T03:40:00Z' } },
    shows: ['Maple Lighting Inc', 'Alice Wang', 'Bob Li'],
    en: /^Alice Wang hands your customer Maple Lighting Inc to Bob Li \(Repair case\); it is theirs once accepted\.$/,
    zh: /^Alice Wang 正将你的客户 Maple Lighting Inc 移交给 Bob Li（售后维修）；签收后归对方所有。$/,
  },
  {
    n: { kind: 'handoff_withdrawn', due_at: '2026-12-04T03:40:00Z', details: { handoff_id: 'hof_1a2b3c4d5e6f', by: 'alice', reason: 'sent to the wrong person', kind: 'repair_case' } },
    shows: ['Maple Lighting Inc', 'Alice Wang'],
    en: /^Alice Wang withdrew the handoff of Maple Lighting Inc \(Repair case\): sent to the wrong person\.$/,
    zh: /^Alice Wang 撤回了 Maple Lighting Inc 的移交（售后维修）：sent to the wrong person。$/,
  },
  {
    n: { kind: 'requirement_changed', due_at: '2026-12-04T03:49:56Z', details: { field: 'voltage', before: '(none)', after: '110V', by: 'sam' } },
    shows: ['Maple Lighting Inc', 'Sam Zhou', '110V'],
    en: /^Sam Zhou changed voltage of Maple Lighting Inc: — → 110V\.$/,
    zh: /^Sam Zhou 修改了 Maple Lighting Inc 的电压：— → 110V。$/,
  },
  {
    n: { kind: 'requirement_changed', due_at: '2026-12-04T03:49:56Z', details: { field: 'delivery_date', before: '2027-01-15', after: '2027-01-05', by: 'sam', note: 'deliver 10 days earlier', source: 'whatsapp', order_id: 'ord_1' } },
    shows: ['Maple Lighting Inc', 'Sam Zhou', '2027-01-05', 'deliver 10 days earlier'],
    en: /^Sam Zhou changed delivery date of Maple Lighting Inc: 2027-01-15 → 2027-01-05 \(deliver 10 days earlier\)\. The order changed with it\.$/,
    zh: /^Sam Zhou 修改了 Maple Lighting Inc 的交期：2027-01-15 → 2027-01-05（deliver 10 days earlier）。订单已随之修改。$/,
  },
  {
    n: { kind: 'requirement_changed', due_at: '2026-12-04T03:49:56Z', details: { field: 'target_price', before: null, after: null, by: 'alice' } },
    shows: ['Maple Lighting Inc', 'Alice Wang'],
    en: /^Alice Wang changed target price of Maple Lighting Inc\.$/,
    zh: /^Alice Wang 修改了 Maple Lighting Inc 的目标价。$/,
  },
]

beforeEach(() => {
  _setPeopleForTests(PEOPLE)
  _setSessionForTests({ ...PEOPLE[1], created_at: '2026-01-01T00:00:00Z' } as User, 'Asia/Shanghai')
  rememberCustomerName('cus_other0000000000000001', 'Kessler Licht GmbH')
})

describe('reminders and inbox entries', () => {
  it('has a line for every kind the server makes', () => {
    const kinds = new Set(REMINDERS.map((r) => r.n.kind))
    expect([...NOTICE_KINDS].filter((k) => !kinds.has(k))).toEqual([])
  })

  for (const lang of ['en', 'zh-CN'] as const) {
    for (const { n, shows, en, zh } of REMINDERS) {
      it(`${n.kind} (${Object.keys(n.details ?? {}).join(',') || 'no details'}) in ${lang}`, () => {
        const api = noticeText(lang)
        const line = api.notice({ ...CUSTOMER, ...n })
        expect(line.rendered).toBe(true)
        expect(line.text).toMatch(lang === 'en' ? en : zh)
        for (const s of shows) expect(line.text).toContain(lang === 'zh-CN' && s === 'Intent grade B' ? '意向等级 B' : s)
        expect(line.text).not.toMatch(ID)
        // the same details on an inbox entry read the same
        const entry = api.notice({ ...CUSTOMER, kind: n.kind, due_at: n.due_at, details: n.details, text: 'server body' })
        expect(entry.text).toBe(line.text)
        expect(api.title(n.kind)).toBe(t(`day.kind.${n.kind}`))
      })
    }
  }

  it('falls back to the server words, cleaned, for an unknown kind or missing details', () => {
    const api = noticeText('zh-CN')
    const old = api.notice({
      ...CUSTOMER,
      kind: 'handoff_waiting',
      details: {},
      text: 'A sales to service handoff of customer cus_c125590ac933329c3e3cfd60 from alice waits for you. Info pending until 2026-12-06 03:50 UTC.',
    })
    expect(old.rendered).toBe(false)
    expect(old.text).toMatch(/^A sales to service handoff of Maple Lighting Inc from Alice Wang waits for you\. Info pending until 12月6日.* 11:50\.$/)
    const unknown = api.notice({ kind: 'digest', customer_id: null, details: {}, text: 'Merged cus_other0000000000000001 by meier (hof_38aefb095f814ebdbca6)' })
    expect(unknown).toEqual({ text: 'Merged Kessler Licht GmbH by Anna Meier', rendered: false })
    expect(noticeText('en').notice({ kind: 'x', customer_id: 'cus_nobody', customer_name: null, text: 'About customer cus_nobody.' }).text)
      .toBe('About Unnamed customer.')
  })

  it('says a follow-up planned at the last contact, and the reason of an older reminder, in the reader’s words', () => {
    const zh = noticeText('zh-CN')
    const planned = zh.notice({ ...CUSTOMER, kind: 'follow_up', due_at: '2026-12-06T03:50:00Z', details: { why: 'planned at the last contact', last_contact_at: '2026-12-04T03:30:15+00:00' } })
    expect(planned.text).toContain('上次联系时约定的时间')
    const lost = zh.notice({ ...CUSTOMER, kind: 'follow_up', due_at: '2026-12-06T03:50:00Z', details: { why: 'quarterly win-back of a lost customer', last_contact_at: '2026-12-04T03:30:15+00:00', basis: 'win_back' } })
    expect(lost.text).toContain('流失客户每季度挽回一次')
    const old = noticeText('en').notice({ ...CUSTOMER, kind: 'follow_up', due_at: '2026-12-06T03:50:00Z', details: { why: 'an active customer (quoted) is updated at least every 3 days', last_contact_at: '2026-12-04T03:30:15+00:00' } })
    expect(old.text).toContain('an active customer (Quoted) is followed up at least every 3 days')
  })
})

// Each kind as GET /customers/<id>/timeline sends it (details as profile writes them).
const TIMELINE: Array<{ e: TimelineSource; en: RegExp; zh: RegExp }> = [
  {
    e: { kind: 'reminder_scheduled', summary: 'Reminder for alice: first touch due 2026-12-07 03:50 UTC', actor: 'notification', details: { reminder_kind: 'first_touch', user: 'alice', due_at: '2026-12-07T03:50:00+00:00' } },
    en: /^Reminder for Alice Wang: first contact, due .*Dec 7.*11:50$/,
    zh: /^提醒 Alice Wang：首次联系，.*11:50 到期$/,
  },
  {
    e: { kind: 'owner_assigned', summary: 'Assigned to alice (handed over (sales_to_service hof_38aefb095f814ebdbca6), team default)', actor: 'pool', details: { owner: 'alice', team: 'default', reason: 'handed over (sales_to_service hof_38aefb095f814ebdbca6)' } },
    en: /^Assigned to Alice Wang \(handed over \(Sales → service\); team default\)$/,
    zh: /^分配给 Alice Wang（移交（销售部 → 客服部）；团队 default）$/,
  },
  {
    e: { kind: 'handoff_accepted', summary: 'Handoff sales to service accepted by sam', actor: 'sam', details: { kind: 'sales_to_service', by: 'sam', from: 'alice', new_owner: null } },
    en: /^Sales → service handoff from Alice Wang signed by Sam Zhou$/,
    zh: /^Alice Wang 发起的销售部 → 客服部移交已由 Sam Zhou 签收$/,
  },
  {
    e: { kind: 'customer_created', summary: 'Archive opened from inquiry man_6e2d7161bba4d484317f03c6; intent grade C (no quantity or product named)', actor: 'profile', details: { inquiry_id: 'man_6e2d7161bba4d484317f03c6', intent_grade: 'C', grade_reasons: ['no quantity or product named'] } },
    en: /^Archive opened from an inquiry; intent grade C \(no quantity or product named\)$/,
    zh: /^由询盘建档；意向等级 C（no quantity or product named）$/,
  },
  {
    e: { kind: 'communication_recorded', summary: 'phone by alice: call 1 (recorded 3 h after it happened; the notes convention asks within 1 h)', actor: 'alice', details: { method: 'phone', by: 'alice', note: 'call 1: customer confirmed 2000 pcs', customer_words: 'We need them before May', late_minutes: 190, within_minutes: 60 } },
    en: /^Phone by Alice Wang: call 1: customer confirmed 2000 pcs — customer: “We need them before May” \(recorded 3 h 10 min after it happened; the notes convention asks within 1 h\)$/,
    zh: /^Alice Wang 电话：call 1: customer confirmed 2000 pcs — 客户原话：“We need them before May”（事后 3 小时 10 分钟 才记录；记录规范要求 1 小时 内记录）$/,
  },
  {
    e: { kind: 'recycling_warned', summary: 'alice warned: returns to the public pool at 2026-12-07 03:00 UTC (no deal within 90 days of claiming)', actor: 'pool', details: { owner: 'alice', returns_at: '2026-12-07T03:00:00+00:00', reason: 'no deal within 90 days of claiming' } },
    en: /^Alice Wang warned: returns to the public pool on .*Dec 7.*11:00 \(no deal within 90 days of claiming\)$/,
    zh: /^已提醒 Alice Wang：客户将于 .*11:00 自动回收（掉入公海）（领取后 90 天内未成交）$/,
  },
  {
    e: { kind: 'returned_to_pool', summary: 'Moved from alice to the public pool by alice: released: no budget', actor: 'alice', details: { state: 'public_pool', previous_owner: 'alice', by: 'alice', reason: 'released: no budget this year' } },
    en: /^Moved from Alice Wang to Public pool by Alice Wang: released: no budget this year$/,
    zh: /^Alice Wang 将客户从 Alice Wang 处移至公海：释放：no budget this year$/,
  },
  {
    e: { kind: 'collaborators_changed', summary: 'Collaborators now: sam, bob (by alice)', actor: 'alice', details: { collaborators: ['sam', 'bob'], by: 'alice' } },
    en: /^Collaborators now: Sam Zhou, Bob Li \(by Alice Wang\)$/,
    zh: /^协作人现为：Sam Zhou，Bob Li（Alice Wang 操作）$/,
  },
  {
    e: { kind: 'stage_changed', summary: 'Stage inquiry → quoted by alice: quote recorded', actor: 'alice', details: { before: 'inquiry', after: 'quoted', by: 'alice', reason: 'quote recorded' } },
    en: /^Stage Inquiry → Quoted by Alice Wang: quote recorded$/,
    zh: /^Alice Wang 将阶段从询盘改为报价：已报价$/,
  },
  {
    e: { kind: 'graded', summary: 'Graded by value_grading: value — → B', actor: 'value_grading', details: { by: 'value_grading', grades: [{ grade: 'value_grade', before: null, after: 'B' }], reason: null } },
    en: /^Graded by Value grading: Value grade — → B$/,
    zh: /^价值评级 评级：价值等级 — → B$/,
  },
  {
    e: { kind: 'quote_recorded', summary: 'Quote by alice: LED panel × 2000, valid until 2027-01-05', actor: 'alice', details: { by: 'alice', product: 'LED panel', quantity: 2000, valid_until: '2027-01-04T20:00:00+00:00' } },
    en: /^Quote by Alice Wang: LED panel × 2000, valid until Jan 5, 2027$/,
    zh: /^Alice Wang 报价：LED panel × 2000，有效期至 2027年1月5日$/,
  },
  {
    e: { kind: 'order_recorded', summary: 'Order recorded by alice: LP-6060, delivery 2027-02-20', actor: 'alice', details: { by: 'alice', products: ['LP-6060'], delivery_date: '2027-02-20', payment_method: '30% T/T deposit' } },
    en: /^Order recorded by Alice Wang: LP-6060, delivery Feb 20, 2027, payment 30% T\/T deposit$/,
    zh: /^Alice Wang 录入订单：LP-6060，交期 2027年2月20日，付款方式 30% T\/T deposit$/,
  },
  {
    e: { kind: 'customers_merged', summary: 'Merged cus_other0000000000000001 (Kessler Licht GmbH, owned by bob) into this archive by meier', actor: 'meier', details: { absorbed_id: 'cus_other0000000000000001', company: 'Kessler Licht GmbH', owner: 'bob', by: 'meier' } },
    en: /^Merged Kessler Licht GmbH \(owned by Bob Li\) into this archive by Anna Meier$/,
    zh: /^Anna Meier 将 Kessler Licht GmbH（负责人 Bob Li）合并到本档案$/,
  },
  {
    e: { kind: 'flagged_for_review', summary: 'May be the same customer as cus_other0000000000000001: waiting for a person to decide', actor: 'profile', details: { candidates: ['cus_other0000000000000001'] } },
    en: /^May be the same customer as Kessler Licht GmbH: waiting for a person to decide$/,
    zh: /^可能与 Kessler Licht GmbH 是同一客户，等待人工确认$/,
  },
  {
    e: { kind: 'details_updated', summary: 'Details updated by alice: city: — → Berlin; target price: changed', actor: 'alice', details: { by: 'alice', changes: [{ field: 'city', change: '— → Berlin' }, { field: 'target_price', change: 'changed' }] } },
    en: /^Details updated by Alice Wang: City: — → Berlin; Target price: changed$/,
    zh: /^Alice Wang 更新了资料：城市：— → Berlin；目标价：已修改$/,
  },
  {
    e: { kind: 'group_linked', summary: 'Linked with cus_other0000000000000001 in group Kessler by alice', actor: 'alice', details: { group_id: 'grp_1', group_name: 'Kessler', other: 'cus_other0000000000000001', by: 'alice' } },
    en: /^Linked with Kessler Licht GmbH in group Kessler by Alice Wang$/,
    zh: /^Alice Wang 将本档案与 Kessler Licht GmbH 关联到集团“Kessler”$/,
  },
  {
    e: { kind: 'inquiry_received', summary: 'Inquiry via website_form: “Need 2,000 panels”', actor: 'intake', details: { channel: 'website_form', campaign: null, matched_on: 'email', message: 'Need 2,000 panels' } },
    en: /^Inquiry via website form: “Need 2,000 panels” — merged into this archive \(same email\)$/,
    zh: /^询盘来源：官网表单：“Need 2,000 panels” — 已并入本档案（邮箱相同）$/,
  },
  {
    e: { kind: 'handoff_submitted', summary: 'sales to service hof_38aefb095f814ebdbca6: handed over by alice to sam', actor: 'alice', details: { kind: 'sales_to_service', action: 'submitted', by: 'alice', from: 'alice', to: ['sam'], note: null } },
    en: /^Alice Wang handed it over to Sam Zhou \(Sales → service\)$/,
    zh: /^Alice Wang 移交给 Sam Zhou（销售部 → 客服部）$/,
  },
  {
    e: { kind: 'requirement_changed', summary: 'voltage: 220V → 110V, via whatsapp', actor: 'sam', details: { field: 'voltage', before: '220V', after: '110V', by: 'sam', note: null, source: 'whatsapp', priced: false } },
    en: /^voltage: 220V → 110V, via whatsapp$/,
    zh: /^电压：220V → 110V，来源：whatsapp$/,
  },
  {
    e: { kind: 'order_amended', summary: 'Order delivery date: 2027-01-15 → 2027-01-05 by sam (deliver 10 days earlier)', actor: 'sam', details: { order_id: 'ord_1', field: 'delivery_date', before: '2027-01-15', after: '2027-01-05', by: 'sam', note: 'deliver 10 days earlier' } },
    en: /^Order delivery date: 2027-01-15 → 2027-01-05 by Sam Zhou \(deliver 10 days earlier\)$/,
    zh: /^Sam Zhou 修改订单交期：2027-01-15 → 2027-01-05（deliver 10 days earlier）$/,
  },
]

describe('timeline entries', () => {
  for (const lang of ['en', 'zh-CN'] as const) {
    for (const { e, en, zh } of TIMELINE) {
      it(`${e.kind} in ${lang}`, () => {
        const line = noticeText(lang).timeline(e)
        expect(line.rendered).toBe(true)
        expect(line.text).toMatch(lang === 'en' ? en : zh)
        expect(line.text).not.toMatch(ID)
      })
    }
  }

  it('shows older entries (no details) from the summary with names and local times', () => {
    const api = noticeText('en')
    const old = (summary: string, kind = 'reminder_scheduled') => api.timeline({ kind, summary, actor: 'notification', details: {} })
    expect(old('Reminder for alice: first touch due 2026-12-07 03:50 UTC')).toEqual({
      text: expect.stringMatching(/^Reminder for Alice Wang: first touch due .*Dec 7.*11:50$/),
      rendered: false,
    })
    expect(old('Archive opened from inquiry man_6e2d7161bba4d484317f03c6; intent grade C (no quantity)', 'customer_created').text)
      .toBe('Archive opened from an inquiry; intent grade C (no quantity)')
    expect(old('Assigned to alice (handed over (sales_to_service hof_38aefb095f814ebdbca6), team default)', 'owner_assigned').text)
      .toBe('Assigned to Alice Wang (handed over (sales_to_service), team default)')
    expect(old('Merged cus_other0000000000000001 (Kessler, owned by bob) by meier', 'customers_merged').text)
      .toBe('Merged Kessler Licht GmbH (Kessler, owned by Bob Li) by Anna Meier')
    for (const { e } of TIMELINE) expect(api.timeline({ ...e, details: undefined }).text).not.toMatch(ID)
  })
})
