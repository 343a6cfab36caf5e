import { describe, expect, it } from 'vitest'
import { intentBadge, intentOptions, sentimentBadge, sourceLabel, statusBadge, urgencyBadge } from '@/signals/labels'
import { relativeTime, safeHttpUrl } from '@/signals/format'

describe('badge mapping', () => {
  it('maps every intent to a label and a distinct tone', () => {
    expect(intentBadge('bug')).toEqual({ label: 'Bug', tone: 'red' })
    expect(intentBadge('feature_request')).toEqual({ label: 'Feature request', tone: 'violet' })
    expect(intentBadge('question')).toEqual({ label: 'Question', tone: 'blue' })
    expect(intentBadge('complaint')).toEqual({ label: 'Complaint', tone: 'orange' })
    expect(intentBadge('praise')).toEqual({ label: 'Praise', tone: 'green' })
    expect(intentBadge('other')).toEqual({ label: 'Other', tone: 'gray' })
    expect(intentOptions.map((o) => o.value)).toEqual(['bug', 'feature_request', 'question', 'complaint', 'praise', 'other'])
  })

  it('maps sentiment, urgency and status', () => {
    expect(sentimentBadge('negative').tone).toBe('red')
    expect(sentimentBadge('positive').tone).toBe('green')
    expect(urgencyBadge('critical')).toEqual({ label: 'Critical', tone: 'red' })
    expect(urgencyBadge('low').tone).toBe('gray')
    expect(statusBadge('dismissed')).toEqual({ label: 'Dismissed', tone: 'gray' })
    expect(statusBadge('spam').label).toBe('Spam')
  })

  it('still renders unknown and missing values', () => {
    expect(intentBadge(null)).toEqual({ label: 'Unclassified', tone: 'gray' })
    expect(intentBadge('security_report')).toEqual({ label: 'Security report', tone: 'gray' })
    expect(sourceLabel('stackoverflow')).toBe('Stack Overflow')
    expect(sourceLabel('hacker_news')).toBe('Hacker news')
  })
})

describe('formatting', () => {
  it('only lets http(s) URLs through', () => {
    expect(safeHttpUrl('https://github.com/a/b/issues/1')).toBe('https://github.com/a/b/issues/1')
    expect(safeHttpUrl('http://example.com')).toBe('http://example.com/')
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull()
    expect(safeHttpUrl('JaVaScRiPt:alert(1)')).toBeNull()
    expect(safeHttpUrl('data:text/html,<script>alert(1)</script>')).toBeNull()
    expect(safeHttpUrl('/relative/path')).toBeNull()
    expect(safeHttpUrl(null)).toBeNull()
  })

  it('formats relative times compactly', () => {
    const now = new Date('2025-03-10T12:00:00Z')
    expect(relativeTime('2025-03-10T11:59:50Z', now)).toBe('just now')
    expect(relativeTime('2025-03-10T11:55:00Z', now)).toBe('5m ago')
    expect(relativeTime('2025-03-10T09:00:00Z', now)).toBe('3h ago')
    expect(relativeTime('2025-03-08T12:00:00Z', now)).toBe('2d ago')
    expect(relativeTime('not a date', now)).toBe('')
    expect(relativeTime(null, now)).toBe('')
  })
})
