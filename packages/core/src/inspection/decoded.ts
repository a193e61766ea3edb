/**
 * The inputs of a request that may hold an attack, decoded: the walk (inputs.ts), the prefilter
 * (prefilter.ts) and the decoding (normalise.ts) in the order the injection detector runs them, so
 * that its tests and benchmark inspect exactly what it does.
 */

import type { BoundedMemo } from '../memo.js'
import {
  type InputKind,
  type InputName,
  type InputScreen,
  InputWalker,
  type InspectionLimits,
  type RequestInputs,
  type WalkResult,
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

/** Values the prefilter is asked about are remembered up to this length. */
export const PASSED_OVER_LENGTH = 64

/**
 * Short inputs the prefilter passed over, each with how it was judged: as a path (bit 2; a path is
 * judged without its single slashes) or as any other input (bit 1).
 */
export type PassedOver = BoundedMemo<string, number>
const AS_VALUE = 1
const AS_PATH = 2

/**
 * The prefilter as the walk's screen, with its memory of the short inputs it passed over, when given
 * one: a JSON API's keys and its enumerations, and the app's paths, come back in every request, and a
 * memory lookup costs a fraction of the prefilter's scan (packages/core/bench/inspection.bench.ts:
 * the "4 KB JSON order" rows, with and without it; on `GET /hello` the path's scan was ≈ 700
 * instructions, test/bench/instructions.mjs). Keep one per memory, across requests.
 */
export class Prefilter implements InputScreen {
  readonly #passedOver: PassedOver | undefined

  constructor(passedOver?: PassedOver) {
    this.#passedOver = passedOver
  }

  clean(raw: string, isPath: boolean): boolean {
    const memo = this.#passedOver
    if (memo === undefined || raw.length > PASSED_OVER_LENGTH) return !suspect(raw, isPath)
    const as = isPath ? AS_PATH : AS_VALUE
    const judged = memo.get(raw) ?? 0
    if ((judged & as) !== 0) return true
    if (suspect(raw, isPath)) return false
    memo.set(raw, judged | as)
    return true
  }
}

const WITHOUT_MEMORY = new Prefilter()

/**
 * Walks `input`, skipping what the prefilter passes over (`prefilter`, with its memory; by default
 * one without) and what `known` says was seen clean before, and hands the rest to `visit` decoded.
 */
export function walkDecoded(
  input: RequestInputs,
  headers: readonly string[],
  limits: InspectionLimits,
  visit: DecodedVisitor,
  known?: (kind: InputKind, raw: string) => boolean,
  prefilter: Prefilter = WITHOUT_MEMORY,
): WalkResult {
  return decodedWalker(headers, limits, visit, known, prefilter).walk(input)
}

/** `walkDecoded` for one visitor, request after request (`InputWalker`: not re-entrant). */
export function decodedWalker(
  headers: readonly string[],
  limits: InspectionLimits,
  visit: DecodedVisitor,
  known?: (kind: InputKind, raw: string) => boolean,
  prefilter: Prefilter = WITHOUT_MEMORY,
): InputWalker {
  return new InputWalker(
    headers,
    limits,
    (kind, raw, name) => {
      if (known?.(kind, raw) === true) return false
      const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
      return visit(kind, text, anomalies, raw, name)
    },
    prefilter,
  )
}
