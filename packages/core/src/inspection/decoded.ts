/**
 * The inputs of a request that may hold an attack, decoded: the walk (inputs.ts), the prefilter
 * (prefilter.ts) and the decoding (normalise.ts) in the order the injection detector runs them, so
 * that its tests and benchmark inspect exactly what it does.
 */
import {
  type InputKind,
  type InputName,
  type InspectionLimits,
  type RequestInputs,
  type WalkResult,
  walkInputs,
} from './inputs.js'
import { normalise } from './normalise.js'
import { suspect } from './prefilter.js'

/** One decoded input (`text`, with its ANOMALY_* bits; `raw` as walked); returns `true` to stop. */
export type DecodedVisitor = (
  kind: InputKind,
  text: string,
  anomalies: number,
  raw: string,
  name: InputName,
) => boolean

/**
 * Walks `input`, skipping what the prefilter passes over and what `known` says was seen clean
 * before, and hands the rest to `visit` decoded.
 */
export function walkDecoded(
  input: RequestInputs,
  headers: readonly string[],
  limits: InspectionLimits,
  visit: DecodedVisitor,
  known?: (kind: InputKind, raw: string) => boolean,
): WalkResult {
  return walkInputs(input, headers, limits, (kind, raw, name) => {
    if (!suspect(raw, kind === 'path')) return false
    if (known?.(kind, raw) === true) return false
    const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
    return visit(kind, text, anomalies, raw, name)
  })
}
