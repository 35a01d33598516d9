// Labels for checklist item names (rules of services/handoff/domain/checklists.py). An item a
// plugin adds keeps its own name; the server's reason always says what was found or is missing.
import { computed } from 'vue'
import { useI18n } from 'vue-i18n'

export const ITEM_NAMES = [
  'source_recorded',
  'basic_info_complete',
  'need_is_specific',
  'contact_attempted',
  'communications_continuous',
  'intent_level_set',
  'special_requirements_marked',
  'deal_status_updated',
  'order_details_complete',
  'needs_and_pain_points',
  'solution_offered',
  'history_recorded',
  'open_items_listed',
  'case_described',
  'cautions_recorded',
]

export function useItemLabels() {
  const { t } = useI18n()
  return computed<Record<string, string>>(() => Object.fromEntries(ITEM_NAMES.map((n) => [n, t(`handoffs.item.${n}`)])))
}
