import type {HoldfastError} from './errors'
import type {NormalizedOptions} from './options'

/** How an attempt's request travels: a `stream` that stays open, or a long `poll` that ends after each batch. */
export type TransportName = 'stream' | 'poll'

/** The live counters a strategy reads to tell what an attempt delivered (never written by it). */
export interface TransportCounters {
  readonly bytes: number
  readonly messages: number
  readonly duplicates: number
}

/**
 * [ext] The `transport` option: how a source's requests travel. Called once, as the source starts, with the source's
 * URL, its normalized options, its live counters and the source itself (where `transportchange` is fired; absent
 * for a connection that no single source owns). `@holdfast/client/polling` builds them: `pollTransport()` and
 * `autoTransport()`. Without one, every attempt streams.
 */
export type TransportStrategy = (
  url: string,
  options: Readonly<NormalizedOptions>,
  counters: TransportCounters,
  target: EventTarget | undefined,
) => TransportDriver

/** What a connection asks its strategy, attempt by attempt. Every call happens on the connection's own turn. */
export interface TransportDriver {
  /** The transport of the attempt in progress, or of the last one. */
  readonly transport: TransportName
  /** An attempt starts: the URL to request, given `target`, where the source's requests go now. */
  url(target: string): string
  /**
   * The attempt's response ended cleanly. `true`: it was a completed long poll, and the next request goes out at
   * once, readyState stays OPEN and nothing is fired. `false`: the end is a `stream-ended` failure, as always.
   */
  ended(): boolean
  /** The attempt failed with `error` (before the retry decision). */
  failed(error: HoldfastError): void
  /** The source closed: release every timer and listener. */
  close(): void
}
