// Labels for server values (stages, pool states, custom fields), from the shared words where they
// exist, else this feature's, else the value itself.
import { useI18n } from 'vue-i18n'

export function useStageLabel() {
  const { t, te } = useI18n()
  return (stage: string | null | undefined): string => {
    if (!stage) return ''
    if (te(`common.stage.${stage}`)) return t(`common.stage.${stage}`)
    if (te(`common.poolState.${stage}`)) return t(`common.poolState.${stage}`)
    return stage.replace(/_/g, ' ')
  }
}

export function useLabel(prefix: string) {
  const { t, te } = useI18n()
  return (value: string | null | undefined): string => {
    if (!value) return ''
    const key = `${prefix}.${value}`
    return te(key) ? t(key) : value.replace(/_/g, ' ')
  }
}
