// A textarea's text kept in localStorage until it is saved (clear()), so a reload, a crash or a
// closed dialog loses nothing. Key it by what it is about, e.g. `contact:<customer id>`.
import { computed, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'

const PREFIX = 'baton.draft.'

function read(key: string): string {
  try {
    return localStorage.getItem(PREFIX + key) ?? ''
  } catch {
    return ''
  }
}

function write(key: string, text: string): void {
  try {
    if (text) localStorage.setItem(PREFIX + key, text)
    else localStorage.removeItem(PREFIX + key)
  } catch {
    /* storage full or unavailable: the text stays in memory */
  }
}

export function useDraft(key: MaybeRefOrGetter<string>) {
  const currentKey = computed(() => toValue(key))
  const text = ref(read(currentKey.value))
  /** True when the text came back from an earlier, unsaved visit. */
  const restored = ref(text.value !== '')
  let switching = false

  watch(currentKey, (k) => {
    switching = true
    text.value = read(k)
    restored.value = text.value !== ''
    switching = false
  })
  watch(text, (v) => {
    if (!switching) write(currentKey.value, v)
  }, { flush: 'sync' })

  function clear(): void {
    text.value = ''
    restored.value = false
    write(currentKey.value, '')
  }

  return { text, restored, clear }
}
