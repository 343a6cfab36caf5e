import { describe, expect, it } from 'vitest'
import { activeFilterCount, emptyFilters, filtersFromRoute, filtersToRoute, matchesFilters, toSignalQuery } from '@/signals/filters'
import { makeSignal } from './helpers'

describe('signal filters', () => {
  it('sends only the filters that are set, plus the page size', () => {
    expect(toSignalQuery(emptyFilters())).toBe('limit=50')
    const filters = { ...emptyFilters(), q: '  "dark mode" -ios ', intent: 'feature_request', status: 'new' }
    expect(toSignalQuery(filters)).toBe('q=%22dark+mode%22+-ios&intent=feature_request&status=new&limit=50')
  })

  it('puts every filter in the query string, in a fixed order, with the cursor last', () => {
    const filters = { q: 'crash OR freeze', source: 'github', intent: 'bug', sentiment: 'negative', urgency: 'critical', status: 'triaged' }
    const params = new URLSearchParams(toSignalQuery(filters, { limit: 25, cursor: 'abc==' }))
    expect([...params.keys()]).toEqual(['q', 'source', 'intent', 'sentiment', 'urgency', 'status', 'limit', 'cursor'])
    expect(params.get('q')).toBe('crash OR freeze')
    expect(params.get('cursor')).toBe('abc==')
    expect(params.get('limit')).toBe('25')
  })

  it('round-trips through the route query', () => {
    const filters = { ...emptyFilters(), q: 'login', source: 'reddit' }
    expect(filtersToRoute(filters)).toEqual({ q: 'login', source: 'reddit' })
    expect(filtersFromRoute({ q: 'login', source: ['reddit', 'x'], bogus: 'y' })).toEqual(filters)
    expect(activeFilterCount(filters)).toBe(2)
  })

  it('tells whether an edited signal still belongs in the filtered list', () => {
    const signal = makeSignal({ triageStatus: 'dismissed', intent: 'bug' })
    expect(matchesFilters(signal, emptyFilters())).toBe(true)
    expect(matchesFilters(signal, { ...emptyFilters(), status: 'new' })).toBe(false)
    expect(matchesFilters(signal, { ...emptyFilters(), status: 'dismissed', intent: 'bug' })).toBe(true)
    expect(matchesFilters(signal, { ...emptyFilters(), intent: 'question' })).toBe(false)
  })
})
