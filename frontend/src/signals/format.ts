/** Only http(s) links are clickable; anything else (javascript:, data:, relative paths) renders as plain text. */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return null
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
}


/** "just now", "5m ago", "3h ago", "2d ago", then a date. Compact on purpose: the inbox is dense. */
export function relativeTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const then = new Date(iso)
  if (Number.isNaN(then.getTime())) return ''
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000)
  if (seconds < 45) return 'just now'
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m ago`
  if (seconds < 24 * 3600) return `${Math.round(seconds / 3600)}h ago`
  if (seconds < 7 * 24 * 3600) return `${Math.round(seconds / 86400)}d ago`
  return then.toLocaleDateString(undefined, { year: then.getFullYear() === now.getFullYear() ? undefined : 'numeric', month: 'short', day: 'numeric' })
}

export function absoluteTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString()
}

