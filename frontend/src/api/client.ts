import type {
  AddMemberRequest,
  ApiKey,
  CreateApiKeyRequest,
  CreatedApiKey,
  Me,
  Member,
  ProblemDetails,
  SetupRequest,
  SetupResponse,
  SetupStatus,
  Signal,
  SignalPage,
  SignalPatch,
  Workspace,
  WorkspaceRole,
} from './types'

/** A failed API call. `message` is what the user should read; `fieldErrors` feeds inline form errors. */
export class ApiError extends Error {
  readonly status: number
  readonly problem: ProblemDetails | null
  readonly fieldErrors: Record<string, string>

  constructor(status: number, problem: ProblemDetails | null, fallback?: string) {
    super(problemMessage(status, problem, fallback))
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
    this.fieldErrors = fieldErrors(problem)
  }
}

const statusMessages: Record<number, string> = {
  0: 'Cannot reach the GitMesh server. Check your connection and try again.',
  401: 'Your session has ended. Please sign in again.',
  403: 'You do not have permission to do this.',
  404: 'Not found. It may have been removed, or you no longer have access.',
  409: 'This conflicts with the current state. Reload and try again.',
  413: 'The request is too large.',
  429: 'Too many requests. Wait a moment and try again.',
}

/**
 * Turns an RFC 7807 body into one readable sentence. The server's `detail` is written for people, so it wins;
 * a validation problem lists its field messages; the generic title is the last resort before a status message.
 */
export function problemMessage(status: number, problem: ProblemDetails | null, fallback?: string): string {
  if (problem?.detail && typeof problem.detail === 'string') return problem.detail
  const fields = problem?.errors ? Object.values(problem.errors).flat().filter(Boolean) : []
  if (fields.length > 0) return fields.join(' ')
  if (fallback) return fallback
  if (statusMessages[status]) return statusMessages[status]
  if (problem?.title) return problem.title
  if (status >= 500) return 'The server hit an unexpected error. Try again in a moment.'
  return `Request failed (HTTP ${status}).`
}

function fieldErrors(problem: ProblemDetails | null): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [field, messages] of Object.entries(problem?.errors ?? {})) {
    const key = field.length > 0 ? field[0]!.toLowerCase() + field.slice(1) : field
    if (Array.isArray(messages) && messages.length > 0) result[key] = messages.join(' ')
  }
  return result
}

type UnauthorizedListener = () => void
let onUnauthorized: UnauthorizedListener | null = null

/** Called when an authenticated call answers 401 (session expired or signed out elsewhere). */
export function setUnauthorizedHandler(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Do not call the unauthorized handler on 401 (sign-in and session probes expect it). */
  expectUnauthorized?: boolean
  headers?: Record<string, string>
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, null)
  }

  if (!response.ok) {
    const problem = await readProblem(response)
    if (response.status === 401 && !options.expectUnauthorized) onUnauthorized?.()
    throw new ApiError(response.status, problem)
  }

  if (response.status === 204) return undefined as T
  const text = await response.text()
  if (text.length === 0) return undefined as T
  const type = response.headers.get('content-type') ?? ''
  // An /api path the server does not know falls through to the dashboard's index.html: say so plainly.
  if (type.includes('text/html')) {
    throw new ApiError(response.status, null, `This GitMesh server does not provide ${method} ${path.split('?')[0]} yet. Is the server older than the dashboard?`)
  }
  try {
    return JSON.parse(text) as T
  } catch {
    throw new ApiError(response.status, null, 'The server sent a response the dashboard could not read.')
  }
}

async function readProblem(response: Response): Promise<ProblemDetails | null> {
  let text: string
  try {
    text = await response.text()
  } catch {
    return null
  }
  if (!text) return null
  try {
    const parsed: unknown = JSON.parse(text)
    return parsed && typeof parsed === 'object' ? (parsed as ProblemDetails) : null
  } catch {
    return null
  }
}

const ws = (workspaceId: string) => `/api/v1/workspaces/${encodeURIComponent(workspaceId)}`

export const api = {
  setupStatus: () => request<SetupStatus>('GET', '/api/v1/setup'),
  setup: (body: SetupRequest) => request<SetupResponse>('POST', '/api/v1/setup', body),
  login: (email: string, password: string) =>
    request<Me>('POST', '/api/v1/auth/login', { email, password }, { expectUnauthorized: true }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', undefined, { expectUnauthorized: true }),
  me: () => request<Me>('GET', '/api/v1/me', undefined, { expectUnauthorized: true }),

  createWorkspace: (name: string) => request<Workspace>('POST', '/api/v1/workspaces', { name }),

  listSignals: (workspaceId: string, queryString: string, signal?: AbortSignal) =>
    request<SignalPage>('GET', `${ws(workspaceId)}/signals${queryString ? `?${queryString}` : ''}`, undefined, { signal }),
  updateSignal: (workspaceId: string, signalId: string, patch: SignalPatch) =>
    request<Signal>('PATCH', `${ws(workspaceId)}/signals/${encodeURIComponent(signalId)}`, patch),

  listMembers: (workspaceId: string) => request<Member[]>('GET', `${ws(workspaceId)}/members`),
  addMember: (workspaceId: string, body: AddMemberRequest) => request<Member>('POST', `${ws(workspaceId)}/members`, body),
  updateMember: (workspaceId: string, userId: string, role: WorkspaceRole) =>
    request<Member>('PATCH', `${ws(workspaceId)}/members/${encodeURIComponent(userId)}`, { role }),
  removeMember: (workspaceId: string, userId: string) =>
    request<void>('DELETE', `${ws(workspaceId)}/members/${encodeURIComponent(userId)}`),

  listApiKeys: (workspaceId: string) => request<ApiKey[]>('GET', `${ws(workspaceId)}/api-keys`),
  createApiKey: (workspaceId: string, body: CreateApiKeyRequest) =>
    request<CreatedApiKey>('POST', `${ws(workspaceId)}/api-keys`, body),
  revokeApiKey: (workspaceId: string, keyId: string) =>
    request<void>('DELETE', `${ws(workspaceId)}/api-keys/${encodeURIComponent(keyId)}`),
}
