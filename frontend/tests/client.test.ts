import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, problemMessage, request, setUnauthorizedHandler } from '@/api/client'
import { jsonResponse, mockFetch } from './helpers'

afterEach(() => {
  vi.unstubAllGlobals()
  setUnauthorizedHandler(null)
})

describe('problemMessage', () => {
  it('prefers the human-written detail', () => {
    expect(problemMessage(401, { title: 'Sign-in failed', status: 401, detail: 'Email or password is incorrect.' })).toBe('Email or password is incorrect.')
  })

  it('lists validation messages when there is no detail', () => {
    const message = problemMessage(400, {
      title: 'The request is invalid',
      errors: { email: ["'email' is required."], password: ['Passwords must be at least 10 characters.'] },
    })
    expect(message).toBe("'email' is required. Passwords must be at least 10 characters.")
  })

  it('falls back to a status message, then the title, then the code', () => {
    expect(problemMessage(403, { title: 'Forbidden' })).toMatch(/permission/)
    expect(problemMessage(418, { title: 'I am a teapot' })).toBe('I am a teapot')
    expect(problemMessage(502, null)).toMatch(/unexpected error/)
    expect(problemMessage(418, null)).toBe('Request failed (HTTP 418).')
  })
})

describe('request', () => {
  it('turns a 401 problem into an ApiError carrying the server detail', async () => {
    mockFetch(() => jsonResponse(401, { title: 'Sign-in failed', status: 401, detail: 'Email or password is incorrect.' }))
    const error = await api.login('a@b.c', 'wrong').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(401)
    expect((error as ApiError).message).toBe('Email or password is incorrect.')
  })

  it('exposes validation errors per field, camel-cased', async () => {
    mockFetch(() =>
      jsonResponse(400, { title: 'The request is invalid', status: 400, errors: { Password: ['Too short.'], workspace: ["'workspace' is required."] } }),
    )
    const error = (await api.setup({ email: 'a@b.c', password: 'x', workspace: '' }).catch((e: unknown) => e)) as ApiError
    expect(error.fieldErrors).toEqual({ password: 'Too short.', workspace: "'workspace' is required." })
    expect(error.message).toBe("Too short. 'workspace' is required.")
  })

  it('reports an unreachable server as status 0 with a readable message', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const error = (await api.me().catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(0)
    expect(error.message).toMatch(/Cannot reach the GitMesh server/)
  })

  it('keeps a plain-text error body from breaking the message', async () => {
    mockFetch(() => new Response('upstream exploded', { status: 502, headers: { 'Content-Type': 'text/plain' } }))
    const error = (await request('GET', '/api/v1/x').catch((e: unknown) => e)) as ApiError
    expect(error.problem).toBeNull()
    expect(error.message).toMatch(/unexpected error/)
  })

  it('says so when an API path answers with the dashboard HTML (endpoint missing on the server)', async () => {
    mockFetch(() => new Response('<!doctype html><html></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }))
    const error = (await api.listSignals('w1', 'limit=50').catch((e: unknown) => e)) as ApiError
    expect(error.message).toContain('does not provide GET /api/v1/workspaces/w1/signals')
  })

  it('returns undefined for 204 and sends JSON bodies with the right headers', async () => {
    const { calls } = mockFetch(() => new Response(null, { status: 204 }))
    await expect(api.removeMember('w 1', 'u1')).resolves.toBeUndefined()
    await api.updateSignal('w1', 's1', { triageStatus: 'dismissed' }).catch(() => undefined)
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/workspaces/w%201/members/u1' })
    expect(calls[1]).toMatchObject({ method: 'PATCH', url: '/api/v1/workspaces/w1/signals/s1', body: { triageStatus: 'dismissed' } })
    expect(calls[1]!.headers['Content-Type']).toBe('application/json')
  })

  it('calls the unauthorized handler for data calls but not for sign-in probes', async () => {
    mockFetch(() => jsonResponse(401, { title: 'Unauthorized', status: 401 }))
    const handler = vi.fn()
    setUnauthorizedHandler(handler)
    await api.me().catch(() => undefined)
    await api.login('a@b.c', 'x').catch(() => undefined)
    expect(handler).not.toHaveBeenCalled()
    await api.listMembers('w1').catch(() => undefined)
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('builds the signals URL from a query string', async () => {
    const { calls } = mockFetch(() => jsonResponse(200, { items: [], nextCursor: null }))
    await api.listSignals('w1', 'q=crash&intent=bug&limit=50')
    expect(calls[0]!.url).toBe('/api/v1/workspaces/w1/signals?q=crash&intent=bug&limit=50')
  })
})
