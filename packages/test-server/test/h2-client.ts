import {connect as http2Connect, type ClientHttp2Session, type ClientHttp2Stream} from 'node:http2'
import type {IncomingHttpHeaders} from 'node:http2'
import {afterEach} from 'vitest'
import type {TestServer} from '../src/index.js'
import {EventParser, type ParsedEvent} from './helpers.js'

const sessions = new Set<ClientHttp2Session>()

afterEach(() => {
  for (const session of sessions) session.destroy()
  sessions.clear()
})

/** How an HTTP/2 stream ended: END_STREAM (`end`), or reset (`reset`, with the RST_STREAM code). */
export type H2Ending = {kind: 'end'} | {kind: 'reset'; code: number}

/** An HTTP/2 session to `server` that trusts its certificate; destroyed after the test. */
export function h2Session(server: TestServer): ClientHttp2Session {
  const session = http2Connect(server.url, {ca: server.certificate?.pem})
  session.on('error', () => {}) // a reset connection is what some tests want; they assert on 'close'
  sessions.add(session)
  return session
}

/** One request on an HTTP/2 session, recorded byte by byte, awaited without sleeping. */
export class H2Request {
  readonly stream: ClientHttp2Stream
  readonly headers: Promise<IncomingHttpHeaders>
  readonly ended: Promise<H2Ending>
  text = ''
  #parser = new EventParser()
  #checks = new Set<() => void>()
  #ending: H2Ending | undefined

  constructor(session: ClientHttp2Session, path: string, headers: Record<string, string> = {}) {
    this.stream = session.request({':path': path, ...headers})
    this.stream.setEncoding('utf8')
    this.headers = new Promise((resolve) => this.stream.once('response', resolve))
    this.headers.catch(() => {})
    let endStream = false
    this.stream.once('end', () => (endStream = true))
    this.ended = new Promise((resolve) => {
      this.stream.on('error', () => {})
      this.stream.once('close', () => {
        // END_STREAM ends the readable side; anything else that closes the stream is a reset.
        this.#ending = endStream ? {kind: 'end'} : {kind: 'reset', code: this.stream.rstCode ?? 0}
        resolve(this.#ending)
        for (const check of this.#checks) check()
      })
    })
    this.stream.on('data', (text: string) => {
      this.text += text
      this.#parser.push(text)
      for (const check of this.#checks) check()
    })
  }

  events(): ParsedEvent[] {
    return [...this.#parser.events]
  }

  /** Resolves once the body contains `text`; rejects if the stream ends first. */
  waitForText(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.text.includes(text)) {
          this.#checks.delete(check)
          resolve(this.text)
        } else if (this.#ending) {
          this.#checks.delete(check)
          reject(
            new Error(
              `The stream ended (${JSON.stringify(this.#ending)}) before ${JSON.stringify(text)}: ${this.text}`,
            ),
          )
        }
      }
      this.#checks.add(check)
      check()
    })
  }
}
