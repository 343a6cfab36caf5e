import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr'
import { ref, type Ref } from 'vue'

export type WorkspaceEventType = 'signalCreated' | 'signalUpdated' | 'clusterUpdated'

export interface WorkspaceEventPayload {
  workspaceId: string
  signalId: string | null
  clusterId: string | null
  sequence: number
}

export type WorkspaceEvent =
  | { type: WorkspaceEventType; payload: WorkspaceEventPayload }
  /** The connection came back after a drop: events may have been missed, so listeners refetch. */
  | { type: 'resync'; payload: null }

export type ConnectionStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline'

/** The part of a SignalR HubConnection this module uses; tests pass a fake. */
export interface HubConnectionLike {
  readonly state: HubConnectionState | string
  on(method: string, handler: (...args: unknown[]) => void): void
  off(method: string): void
  start(): Promise<void>
  stop(): Promise<void>
  invoke(method: string, ...args: unknown[]): Promise<unknown>
  onreconnecting(handler: (error?: Error) => void): void
  onreconnected(handler: (connectionId?: string) => void): void
  onclose(handler: (error?: Error) => void): void
}

export const HUB_PATH = '/hubs/events'
const eventTypes: WorkspaceEventType[] = ['signalCreated', 'signalUpdated', 'clusterUpdated']

export function createHubConnection(): HubConnectionLike {
  const connection: HubConnection = new HubConnectionBuilder()
    .withUrl(HUB_PATH, { withCredentials: true })
    .withAutomaticReconnect([0, 2000, 5000, 10000, 20000, 30000])
    .configureLogging(LogLevel.Warning)
    .build()
  return connection
}

export interface WorkspaceEventsOptions {
  /** Delays before retrying a failed first connect, in ms; the last one repeats. */
  retryDelays?: number[]
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
}

/**
 * One hub connection for the workspace on screen. Joins the workspace group after every (re)connect, drops events
 * for other workspaces and repeats of a sequence already seen, and tells listeners to resync after a reconnect.
 */
export class WorkspaceEvents {
  readonly status: Ref<ConnectionStatus> = ref('idle')
  private connection: HubConnectionLike | null = null
  private workspaceId: string | null = null
  private listeners = new Set<(event: WorkspaceEvent) => void>()
  private seen = new Set<number>()
  private seenOrder: number[] = []
  private retryHandle: unknown = null
  private attempt = 0
  private disposed = false
  private readonly retryDelays: number[]
  private readonly setTimer: (fn: () => void, ms: number) => unknown
  private readonly clearTimer: (handle: unknown) => void

  constructor(
    private readonly factory: () => HubConnectionLike = createHubConnection,
    options: WorkspaceEventsOptions = {},
  ) {
    this.retryDelays = options.retryDelays ?? [2000, 5000, 10000, 30000]
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>))
  }

  subscribe(listener: (event: WorkspaceEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get currentWorkspace(): string | null {
    return this.workspaceId
  }

  /** Connects (once) and switches the joined workspace. */
  async join(workspaceId: string): Promise<void> {
    if (this.disposed) return
    const previous = this.workspaceId
    const switching = previous !== workspaceId
    this.workspaceId = workspaceId
    if (switching) {
      this.seen.clear()
      this.seenOrder = []
    }
    if (!this.connection) {
      this.connection = this.factory()
      this.wire(this.connection)
    }
    if (this.connection.state === 'Connected') {
      if (!switching) return
      if (previous) {
        // Best effort: the events of the old workspace are dropped by the workspace check anyway.
        await this.connection.invoke('LeaveWorkspace', previous).catch(() => undefined)
      }
      await this.invokeJoin()
      return
    }
    if (this.connection.state === 'Disconnected' && this.retryHandle === null) await this.start()
  }

  async dispose(): Promise<void> {
    this.disposed = true
    if (this.retryHandle !== null) this.clearTimer(this.retryHandle)
    this.retryHandle = null
    const connection = this.connection
    this.connection = null
    this.listeners.clear()
    this.status.value = 'idle'
    if (connection) {
      for (const type of eventTypes) connection.off(type)
      try {
        await connection.stop()
      } catch {
        // Stopping a connection that never started is fine.
      }
    }
  }

  private wire(connection: HubConnectionLike): void {
    for (const type of eventTypes) {
      connection.on(type, (payload: unknown) => this.handle(type, payload))
    }
    connection.onreconnecting(() => {
      this.status.value = 'reconnecting'
    })
    connection.onreconnected(async () => {
      await this.invokeJoin()
      this.emit({ type: 'resync', payload: null })
    })
    connection.onclose(() => {
      if (this.disposed) return
      this.status.value = 'offline'
      this.scheduleRetry()
    })
  }

  private async start(): Promise<void> {
    const connection = this.connection
    if (!connection || this.disposed) return
    this.status.value = this.attempt === 0 ? 'connecting' : 'reconnecting'
    try {
      await connection.start()
    } catch {
      if (this.disposed) return
      this.status.value = 'offline'
      this.scheduleRetry()
      return
    }
    const wasRetry = this.attempt > 0
    this.attempt = 0
    await this.invokeJoin()
    if (wasRetry) this.emit({ type: 'resync', payload: null })
  }

  private scheduleRetry(): void {
    if (this.retryHandle !== null || this.disposed) return
    const delay = this.retryDelays[Math.min(this.attempt, this.retryDelays.length - 1)] ?? 30000
    this.attempt++
    this.retryHandle = this.setTimer(() => {
      this.retryHandle = null
      void this.start()
    }, delay)
  }

  private async invokeJoin(): Promise<void> {
    const connection = this.connection
    if (!connection || !this.workspaceId) return
    try {
      await connection.invoke('JoinWorkspace', this.workspaceId)
      this.status.value = 'live'
    } catch {
      // Joined nothing: the hub refused (no access) or the connection dropped; either way no live events.
      this.status.value = 'offline'
    }
  }

  private handle(type: WorkspaceEventType, raw: unknown): void {
    if (!raw || typeof raw !== 'object') return
    const payload = raw as Partial<WorkspaceEventPayload>
    if (typeof payload.workspaceId !== 'string' || payload.workspaceId.toLowerCase() !== this.workspaceId?.toLowerCase()) return
    if (typeof payload.sequence === 'number') {
      const key = payload.sequence * 4 + eventTypes.indexOf(type)
      if (this.seen.has(key)) return
      this.seen.add(key)
      this.seenOrder.push(key)
      if (this.seenOrder.length > 2000) this.seen.delete(this.seenOrder.shift()!)
    }
    this.emit({
      type,
      payload: {
        workspaceId: payload.workspaceId,
        signalId: payload.signalId ?? null,
        clusterId: payload.clusterId ?? null,
        sequence: typeof payload.sequence === 'number' ? payload.sequence : -1,
      },
    })
  }

  private emit(event: WorkspaceEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        console.error('GitMesh: event listener failed', error)
      }
    }
  }
}
