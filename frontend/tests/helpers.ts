import { vi } from 'vitest'
import type { Signal } from '@/api/types'

export function jsonResponse(status: number, body: unknown, contentType = status >= 400 ? 'application/problem+json' : 'application/json'): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': contentType } })
}

export interface FetchCall {
  url: string
  method: string
  body: unknown
  headers: Record<string, string>
}

/** Replaces global fetch with a router over (method, url) → response; records every call. */
export function mockFetch(handler: (call: FetchCall) => Response | Promise<Response>) {
  const calls: FetchCall[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: FetchCall = {
      url: String(input),
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    }
    calls.push(call)
    return handler(call)
  })
  vi.stubGlobal('fetch', fn)
  return { calls, fn }
}

let counter = 0
export function makeSignal(overrides: Partial<Signal> = {}): Signal {
  counter++
  return {
    id: `00000000-0000-0000-0000-${String(counter).padStart(12, '0')}`,
    source: 'github',
    kind: 'issue',
    externalId: `ext-${counter}`,
    url: `https://github.com/acme/app/issues/${counter}`,
    title: `Signal ${counter}`,
    excerpt: 'Something about the product.',
    author: { username: 'octocat', displayName: 'The Octocat', profileUrl: 'https://github.com/octocat' },
    sourceCreatedAt: '2025-01-01T10:00:00Z',
    ingestedAt: '2025-01-01T10:01:00Z',
    intent: 'bug',
    intentConfidence: 0.91,
    sentiment: 'negative',
    urgency: 'high',
    productAreas: ['export'],
    clusterId: null,
    clusterSize: 1,
    triageStatus: 'new',
    tags: [],
    ...overrides,
  }
}
