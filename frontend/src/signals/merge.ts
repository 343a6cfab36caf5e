import type { Signal } from '@/api/types'

/**
 * Folds a freshly fetched first page into the list on screen: signals already shown are updated in place (so the
 * reader's scroll position and later pages stay put), unseen ones are put on top in server order.
 */
export function mergeFirstPage(current: Signal[], fresh: Signal[]): { items: Signal[]; added: string[] } {
  const freshById = new Map(fresh.map((s) => [s.id, s]))
  const shown = new Set(current.map((s) => s.id))
  const added = fresh.filter((s) => !shown.has(s.id))
  const updated = current.map((s) => freshById.get(s.id) ?? s)
  return { items: [...added, ...updated], added: added.map((s) => s.id) }
}

/** Appends a further page, skipping signals already listed (a live prepend can shift page boundaries). */
export function appendPage(current: Signal[], next: Signal[]): Signal[] {
  const shown = new Set(current.map((s) => s.id))
  return [...current, ...next.filter((s) => !shown.has(s.id))]
}
