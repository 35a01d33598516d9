// Downloads a file the API answers (an export: CSV, XLSX) with the person's token, and hands it to
// the browser under the name the server gave in Content-Disposition. Errors are ApiErrors as for api().
import { ApiError, buildUrl, toApiError, type QueryValue } from './client'
import { token } from './token'

export function filenameOf(disposition: string | null, fallback: string): string {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '')
  return match ? decodeURIComponent(match[1]) : fallback
}

export async function download(path: string, query: Record<string, QueryValue>, fallbackName: string): Promise<string> {
  const headers: Record<string, string> = {}
  if (token.value) headers.Authorization = `Bearer ${token.value}`
  let res: Response
  try {
    res = await fetch(buildUrl(path, query), { headers })
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error)?.message ?? 'network error')
  }
  if (!res.ok) throw await toApiError(res)
  const name = filenameOf(res.headers.get('Content-Disposition'), fallbackName)
  const blob = await res.blob()
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = name
  document.body.appendChild(link)
  link.click()
  link.remove()
  // let the browser start the download before the address is freed
  setTimeout(() => URL.revokeObjectURL(href), 10_000)
  return name
}
