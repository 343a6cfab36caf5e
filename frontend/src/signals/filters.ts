import type { LocationQuery, LocationQueryRaw } from 'vue-router'

/** The inbox's filter state. Empty string = no filter. Kept in the URL so views can be shared and survive reloads. */
export interface SignalFilters {
  q: string
  source: string
  intent: string
  sentiment: string
  urgency: string
  status: string
}

export const filterKeys = ['source', 'intent', 'sentiment', 'urgency', 'status'] as const
export type FilterKey = (typeof filterKeys)[number]

export const PAGE_SIZE = 50

export function emptyFilters(): SignalFilters {
  return { q: '', source: '', intent: '', sentiment: '', urgency: '', status: '' }
}

/** The query string of GET /signals, in a fixed order; empty filters are left out. */
export function toSignalQuery(filters: SignalFilters, page: { limit?: number; cursor?: string | null } = {}): string {
  const params = new URLSearchParams()
  const q = filters.q.trim()
  if (q) params.set('q', q)
  for (const key of filterKeys) {
    const value = filters[key].trim()
    if (value) params.set(key, value)
  }
  params.set('limit', String(page.limit ?? PAGE_SIZE))
  if (page.cursor) params.set('cursor', page.cursor)
  return params.toString()
}

function single(value: LocationQuery[string] | undefined): string {
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' ? first : ''
}

export function filtersFromRoute(query: LocationQuery): SignalFilters {
  const filters = emptyFilters()
  filters.q = single(query.q)
  for (const key of filterKeys) filters[key] = single(query[key])
  return filters
}

export function filtersToRoute(filters: SignalFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (filters.q.trim()) query.q = filters.q.trim()
  for (const key of filterKeys) if (filters[key]) query[key] = filters[key]
  return query
}

export function activeFilterCount(filters: SignalFilters): number {
  return filterKeys.filter((key) => filters[key] !== '').length + (filters.q.trim() ? 1 : 0)
}

/** Whether a signal still belongs in a list filtered this way (after a local edit such as a triage click). */
export function matchesFilters(
  signal: { source: string; intent: string | null; sentiment: string | null; urgency: string | null; triageStatus: string },
  filters: SignalFilters,
): boolean {
  if (filters.source && signal.source !== filters.source) return false
  if (filters.intent && signal.intent !== filters.intent) return false
  if (filters.sentiment && signal.sentiment !== filters.sentiment) return false
  if (filters.urgency && signal.urgency !== filters.urgency) return false
  if (filters.status && signal.triageStatus !== filters.status) return false
  return true
}
