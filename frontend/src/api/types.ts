/** Shapes of the GitMesh REST API (/api/v1). Keep in step with src/Api/Features. */

export interface ProblemDetails {
  type?: string
  title?: string
  status?: number
  detail?: string
  instance?: string
  /** Validation problems: messages per request field (camelCase names). */
  errors?: Record<string, string[]>
  [extension: string]: unknown
}

export interface SetupStatus {
  setupRequired: boolean
}

export interface SetupRequest {
  email: string
  password: string
  workspace: string
}

export interface SetupResponse {
  userId: string
  workspaceId: string
  workspaceSlug: string
}

export type WorkspaceRole = 'viewer' | 'member' | 'admin' | 'owner'

export interface MyWorkspace {
  id: string
  name: string
  slug: string
  role: WorkspaceRole
}

export interface Me {
  userId: string
  email: string
  displayName: string | null
  workspaces: MyWorkspace[]
}

export interface Workspace {
  id: string
  name: string
  slug: string
  createdAt: string
  role: WorkspaceRole
}

export interface Member {
  userId: string
  email: string
  displayName: string | null
  role: WorkspaceRole
  joinedAt: string
}

export interface AddMemberRequest {
  email: string
  role: WorkspaceRole
  /** Only when the email has no account yet: the account is created with it. */
  password?: string
  displayName?: string
}

export interface ApiKey {
  id: string
  name: string
  prefix: string
  role: WorkspaceRole
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
}

export interface CreateApiKeyRequest {
  name: string
  role?: WorkspaceRole
  expiresInDays?: number
}

export interface CreatedApiKey {
  id: string
  name: string
  prefix: string
  role: WorkspaceRole
  createdAt: string
  expiresAt: string | null
  /** The secret. Returned by the create call only. */
  key: string
}

export type TriageStatus = 'new' | 'triaged' | 'linked' | 'dismissed' | 'spam'

export interface SignalAuthor {
  username: string
  displayName: string | null
  profileUrl: string | null
}

export interface Signal {
  id: string
  source: string
  kind: string
  externalId: string
  url: string | null
  title: string | null
  excerpt: string | null
  author: SignalAuthor | null
  sourceCreatedAt: string | null
  ingestedAt: string
  intent: string | null
  intentConfidence: number | null
  sentiment: string | null
  urgency: string | null
  productAreas: string[]
  clusterId: string | null
  clusterSize: number | null
  triageStatus: TriageStatus
  tags: string[]
}

export interface SignalPage {
  items: Signal[]
  nextCursor: string | null
}

export interface SignalPatch {
  triageStatus?: TriageStatus
  intent?: string
  sentiment?: string
}

export interface IngestItem {
  source: string
  kind: string
  externalId: string
  url?: string
  title?: string
  body?: string
  author?: { username: string; displayName?: string; profileUrl?: string }
  createdAt?: string
}

export interface IngestResult {
  accepted: number
  rejected: { index: number; error: string }[]
}
