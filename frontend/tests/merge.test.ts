import { describe, expect, it } from 'vitest'
import { appendPage, mergeFirstPage } from '@/signals/merge'
import { makeSignal } from './helpers'

describe('merging live updates', () => {
  it('puts unseen signals on top and updates shown ones in place', () => {
    const a = makeSignal({ title: 'a' })
    const b = makeSignal({ title: 'b' })
    const c = makeSignal({ title: 'c (new)' })
    const bUpdated = { ...b, triageStatus: 'triaged' as const }
    const { items, added } = mergeFirstPage([a, b], [c, a, bUpdated])
    expect(items.map((s) => s.title)).toEqual(['c (new)', 'a', 'b'])
    expect(items[2]!.triageStatus).toBe('triaged')
    expect(added).toEqual([c.id])
  })

  it('keeps later pages that the fresh first page does not cover', () => {
    const shown = [makeSignal(), makeSignal(), makeSignal()]
    const { items, added } = mergeFirstPage(shown, [shown[0]!])
    expect(items).toHaveLength(3)
    expect(added).toEqual([])
  })

  it('skips duplicates when appending a page', () => {
    const a = makeSignal()
    const b = makeSignal()
    expect(appendPage([a], [a, b]).map((s) => s.id)).toEqual([a.id, b.id])
  })
})
