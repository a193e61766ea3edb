/**
 * Ids of Sentinel content: a GUID that never changes for the same Watchpost rule (Sentinel keys a
 * rule by it: redeploying updates the rule rather than adding one; spec/azure/sentinel-rules.md
 * §1 "never changed once published"). A name-based UUID, version 5 (SHA-1, RFC 9562 §5.5), of
 * the content's name under Watchpost's own namespace.
 */
import { createHash } from 'node:crypto'

/** Watchpost's namespace for content ids. Fixed forever: changing it changes every id. */
export const CONTENT_NAMESPACE = '1200451f-0b9b-4d20-9f82-ad86574f0aab'

export function uuidV5(name: string, namespace: string = CONTENT_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  const bytes = hash.subarray(0, 16)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50 // version 5
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80 // RFC 4122 variant
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The id of the analytics rule compiled from the Watchpost rule `ruleId`: the UUID v5 of the id. */
export const analyticsRuleId = (ruleId: string) => uuidV5(ruleId)

/** The id of a hunting query: `:` is not allowed in a rule id, so it never names a rule's. */
export const huntingQueryId = (slug: string) => uuidV5(`hunting-query:${slug}`)
