import type { InjectionKey } from 'vue'
import type { WorkspaceEvents } from './events'

/** The AppShell owns the hub connection; views under it inject it. */
export const workspaceEventsKey: InjectionKey<WorkspaceEvents> = Symbol('workspaceEvents')
