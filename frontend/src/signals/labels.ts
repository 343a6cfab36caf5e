/** Display names and badge tones for classification values. Unknown values still render, in a neutral tone. */

export type Tone = 'red' | 'orange' | 'amber' | 'green' | 'blue' | 'violet' | 'gray' | 'slate' | 'teal'

export interface BadgeSpec {
  label: string
  tone: Tone
}

export interface Option {
  value: string
  label: string
}

const intents: Record<string, BadgeSpec> = {
  bug: { label: 'Bug', tone: 'red' },
  feature_request: { label: 'Feature request', tone: 'violet' },
  question: { label: 'Question', tone: 'blue' },
  complaint: { label: 'Complaint', tone: 'orange' },
  praise: { label: 'Praise', tone: 'green' },
  other: { label: 'Other', tone: 'gray' },
}

const sentiments: Record<string, BadgeSpec> = {
  negative: { label: 'Negative', tone: 'red' },
  neutral: { label: 'Neutral', tone: 'gray' },
  positive: { label: 'Positive', tone: 'green' },
}

const urgencies: Record<string, BadgeSpec> = {
  critical: { label: 'Critical', tone: 'red' },
  high: { label: 'High', tone: 'orange' },
  normal: { label: 'Normal', tone: 'slate' },
  low: { label: 'Low', tone: 'gray' },
}

const statuses: Record<string, BadgeSpec> = {
  new: { label: 'New', tone: 'blue' },
  triaged: { label: 'Triaged', tone: 'green' },
  linked: { label: 'Linked', tone: 'violet' },
  dismissed: { label: 'Dismissed', tone: 'gray' },
  spam: { label: 'Spam', tone: 'amber' },
}

const sources: Record<string, string> = {
  github: 'GitHub',
  reddit: 'Reddit',
  x: 'X',
  stackoverflow: 'Stack Overflow',
  discord: 'Discord',
  webhook: 'Webhook',
  import: 'Import',
}

export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function lookup(table: Record<string, BadgeSpec>, value: string | null | undefined, missing: string): BadgeSpec {
  if (!value) return { label: missing, tone: 'gray' }
  return table[value] ?? { label: humanize(value), tone: 'gray' }
}

export const intentBadge = (value: string | null | undefined) => lookup(intents, value, 'Unclassified')
export const sentimentBadge = (value: string | null | undefined) => lookup(sentiments, value, 'No sentiment')
export const urgencyBadge = (value: string | null | undefined) => lookup(urgencies, value, 'No urgency')
export const statusBadge = (value: string | null | undefined) => lookup(statuses, value, 'New')
export const sourceLabel = (value: string) => sources[value] ?? humanize(value)

const options = (table: Record<string, BadgeSpec>): Option[] =>
  Object.entries(table).map(([value, spec]) => ({ value, label: spec.label }))

export const intentOptions = options(intents)
export const sentimentOptions = options(sentiments)
export const urgencyOptions = (['critical', 'high', 'normal', 'low'] as const).map((value) => ({ value, label: urgencies[value]!.label }))
export const statusOptions = options(statuses)
export const sourceOptions: Option[] = Object.entries(sources).map(([value, label]) => ({ value, label }))
