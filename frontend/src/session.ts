import { reactive } from 'vue'
import { api, ApiError } from '@/api/client'
import type { Me, MyWorkspace } from '@/api/types'

const LAST_WORKSPACE_KEY = 'gitmesh.lastWorkspace'

interface SessionState {
  /** null until the first GET /setup answered. */
  setupRequired: boolean | null
  me: Me | null
  /** True once GET /me answered (signed in or not). */
  probed: boolean
}

export const session = reactive<SessionState>({ setupRequired: null, me: null, probed: false })

export async function refreshSetupStatus(): Promise<boolean> {
  const status = await api.setupStatus()
  session.setupRequired = status.setupRequired
  return status.setupRequired
}

/** Loads the signed-in user; null when there is no session. Other failures propagate. */
export async function loadMe(): Promise<Me | null> {
  try {
    session.me = await api.me()
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) session.me = null
    else throw error
  } finally {
    session.probed = true
  }
  return session.me
}

export async function signIn(email: string, password: string): Promise<Me> {
  session.me = await api.login(email, password)
  session.probed = true
  return session.me
}

export async function signOut(): Promise<void> {
  try {
    await api.logout()
  } finally {
    session.me = null
  }
}

export function findWorkspace(id: string | null | undefined): MyWorkspace | undefined {
  if (!id) return undefined
  return session.me?.workspaces.find((w) => w.id.toLowerCase() === id.toLowerCase())
}

export function rememberWorkspace(id: string): void {
  try {
    localStorage.setItem(LAST_WORKSPACE_KEY, id)
  } catch {
    // Private mode or storage disabled: the first workspace is a fine default.
  }
}

/** The workspace to open by default: the last one used if still accessible, else the first. */
export function defaultWorkspace(): MyWorkspace | undefined {
  let last: string | null = null
  try {
    last = localStorage.getItem(LAST_WORKSPACE_KEY)
  } catch {
    last = null
  }
  return findWorkspace(last) ?? session.me?.workspaces[0]
}

const roleRank = { viewer: 0, member: 1, admin: 2, owner: 3 } as const

export function hasRole(workspace: MyWorkspace | undefined, minimum: keyof typeof roleRank): boolean {
  return !!workspace && roleRank[workspace.role] >= roleRank[minimum]
}

/** Only same-origin paths may be used as a post-login destination (no open redirects). */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string') return null
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null
  return value
}
