import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { ref } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import InboxView from '@/views/InboxView.vue'
import { workspaceEventsKey } from '@/realtime/context'
import type { WorkspaceEvent, WorkspaceEvents } from '@/realtime/events'
import type { Signal } from '@/api/types'
import { session } from '@/session'
import { jsonResponse, makeSignal, mockFetch, type FetchCall } from './helpers'

const WS = '0199aaaa-0000-7000-8000-000000000001'

function fakeEvents() {
  const listeners = new Set<(e: WorkspaceEvent) => void>()
  const events = {
    status: ref('live'),
    subscribe(listener: (e: WorkspaceEvent) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  const fire = (e: WorkspaceEvent) => listeners.forEach((l) => l(e))
  return { events: events as unknown as WorkspaceEvents, fire }
}

async function mountInbox(path: string, role: 'viewer' | 'member' = 'member') {
  session.me = { userId: 'u1', email: 'pm@example.test', displayName: null, workspaces: [{ id: WS, name: 'Acme', slug: 'acme', role }] }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/w/:workspaceId/inbox', name: 'inbox', component: InboxView },
      { path: '/w/:workspaceId/settings/api-keys', name: 'api-keys', component: { template: '<div />' } },
    ],
  })
  await router.push(path)
  await router.isReady()
  const { events, fire } = fakeEvents()
  const wrapper = mount(InboxView, { global: { plugins: [router], provide: { [workspaceEventsKey as symbol]: events } } })
  await flushPromises()
  return { wrapper, router, fire }
}

function signalsApi(pages: (call: FetchCall) => { items: Signal[]; nextCursor: string | null }) {
  return mockFetch((call) => {
    if (call.method === 'GET' && call.url.includes('/signals')) return jsonResponse(200, pages(call))
    if (call.method === 'PATCH') {
      const id = call.url.split('/').pop()!
      return jsonResponse(200, makeSignal({ id, ...(call.body as object) }))
    }
    return jsonResponse(404, { title: 'Not found', status: 404 })
  })
}

beforeEach(() => {
  session.me = null
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('InboxView', () => {
  it('loads the first page with the filters from the address bar', async () => {
    const items = [makeSignal({ title: 'First' }), makeSignal({ title: 'Second' })]
    const { calls } = signalsApi(() => ({ items, nextCursor: null }))
    const { wrapper } = await mountInbox(`/w/${WS}/inbox?q=export&intent=bug&status=new`)
    expect(calls[0]!.url).toBe(`/api/v1/workspaces/${WS}/signals?q=export&intent=bug&status=new&limit=50`)
    expect(wrapper.findAll('.signal .signal-title').map((t) => t.text())).toEqual(['First', 'Second'])
    expect(wrapper.find('.page-head .subtle').text()).toContain('2 signals')
  })

  it('changing a filter chip updates the address and refetches', async () => {
    const { calls } = signalsApi(() => ({ items: [makeSignal()], nextCursor: null }))
    const { wrapper, router } = await mountInbox(`/w/${WS}/inbox`)
    await wrapper.find('[data-filter=sentiment] select').setValue('negative')
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ sentiment: 'negative' })
    expect(calls.at(-1)!.url).toBe(`/api/v1/workspaces/${WS}/signals?sentiment=negative&limit=50`)
  })

  it('loads more with the cursor and appends', async () => {
    const first = [makeSignal({ title: 'p1' })]
    const second = [makeSignal({ title: 'p2' })]
    const { calls } = signalsApi((call) => (call.url.includes('cursor=') ? { items: second, nextCursor: null } : { items: first, nextCursor: 'c/2+' }))
    const { wrapper } = await mountInbox(`/w/${WS}/inbox`)
    await wrapper.findAll('button').find((b) => b.text() === 'Load more')!.trigger('click')
    await flushPromises()
    expect(calls.at(-1)!.url).toContain('limit=50&cursor=c%2F2%2B')
    expect(wrapper.findAll('.signal .signal-title').map((t) => t.text())).toEqual(['p1', 'p2'])
    expect(wrapper.text()).toContain('End of list')
  })

  it('shows a signal created elsewhere without a reload when the hub says so', async () => {
    const old = makeSignal({ title: 'Old' })
    const arrived = makeSignal({ title: 'Just arrived' })
    let served = [old]
    const { calls } = signalsApi(() => ({ items: served, nextCursor: null }))
    const { wrapper, fire } = await mountInbox(`/w/${WS}/inbox`)
    served = [arrived, old]
    fire({ type: 'signalCreated', payload: { workspaceId: WS, signalId: arrived.id, clusterId: null, sequence: 1 } })
    fire({ type: 'clusterUpdated', payload: { workspaceId: WS, signalId: null, clusterId: 'c', sequence: 2 } })
    await vi.waitFor(() => expect(wrapper.findAll('.signal').length).toBe(2), { timeout: 3000 })
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(2)
    expect(wrapper.findAll('.signal .signal-title').map((t) => t.text())).toEqual(['Just arrived', 'Old'])
    expect(wrapper.find('.signal').classes()).toContain('fresh')
  })

  it('dismisses a signal, and drops it from a list filtered to new', async () => {
    const target = makeSignal({ title: 'Noise' })
    const { calls } = signalsApi(() => ({ items: [target, makeSignal({ title: 'Keep' })], nextCursor: null }))
    const { wrapper } = await mountInbox(`/w/${WS}/inbox?status=new`)
    await wrapper.find(`[data-signal-id="${target.id}"]`).findAll('button').find((b) => b.text() === 'Dismiss')!.trigger('click')
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.url).toBe(`/api/v1/workspaces/${WS}/signals/${target.id}`)
    expect(patch.body).toEqual({ triageStatus: 'dismissed' })
    expect(wrapper.findAll('.signal .signal-title').map((t) => t.text())).toEqual(['Keep'])
    expect(wrapper.find('.toast').text()).toContain('Undo')
  })

  it('keeps a dismissed signal visible (and marked) in the unfiltered list; corrects intent', async () => {
    const target = makeSignal({ title: 'Noise', intent: 'bug' })
    const { calls } = signalsApi(() => ({ items: [target], nextCursor: null }))
    const { wrapper } = await mountInbox(`/w/${WS}/inbox`)
    const row = () => wrapper.find(`[data-signal-id="${target.id}"]`)
    await row().findAll('button').find((b) => b.text() === 'Dismiss')!.trigger('click')
    await flushPromises()
    expect(row().attributes('data-status')).toBe('dismissed')
    await row().find('select').setValue('question')
    await flushPromises()
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ triageStatus: 'dismissed' }, { intent: 'question' }])
  })

  it('rolls back and explains when a triage change fails', async () => {
    const target = makeSignal()
    mockFetch((call) =>
      call.method === 'PATCH'
        ? jsonResponse(403, { title: 'Forbidden', status: 403, detail: 'This action needs the member role; you are viewer.' })
        : jsonResponse(200, { items: [target], nextCursor: null }),
    )
    const { wrapper } = await mountInbox(`/w/${WS}/inbox`)
    await wrapper.findAll('button').find((b) => b.text() === 'Spam')!.trigger('click')
    await flushPromises()
    expect(wrapper.find('.signal').attributes('data-status')).toBe('new')
    expect(wrapper.find('.toast').text()).toContain('needs the member role')
  })

  it('shows empty states that say why', async () => {
    signalsApi(() => ({ items: [], nextCursor: null }))
    const plain = await mountInbox(`/w/${WS}/inbox`)
    expect(plain.wrapper.find('.empty-state').text()).toContain('No signals yet')
    const filtered = await mountInbox(`/w/${WS}/inbox?urgency=critical`)
    expect(filtered.wrapper.find('.empty-state').text()).toContain('No signals match these filters')
  })

  it('shows the server problem and retries', async () => {
    let fail = true
    mockFetch(() =>
      fail
        ? jsonResponse(500, { title: 'Unexpected error', status: 500, detail: 'The server could not complete the request.' })
        : jsonResponse(200, { items: [makeSignal({ title: 'Back' })], nextCursor: null }),
    )
    const { wrapper } = await mountInbox(`/w/${WS}/inbox`)
    expect(wrapper.find('.error-state').text()).toContain('The server could not complete the request.')
    fail = false
    await wrapper.find('.error-state button').trigger('click')
    await flushPromises()
    expect(wrapper.find('.signal-title').text()).toBe('Back')
  })

  it('does not offer triage to viewers', async () => {
    signalsApi(() => ({ items: [makeSignal()], nextCursor: null }))
    const { wrapper } = await mountInbox(`/w/${WS}/inbox`, 'viewer')
    expect(wrapper.find('.signal button').exists()).toBe(false)
  })
})
