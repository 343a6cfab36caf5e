import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import FilterBar from '@/components/FilterBar.vue'
import { emptyFilters, toSignalQuery, type SignalFilters } from '@/signals/filters'

afterEach(() => vi.useRealTimers())

describe('FilterBar', () => {
  it('turns a chip selection into filters and a query string', async () => {
    const wrapper = mount(FilterBar, { props: { filters: emptyFilters() } })
    await wrapper.find('[data-filter=intent] select').setValue('bug')
    const emitted = wrapper.emitted('change')![0]![0] as SignalFilters
    expect(emitted.intent).toBe('bug')
    expect(toSignalQuery(emitted)).toBe('intent=bug&limit=50')
  })

  it('shows active filters on their chip', () => {
    const wrapper = mount(FilterBar, { props: { filters: { ...emptyFilters(), source: 'stackoverflow', status: 'new' } } })
    expect(wrapper.find('[data-filter=source]').classes()).toContain('active')
    expect(wrapper.find('[data-filter=source]').text()).toContain('Source: Stack Overflow')
    expect(wrapper.find('[data-filter=intent]').classes()).not.toContain('active')
    expect(wrapper.find('button').text()).toBe('Clear all')
  })

  it('debounces typing and submits at once on Enter', async () => {
    vi.useFakeTimers()
    const wrapper = mount(FilterBar, { props: { filters: { ...emptyFilters(), source: 'github' }, debounceMs: 300 } })
    const input = wrapper.find('input[type=search]')
    await input.setValue('dark')
    await input.setValue('dark mode')
    expect(wrapper.emitted('change')).toBeUndefined()
    vi.advanceTimersByTime(300)
    expect(wrapper.emitted('change')).toHaveLength(1)
    expect(wrapper.emitted('change')![0]![0]).toMatchObject({ q: 'dark mode', source: 'github' })

    await wrapper.setProps({ filters: { ...emptyFilters(), source: 'github', q: 'dark mode' } })
    await input.setValue('"dark mode" -ios')
    await wrapper.find('form').trigger('submit')
    expect(wrapper.emitted('change')).toHaveLength(2)
    expect(wrapper.emitted('change')![1]![0]).toMatchObject({ q: '"dark mode" -ios' })
    vi.advanceTimersByTime(1000)
    expect(wrapper.emitted('change')).toHaveLength(2)
  })

  it('clears everything', async () => {
    const wrapper = mount(FilterBar, { props: { filters: { ...emptyFilters(), q: 'x', urgency: 'high' } } })
    await wrapper.find('button').trigger('click')
    expect(wrapper.emitted('change')![0]![0]).toEqual(emptyFilters())
  })
})
