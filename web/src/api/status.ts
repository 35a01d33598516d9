// Shared "service unavailable" state, set by the API client on a 503 and shown by ErrorBanner.
import { ref } from 'vue'

export interface Outage {
  service: string | null
  message: string
  at: number
}

export const outage = ref<Outage | null>(null)

export function reportOutage(service: string | null, message: string): void {
  outage.value = { service, message, at: Date.now() }
}

export function clearOutage(): void {
  outage.value = null
}
