// Unread inbox count for the bell: GET /users/<me>/inbox?unread=true&limit=1 (its `total`),
// every 20 s while the tab is visible. Call refresh() after the person reads something.
import { onBeforeUnmount, onMounted, ref } from 'vue'
import { api } from '@/api/client'
import type { Page } from '@/api/types'
import { useSession } from './useSession'

export const INBOX_POLL_MS = 20_000

const count = ref<number | null>(null)
let timer: ReturnType<typeof setInterval> | null = null
let users = 0

export async function refreshInboxCount(): Promise<void> {
  const { userId } = useSession()
  if (!userId.value) return
  try {
    const page = await api<Page<unknown>>('GET', `/users/${encodeURIComponent(userId.value)}/inbox`, {
      query: { unread: true, limit: 1 },
    })
    count.value = page.total ?? 0
  } catch {
    /* keep the last figure; a 503 shows the banner */
  }
}

function start(): void {
  stop()
  timer = setInterval(() => void refreshInboxCount(), INBOX_POLL_MS)
}

function stop(): void {
  if (timer) clearInterval(timer)
  timer = null
}

function onVisibility(): void {
  if (document.visibilityState === 'hidden') stop()
  else {
    void refreshInboxCount()
    start()
  }
}

/** poll: true in the one component that owns the bell (the shell); others just read/refresh. */
export function useInboxCount(options: { poll?: boolean } = {}) {
  if (options.poll) {
    onMounted(() => {
      users += 1
      if (users === 1) {
        void refreshInboxCount()
        if (document.visibilityState !== 'hidden') start()
        document.addEventListener('visibilitychange', onVisibility)
      }
    })
    onBeforeUnmount(() => {
      users -= 1
      if (users === 0) {
        stop()
        document.removeEventListener('visibilitychange', onVisibility)
      }
    })
  }
  return { count, refresh: refreshInboxCount }
}
