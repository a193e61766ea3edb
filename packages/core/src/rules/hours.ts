/** Whether a moment falls outside a rule's working hours (`outsideHours`), in the hours' time zone. */
import type { Rule } from '../config/rules.js'

type Hours = NonNullable<Rule['outsideHours']>

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const formats = new Map<string, Intl.DateTimeFormat>()

function partsAt(timezone: string, at: number): { day: string; minutes: number } {
  let format = formats.get(timezone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formats.set(timezone, format)
  }
  let day = ''
  let hour = 0
  let minute = 0
  for (const part of format.formatToParts(at)) {
    if (part.type === 'weekday') day = part.value.slice(0, 3).toLowerCase()
    else if (part.type === 'hour') hour = Number(part.value)
    else if (part.type === 'minute') minute = Number(part.value)
  }
  return { day, minutes: hour * 60 + minute }
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

export function outsideHours(hours: Hours, at: number): boolean {
  const { day, minutes } = partsAt(hours.timezone, at)
  if (!(hours.days as readonly string[]).includes(day) || !DAYS.includes(day as never)) return true
  const from = minutesOf(hours.from)
  const to = minutesOf(hours.to)
  const inside = from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to
  return !inside
}
