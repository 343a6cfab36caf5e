import { describe, expect, it, vi } from 'vitest'
import { WorkspaceEvents, type HubConnectionLike, type WorkspaceEvent } from '@/realtime/events'

class FakeHub implements HubConnectionLike {
  state = 'Disconnected'
  handlers = new Map<string, (...args: unknown[]) => void>()
  invoked: unknown[][] = []
  failStarts = 0
  reconnecting?: () => void
  reconnected?: () => void
  closed?: () => void
  stopped = false

  on(method: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(method, handler)
  }
  off(method: string) {
    this.handlers.delete(method)
  }
  async start() {
    if (this.failStarts > 0) {
      this.failStarts--
      throw new Error('negotiate failed')
    }
    this.state = 'Connected'
  }
  async stop() {
    this.stopped = true
    this.state = 'Disconnected'
  }
  async invoke(...args: unknown[]) {
    this.invoked.push(args)
    return undefined
  }
  onreconnecting(handler: () => void) {
    this.reconnecting = handler
  }
  onreconnected(handler: () => void) {
    this.reconnected = handler
  }
  onclose(handler: () => void) {
    this.closed = handler
  }
  emit(method: string, payload: unknown) {
    this.handlers.get(method)?.(payload)
  }
}

const WS = '0199aaaa-0000-7000-8000-000000000001'

function setup(hub = new FakeHub()) {
  const timers: { fn: () => void; ms: number }[] = []
  const events = new WorkspaceEvents(() => hub, { setTimer: (fn, ms) => timers.push({ fn, ms }), clearTimer: () => undefined })
  const received: WorkspaceEvent[] = []
  events.subscribe((e) => received.push(e))
  return { hub, events, received, timers }
}

describe('WorkspaceEvents', () => {
  it('joins the workspace after connecting and goes live', async () => {
    const { hub, events } = setup()
    await events.join(WS)
    expect(hub.invoked).toEqual([['JoinWorkspace', WS]])
    expect(events.status.value).toBe('live')
  })

  it('passes on events of its workspace and drops others and repeats', async () => {
    const { hub, events, received } = setup()
    await events.join(WS)
    hub.emit('signalCreated', { workspaceId: WS, signalId: 's1', clusterId: 'c1', sequence: 10 })
    hub.emit('signalCreated', { workspaceId: WS, signalId: 's1', clusterId: 'c1', sequence: 10 })
    hub.emit('signalUpdated', { workspaceId: 'someone-else', signalId: 's2', clusterId: null, sequence: 11 })
    hub.emit('clusterUpdated', { workspaceId: WS.toUpperCase(), signalId: null, clusterId: 'c1', sequence: 12 })
    hub.emit('signalUpdated', 'garbage')
    expect(received).toEqual([
      { type: 'signalCreated', payload: { workspaceId: WS, signalId: 's1', clusterId: 'c1', sequence: 10 } },
      { type: 'clusterUpdated', payload: { workspaceId: WS.toUpperCase(), signalId: null, clusterId: 'c1', sequence: 12 } },
    ])
  })

  it('rejoins and asks listeners to resync after an automatic reconnect', async () => {
    const { hub, events, received } = setup()
    await events.join(WS)
    hub.reconnecting!()
    expect(events.status.value).toBe('reconnecting')
    await hub.reconnected!()
    await Promise.resolve()
    expect(hub.invoked).toEqual([['JoinWorkspace', WS], ['JoinWorkspace', WS]])
    expect(received).toEqual([{ type: 'resync', payload: null }])
    expect(events.status.value).toBe('live')
  })

  it('retries a failed first connect with backoff, then resyncs', async () => {
    const hub = new FakeHub()
    hub.failStarts = 2
    const { events, received, timers } = setup(hub)
    await events.join(WS)
    expect(events.status.value).toBe('offline')
    expect(timers.map((t) => t.ms)).toEqual([2000])
    timers[0]!.fn()
    await vi.waitFor(() => expect(timers).toHaveLength(2))
    expect(timers[1]!.ms).toBe(5000)
    timers[1]!.fn()
    await vi.waitFor(() => expect(events.status.value).toBe('live'))
    expect(hub.invoked).toEqual([['JoinWorkspace', WS]])
    expect(received).toEqual([{ type: 'resync', payload: null }])
  })

  it('switches workspace on the same connection and ignores the old one', async () => {
    const { hub, events, received } = setup()
    await events.join(WS)
    await events.join('other-ws')
    expect(hub.invoked).toEqual([['JoinWorkspace', WS], ['LeaveWorkspace', WS], ['JoinWorkspace', 'other-ws']])
    hub.emit('signalCreated', { workspaceId: WS, signalId: 's', clusterId: null, sequence: 1 })
    expect(received).toEqual([])
  })

  it('stops the connection on dispose and delivers nothing after', async () => {
    const { hub, events, received } = setup()
    await events.join(WS)
    await events.dispose()
    expect(hub.stopped).toBe(true)
    hub.emit('signalCreated', { workspaceId: WS, signalId: 's', clusterId: null, sequence: 1 })
    hub.closed?.()
    expect(received).toEqual([])
    expect(events.status.value).toBe('idle')
  })
})
