import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import SignalRow from '@/components/SignalRow.vue'
import { makeSignal } from './helpers'

describe('SignalRow', () => {
  it('renders title, excerpt, author, badges and status', () => {
    const signal = makeSignal({ title: 'Export crashes', excerpt: 'Every CSV export crashes.', clusterSize: 4, productAreas: ['export', 'android'], tags: ['p1'] })
    const wrapper = mount(SignalRow, { props: { signal, canEdit: true, now: new Date('2025-01-01T12:00:00Z') } })
    expect(wrapper.find('.signal-title').text()).toBe('Export crashes')
    expect(wrapper.find('.signal-excerpt').text()).toBe('Every CSV export crashes.')
    expect(wrapper.find('.author').text()).toBe('The Octocat (@octocat)')
    expect(wrapper.find('[data-test=intent]').text()).toBe('Bug')
    expect(wrapper.find('[data-test=intent]').classes()).toContain('tone-red')
    expect(wrapper.find('[data-test=intent]').attributes('title')).toBe('Intent · 91% confidence')
    expect(wrapper.find('[data-test=sentiment]').text()).toBe('Negative')
    expect(wrapper.find('[data-test=urgency]').classes()).toContain('tone-orange')
    expect(wrapper.find('[data-test=status]').text()).toBe('New')
    expect(wrapper.find('.cluster').text()).toBe('+3 similar')
    expect(wrapper.findAll('.area').map((a) => a.text())).toEqual(['export', 'android'])
    expect(wrapper.find('.tag').text()).toBe('#p1')
    expect(wrapper.find('time').text()).toBe('2h ago')
  })

  it('marks a low-confidence intent', () => {
    const wrapper = mount(SignalRow, { props: { signal: makeSignal({ intentConfidence: 0.4 }), canEdit: false } })
    expect(wrapper.find('[data-test=intent]').classes()).toContain('dashed')
  })

  it('opens source links in a new tab without opener or referrer', () => {
    const wrapper = mount(SignalRow, { props: { signal: makeSignal({ url: 'https://github.com/acme/app/issues/7' }), canEdit: false } })
    const links = wrapper.findAll('a')
    expect(links.length).toBe(2)
    for (const link of links) {
      expect(link.attributes('target')).toBe('_blank')
      expect(link.attributes('rel')).toBe('noopener noreferrer')
    }
    expect(links[0]!.attributes('href')).toBe('https://github.com/acme/app/issues/7')
  })

  it('renders HTML in user text as inert text', () => {
    const payload = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">'
    const signal = makeSignal({
      title: payload,
      excerpt: '<b>bold</b> <iframe src="https://evil.example"></iframe>',
      author: { username: '<img src=y onerror=alert(1)>', displayName: '<svg onload=alert(1)>', profileUrl: 'javascript:alert(1)' },
      productAreas: ['<u>area</u>'],
      tags: ['<i>t</i>'],
    })
    const wrapper = mount(SignalRow, { props: { signal, canEdit: true }, attachTo: document.body })
    const root = wrapper.element as HTMLElement
    expect(root.querySelector('script, img, iframe, svg:not([aria-hidden]), b, u, i')).toBeNull()
    expect(wrapper.find('.signal-title').text()).toBe(payload)
    expect(wrapper.find('.author').text()).toContain('<svg onload=alert(1)>')
    expect(root.innerHTML).toContain('&lt;img src=x onerror=')
    expect((window as unknown as { __pwned?: boolean }).__pwned).toBeUndefined()
    wrapper.unmount()
  })

  it('never makes a non-http URL clickable', () => {
    for (const url of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,hi', 'vbscript:x', '//evil.example/x']) {
      const wrapper = mount(SignalRow, { props: { signal: makeSignal({ url, author: null }), canEdit: false } })
      expect(wrapper.find('a').exists()).toBe(false)
      expect(wrapper.find('span.signal-title').exists()).toBe(true)
    }
  })

  it('emits triage actions and intent corrections', async () => {
    const wrapper = mount(SignalRow, { props: { signal: makeSignal({ intent: 'bug' }), canEdit: true } })
    await wrapper.findAll('button').find((b) => b.text() === 'Dismiss')!.trigger('click')
    await wrapper.findAll('button').find((b) => b.text() === 'Spam')!.trigger('click')
    await wrapper.findAll('button').find((b) => b.text() === 'Triage')!.trigger('click')
    expect(wrapper.emitted('triage')).toEqual([['dismissed'], ['spam'], ['triaged']])
    await wrapper.find('select').setValue('feature_request')
    expect(wrapper.emitted('intent')).toEqual([['feature_request']])
  })

  it('hides triage controls from viewers and offers reopen for closed signals', () => {
    const viewer = mount(SignalRow, { props: { signal: makeSignal(), canEdit: false } })
    expect(viewer.find('button').exists()).toBe(false)
    expect(viewer.find('select').exists()).toBe(false)
    const closed = mount(SignalRow, { props: { signal: makeSignal({ triageStatus: 'dismissed' }), canEdit: true } })
    expect(closed.classes()).toContain('closed')
    expect(closed.findAll('button').map((b) => b.text())).toContain('Reopen')
    expect(closed.findAll('button').find((b) => b.text() === 'Dismiss')!.attributes('disabled')).toBeDefined()
  })
})
