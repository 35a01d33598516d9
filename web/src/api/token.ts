// The bearer token, kept in localStorage so a reload stays signed in.
import { ref } from 'vue'

const KEY = 'baton.token'

function read(): string | null {
  try {
    return localStorage.getItem(KEY)
  } catch {
    return null
  }
}

export const token = ref<string | null>(read())

export function setToken(value: string | null): void {
  token.value = value
  try {
    if (value) localStorage.setItem(KEY, value)
    else localStorage.removeItem(KEY)
  } catch {
    /* storage unavailable (private mode): keep it in memory */
  }
}
