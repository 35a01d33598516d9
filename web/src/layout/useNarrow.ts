// True under 768 px (phones): the side menu becomes a drawer, wide tables become cards.
import { onBeforeUnmount, ref } from 'vue'

export const NARROW_QUERY = '(max-width: 767px)'

export function useNarrow() {
  const mq = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(NARROW_QUERY) : null
  const narrow = ref(mq?.matches ?? false)
  const onChange = (e: MediaQueryListEvent) => {
    narrow.value = e.matches
  }
  mq?.addEventListener?.('change', onChange)
  onBeforeUnmount(() => mq?.removeEventListener?.('change', onChange))
  return narrow
}
