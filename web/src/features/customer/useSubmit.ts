// One write from a form: busy flag, the server's refusal (message) and its field errors
// (details.fields, flattened to dotted paths such as "titles.0.registration_code").
import { computed, ref } from 'vue'
import { ApiError } from '@/api/client'
import { flattenFieldErrors } from '@/components/displayHelpers'

export function useSubmit() {
  const busy = ref(false)
  const error = ref<ApiError | null>(null)
  const fields = computed(() => flattenFieldErrors(error.value?.details?.fields))
  const hasFieldErrors = computed(() => Object.keys(fields.value).length > 0)

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await fn()
    } catch (e) {
      error.value = e instanceof ApiError ? e : new ApiError(0, 'error', (e as Error)?.message ?? String(e))
      return undefined
    } finally {
      busy.value = false
    }
  }

  function reset() {
    error.value = null
  }

  return { busy, error, fields, hasFieldErrors, run, reset }
}
