/**
 * Payment card numbers in free text (PCI DSS 3.4: a PAN must be unreadable wherever it is stored).
 * A run is a sequence of ASCII digit groups separated by a single space or dash. The run is masked
 * as a whole when some consecutive groups of it hold 13–19 digits and pass the Luhn check
 * (ISO/IEC 7812-1 Annex B): `4111 1111 1111 1111`, and also `ref 12 4111111111111111` where the card
 * is one group among others. A card glued to other digits with no separator is not a card.
 * Hand-written scanner, linear in the input: each window's Luhn sum comes from prefix sums in O(1),
 * and a group start has at most 19 windows.
 */

export const CARD_PLACEHOLDER = '[REDACTED:card]'

const MIN_DIGITS = 13
const MAX_DIGITS = 19

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isSeparator(c: number): boolean {
  return c === 0x20 || c === 0x2d
}

/** Doubling step of Luhn: 2d, minus 9 when that has two digits. */
function luhnDouble(d: number): number {
  const x = d * 2
  return x > 9 ? x - 9 : x
}

/**
 * Whether some sequence of whole consecutive groups of `digits` holds 13–19 digits and passes
 * Luhn. `bounds` lists where each group starts, then `digits.length`. Only group-aligned windows
 * count: any 13–19 digit window of a longer run would pass by chance for most runs (1 in 10 each).
 * `even[i]`/`odd[i]` are the Luhn sums of `digits[0, i)` when the rightmost digit of a window sits
 * at an even/odd index: the digit at j is doubled exactly when j's parity differs from it.
 */
export function hasLuhnWindow(digits: readonly number[], bounds: readonly number[]): boolean {
  const n = digits.length
  if (n < MIN_DIGITS) return false
  const even = new Array<number>(n + 1)
  const odd = new Array<number>(n + 1)
  even[0] = 0
  odd[0] = 0
  for (let j = 0; j < n; j++) {
    const d = digits[j]!
    even[j + 1] = even[j]! + (j % 2 === 0 ? d : luhnDouble(d))
    odd[j + 1] = odd[j]! + (j % 2 === 0 ? luhnDouble(d) : d)
  }
  for (let a = 0; a < bounds.length - 1; a++) {
    const start = bounds[a]!
    for (let b = a + 1; b < bounds.length; b++) {
      const end = bounds[b]!
      const length = end - start
      if (length > MAX_DIGITS) break
      if (length < MIN_DIGITS) continue
      const sums = (end - 1) % 2 === 0 ? even : odd
      if ((sums[end]! - sums[start]!) % 10 === 0) return true
    }
  }
  return false
}

/** Luhn check of a whole digit string (for tests and callers validating one number). */
export function isLuhnValid(number: string): boolean {
  let sum = 0
  let double = false
  for (let i = number.length - 1; i >= 0; i--) {
    const c = number.charCodeAt(i)
    if (!isDigit(c)) return false
    const d = c - 0x30
    sum += double ? luhnDouble(d) : d
    double = !double
  }
  return number.length > 0 && sum % 10 === 0
}

/** True when `text` holds at least 13 ASCII digits: the only strings that can contain a card. */
function mayHoldCard(text: string): boolean {
  const n = text.length
  if (n < MIN_DIGITS) return false
  let count = 0
  for (let i = 0; i < n; i++) {
    if (isDigit(text.charCodeAt(i)) && ++count >= MIN_DIGITS) return true
  }
  return false
}

/** Replace every Luhn-valid card number in `text` with `[REDACTED:card]`. Never throws. */
export function maskCardNumbers(text: string): string {
  if (typeof text !== 'string') return ''
  // Fast path: fewer than 13 digits, one charCode scan, nothing allocated.
  if (!mayHoldCard(text)) return text
  const n = text.length
  let out = ''
  let copied = 0
  let i = 0
  const digits: number[] = []
  // Digit index where each separator-delimited group starts; `bounds[0]` is always 0.
  const bounds: number[] = [0]
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++
      continue
    }
    const runStart = i
    let runEnd = i
    digits.length = 0
    bounds.length = 1
    let j = i
    while (j < n) {
      const c = text.charCodeAt(j)
      if (isDigit(c)) {
        digits.push(c - 0x30)
        runEnd = ++j
      } else if (isSeparator(c) && j + 1 < n && isDigit(text.charCodeAt(j + 1))) {
        bounds.push(digits.length)
        j++
      } else {
        break
      }
    }
    bounds.push(digits.length)
    if (hasLuhnWindow(digits, bounds)) {
      out += text.slice(copied, runStart) + CARD_PLACEHOLDER
      copied = runEnd
    }
    i = runEnd
  }
  return copied === 0 ? text : out + text.slice(copied)
}
