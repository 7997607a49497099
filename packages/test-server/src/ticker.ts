import type {NormalizedOptions} from './options.js'
import type {Ticker} from './types.js'

type TickerConfig = NormalizedOptions['tickers'][number]

/** The data of tick `n` when the ticker has no `data` function. */
function defaultData(n: number): unknown {
  return {n, time: new Date().toISOString()}
}

/** Starts a ticker: `publish` is called every `intervalMs` with the next tick's event, until `stop()`. */
export function startTicker(config: TickerConfig, publish: (event: {data: unknown; event?: string}) => void): Ticker {
  let ticks = 0
  const data = config.data ?? defaultData
  const timer = setInterval(() => {
    ticks++
    publish(config.event === undefined ? {data: data(ticks)} : {data: data(ticks), event: config.event})
  }, config.intervalMs)
  return {
    channel: config.channel,
    intervalMs: config.intervalMs,
    get ticks() {
      return ticks
    },
    stop() {
      clearInterval(timer)
    },
  }
}
