import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { safeRedirect } from '@/session'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

describe('security rules', () => {
  it('no source file renders raw HTML', () => {
    const offenders = files(join(__dirname, '..', 'src'))
      .filter((f) => /\.(vue|ts)$/.test(f))
      .filter((f) => /v-html|innerHTML\s*=|insertAdjacentHTML|document\.write/.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })

  it('only follows same-origin paths after sign-in', () => {
    expect(safeRedirect('/w/1/inbox?q=x')).toBe('/w/1/inbox?q=x')
    expect(safeRedirect('//evil.example')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect(['/a'])).toBeNull()
  })
})
