/**
 * Injection in what the client sent: the path, query names and values, cookies, selected headers
 * and the parsed body, each decoded (inspection/normalise.ts) and shown to the rules of every threat
 * class switched on (inspection/rules/). Looked at once the response is sent, so that the event says
 * whether the payload reached the app (`EventResult` Success on 2xx/3xx) or was refused.
 *
 * One event per threat class and request, at the first input that matched, with the input's name,
 * the rule and the matched fragment only (≤ 64 characters, control characters removed; never the
 * whole input). Capped per source and class: the first few one by one, the rest as one aggregate
 * per window. Bounded by the inspection limits (options): an input or a request over them is
 * inspected up to the bound.
 */

import type { DetectorsConfig } from '../config/index.js'
import type { RequestContext } from '../context/types.js'
import { CappedCounter, DEFAULT_CAP, DEFAULT_CAP_WINDOW_MS } from '../detection/capped-counter.js'
import type { DetectorDefinition } from '../detection/types.js'
import type { EventApi } from '../events/api.js'
import { fieldName, type InputKind, type InputName, walkInputs } from '../inspection/inputs.js'
import { normalise } from '../inspection/normalise.js'
import { RULES } from '../inspection/rules/index.js'
import type { Finding, Rule, Threat } from '../inspection/types.js'

type Options = DetectorsConfig['injection']

/** The option that switches each threat class. */
const OPTION: Readonly<Record<Threat, keyof Options>> = {
  sqli: 'sqli',
  xss: 'xss',
  path_traversal: 'pathTraversal',
  command_injection: 'commandInjection',
  jndi: 'jndi',
  template_injection: 'templateInjection',
  prototype_pollution: 'prototypePollution',
  nosql_injection: 'nosqlInjection',
  ssrf: 'ssrf',
}

type Recorder = EventApi['malicious']['sqli']

function recorderOf(api: EventApi, threat: Threat): Recorder {
  const m = api.malicious
  switch (threat) {
    case 'sqli':
      return m.sqli
    case 'xss':
      return m.xss
    case 'path_traversal':
      return m.pathTraversal
    case 'command_injection':
      return m.commandInjection
    case 'jndi':
      return m.jndi
    case 'template_injection':
      return m.templateInjection
    case 'prototype_pollution':
      return m.prototypePollution
    case 'nosql_injection':
      return m.nosqlInjection
    case 'ssrf':
      return m.ssrf
  }
}

const FRAGMENT = 64
const RISK = { high: undefined, medium: 60, low: 40 } as const
const SEVERITY = { high: 'High', medium: 'Medium', low: 'Low' } as const

export const injectionDetector: DetectorDefinition<'injection', Options> = {
  id: 'injection',
  emits: [
    'malicious_sqli',
    'malicious_xss',
    'malicious_path_traversal',
    'malicious_command_injection',
    'malicious_jndi_injection',
    'malicious_template_injection',
    'malicious_prototype_pollution',
    'malicious_nosql_injection',
    'malicious_ssrf',
  ],
  create(options, { events, now }) {
    const rules: Rule[] = RULES.filter((rule) => options[OPTION[rule.threat]] === true)
    const limits = {
      maxValueLength: options.maxValueLength,
      maxTotalLength: options.maxTotalLength,
      maxDepth: options.maxDepth,
      maxValues: options.maxValues,
    }
    const headers = options.headers
    // One cap per source and class: a SQL injection run does not hide the traversal that follows.
    const capped = new CappedCounter({
      windowMs: DEFAULT_CAP_WINDOW_MS,
      cap: DEFAULT_CAP,
      onAggregate(key, count, startTime, endTime) {
        const bar = key.indexOf('|')
        const threat = key.slice(0, bar) as Threat
        recorderOf(events(undefined), threat)(
          { parameter: '(several)' },
          {
            count,
            startTime,
            endTime,
            srcIp: key.slice(bar + 1),
            ruleName: 'injection',
            message: `${count} more ${threat} findings from one source`,
          },
        )
      },
    })

    function record(ctx: RequestContext, status: number, finding: Finding, kind: InputKind, name: InputName) {
      if (!capped.admit(`${finding.threat}|${ctx.clientIp}`, now())) return
      recorderOf(events(ctx), finding.threat)(
        {
          parameter: fieldName(kind, name),
          ruleId: finding.rule,
          fragment: sanitise(finding.fragment),
          outcome: status >= 200 && status < 400 ? 'reached' : 'refused',
          ...(RISK[finding.confidence] === undefined ? {} : { riskLevel: RISK[finding.confidence] }),
        },
        { ruleName: 'injection', severity: SEVERITY[finding.confidence] },
      )
    }

    return {
      responseFinish(ctx, status, _res, body) {
        if (rules.length === 0) return
        let found = 0 // one bit per rule that already matched in this request
        walkInputs({ url: ctx.url, headers: ctx.headers, body }, headers, limits, (kind, raw, name) => {
          const { text, anomalies } = normalise(raw, kind === 'query' || kind === 'query_key')
          for (let i = 0; i < rules.length; i++) {
            if ((found & (1 << i)) !== 0) continue
            const finding = (rules[i] as Rule).match(text, kind, anomalies)
            if (finding === undefined) continue
            found |= 1 << i
            record(ctx, status, finding, kind, name)
          }
          return found === (1 << rules.length) - 1
        })
      },
      sweep: (t) => capped.sweep(t),
    }
  },
}

/** At most FRAGMENT characters, control characters as spaces. */
function sanitise(fragment: string): string {
  const cut = fragment.length > FRAGMENT ? fragment.slice(0, FRAGMENT) : fragment
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
}
