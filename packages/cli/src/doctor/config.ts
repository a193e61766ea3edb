/**
 * Step 1: the configuration loads as the app would load it (core's `loadConfig`: the same file
 * discovery, `${VAR}` substitution from this process's environment, defaults and validation) and
 * names a `sentinel` sink — the one `--sink` selects, or every one it has.
 */
import { loadConfig, type ResolvedConfig, type SentinelSinkConfig, WatchpostError } from '@watchpost/core'
import { failed, ok, type SinkTarget, type StepResult } from './types.js'

export interface ConfigOutcome {
  readonly step: StepResult
  readonly config?: ResolvedConfig
  readonly targets: readonly SinkTarget[]
}

const NAME = 'config'

/** `--sink` matches `sinks[N]`, `N`, the DCR immutable id, or `sentinel:<dcr id>` (the sink's name in health and warnings). */
function matches(selector: string, target: SinkTarget): boolean {
  const index = target.label.slice('sinks['.length, -1)
  const { dcrImmutableId } = target.config
  return [target.label, index, dcrImmutableId, `sentinel:${dcrImmutableId}`].includes(selector)
}

function describe(target: SinkTarget): string {
  const { config } = target
  const streams = config.tables === 'custom' ? 'one custom stream' : 'the four ASIM streams'
  return `${target.label}: endpoint ${config.endpoint}, DCR ${config.dcrImmutableId}, tables ${config.tables} (${streams})`
}

export function checkConfig(
  file: string | undefined,
  selector: string | undefined,
  runtime: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
): ConfigOutcome {
  let config: ResolvedConfig
  try {
    config = loadConfig(file === undefined ? {} : { config: file }, runtime)
  } catch (err) {
    if (!(err instanceof WatchpostError)) throw err
    return {
      targets: [],
      step: failed(
        NAME,
        'config-invalid',
        `The configuration does not load: ${err.message}`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration file's substitution syntax
        'Fix what the message names (a missing ${VAR} must be set in the environment the app runs with); `watchpost validate` checks the file alone.',
      ),
    }
  }
  const source = config.source.file ?? 'no configuration file (defaults only)'
  const all: SinkTarget[] = []
  config.sinks.forEach((sink, i) => {
    if (sink.type === 'sentinel') all.push({ label: `sinks[${i}]`, config: sink as SentinelSinkConfig })
  })
  if (all.length === 0) {
    return {
      config,
      targets: [],
      step: failed(
        NAME,
        'no-sentinel-sink',
        `${source} loads, but none of its sinks is of type "sentinel".`,
        'Add a `sinks` entry with `type: sentinel` (endpoint, dcrImmutableId, credential; docs/sentinel.md), or point --config (or WATCHPOST_CONFIG) at the file the app uses.',
      ),
    }
  }
  const targets = selector === undefined ? all : all.filter((t) => matches(selector, t))
  if (targets.length === 0) {
    return {
      config,
      targets,
      step: failed(
        NAME,
        'sink-not-found',
        `${source} has no sentinel sink matching --sink ${JSON.stringify(selector)}.`,
        `Name one by its place or its DCR id: ${all.map((t) => `${t.label} (${t.config.dcrImmutableId})`).join(', ')}.`,
      ),
    }
  }
  return {
    config,
    targets,
    step: ok(NAME, `${source} loads. Checking ${targets.map(describe).join('; ')}.`),
  }
}
