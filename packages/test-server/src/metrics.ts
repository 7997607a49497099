import {Counter, Gauge, Registry} from 'prom-client'
import type {Hub} from './hub.js'

/**
 * The Prometheus metrics of one server, in a registry of its own (several servers can share a process). Values
 * are read from the hub's plain counters when `/metrics` is scraped; nothing is updated on the hot path.
 */
export function createMetrics(hub: Hub): Registry {
  const registers = [new Registry()]
  const prefix = hub.options.metricsPrefix
  const {stats} = hub
  const total = (name: string, help: string, read: () => number): void => {
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  }

  new Gauge({
    name: `${prefix}connections_active`,
    help: 'Streams open now.',
    registers,
    collect() {
      let open = 0
      for (const stream of hub.connections.live()) if (stream.state === 'open') open++
      this.set(open)
    },
  })
  new Gauge({
    name: `${prefix}channels`,
    help: 'Channels known to the server.',
    registers,
    collect() {
      this.set(hub.channelInfos().length)
    },
  })
  total('connections_total', 'Streams opened (answered with 200).', () => stats.connectionsOpened)
  total('events_published_total', 'Events published to any channel.', () => stats.eventsPublished)
  total('events_sent_total', 'Events with ids written to clients, replays included.', () => stats.eventsSent)
  total('events_replayed_total', 'Events replayed after a Last-Event-ID.', () => stats.eventsReplayed)
  total('heartbeats_total', 'Heartbeat comments written.', () => stats.heartbeats)
  total('bytes_sent_total', 'Response body bytes written to stream clients.', () => {
    let bytes = stats.closedBytes
    for (const stream of hub.connections.live()) bytes += stream.bytesSent
    return bytes
  })
  new Counter({
    name: `${prefix}disconnects_total`,
    help: 'Streams closed, by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset()
      for (const [reason, count] of stats.disconnects) this.inc({reason}, count)
    },
  })
  /** A counter with two labels, read from a map whose keys are the two label values joined by a space. */
  const byTwoLabels = (name: string, help: string, labels: [string, string], read: () => Map<string, number>): void => {
    new Counter({
      name: `${prefix}${name}`,
      help,
      labelNames: labels,
      registers,
      collect() {
        this.reset()
        for (const [key, count] of read()) {
          const [first = '', second = ''] = key.split(' ')
          this.inc({[labels[0]]: first, [labels[1]]: second}, count)
        }
      },
    })
  }
  byTwoLabels(
    'faults_injected_total',
    'Faults injected, by type and by where they came from (api, control, query).',
    ['type', 'via'],
    () => stats.faults,
  )
  byTwoLabels(
    'stream_requests_total',
    'Stream requests answered with 200, by transport (stream or poll) and HTTP protocol (http/1.1, h2).',
    ['transport', 'protocol'],
    () => stats.opened,
  )
  if (hub.engine.kind === 'redis') {
    const {engine} = hub
    new Gauge({
      name: `${prefix}redis_up`,
      help: 'Whether this server reaches Redis and takes publishes (1) or not (0).',
      registers,
      collect() {
        this.set(engine.health.up ? 1 : 0)
      },
    })
    total('redis_outages_total', 'Times this server lost Redis while running.', () => engine.health.outages)
    total(
      'redis_publish_failures_total',
      'Publishes refused or unconfirmed because Redis was unreachable.',
      () => engine.health.publishFailures,
    )
  }
  return registers[0] as Registry
}
