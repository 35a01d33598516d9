// Calls a page makes on opening, sent as soon as the router knows where it goes: while the session
// is checked and the page's code downloads, rather than after (a route's meta.early sends them,
// router.ts). The page takes each one over once (takeEarly) and sends its own when there is none.
// Only a call sent for the same path, query, language and session is taken; what the navigation's
// page does not take is dropped when the next navigation starts.
import { apiLanguage, buildUrl, type QueryValue } from './client'
import { token } from './token'

const pending = new Map<string, Promise<unknown>>()

function keyOf(path: string, query?: Record<string, QueryValue>): string {
  return `${buildUrl(path, query)} ${apiLanguage()} ${token.value ?? ''}`
}

/** Send ``call()`` now for the page that will ask for ``path`` with ``query``. */
export function sendEarly(path: string, query: Record<string, QueryValue> | undefined, call: () => Promise<unknown>): void {
  const answer = call()
  answer.catch(() => undefined) // a refusal is the page's to show, if it takes the call
  pending.set(keyOf(path, query), answer)
}

/** The early call for ``path`` with ``query``, once (then gone), following ``signal``; or undefined. */
export function takeEarly<T>(path: string, query: Record<string, QueryValue> | undefined, signal?: AbortSignal): Promise<T> | undefined {
  const key = keyOf(path, query)
  const answer = pending.get(key) as Promise<T> | undefined
  if (!answer) return undefined
  pending.delete(key)
  if (!signal) return answer
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DOMException('The call was aborted.', 'AbortError'))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** A new navigation: what the last one sent and its page did not take is not kept. */
export function forgetEarly(): void {
  pending.clear()
}
