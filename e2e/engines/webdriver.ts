// A small typed client of classic WebDriver (W3C WebDriver, HTTP), for WebKitWebDriver: only the commands the
// cross-engine specs need. https://www.w3.org/TR/webdriver2/

/** A WebDriver error reply: `error` is the spec's error code ("no such window", "javascript error"…). */
export class WebDriverError extends Error {
  override name = 'WebDriverError'
  constructor(
    readonly command: string,
    readonly error: string,
    message: string,
  ) {
    super(`WebDriver ${command}: ${error}: ${message}`)
  }
}

/** A window's handle and kind, as `New Window` answers. */
export interface NewWindow {
  handle: string
  type: 'tab' | 'window'
}

/** Sends one command to the driver at `base` (`http://127.0.0.1:port`) and returns its `value`. */
async function send<T>(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
  const command = `${method} ${path}`
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : {'content-type': 'application/json'},
    // Every POST carries a JSON body, even an empty one: WebKitWebDriver rejects a bodyless POST.
    body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
  })
  const text = await response.text()
  let reply: {value?: unknown}
  try {
    reply = JSON.parse(text) as {value?: unknown}
  } catch {
    throw new WebDriverError(command, 'invalid reply', `HTTP ${response.status}: ${text.slice(0, 200)}`)
  }
  const value = reply.value as {error?: string; message?: string} | null
  if (!response.ok || (value !== null && typeof value === 'object' && typeof value.error === 'string'))
    throw new WebDriverError(command, value?.error ?? `HTTP ${response.status}`, value?.message ?? text.slice(0, 200))
  return reply.value as T
}

/** Whether the driver at `base` answers `GET /status` with `ready: true`. */
export async function driverReady(base: string): Promise<boolean> {
  try {
    return (await send<{ready: boolean}>(base, 'GET', '/status')).ready
  } catch {
    return false
  }
}

/** One WebDriver session: one browser, its windows, one current window that every command addresses. */
export class WebDriverSession {
  private constructor(
    private readonly base: string,
    readonly id: string,
    readonly capabilities: Record<string, unknown>,
  ) {}

  /** `New Session` with these capabilities (`alwaysMatch`). */
  static async create(base: string, capabilities: Record<string, unknown>): Promise<WebDriverSession> {
    const reply = await send<{sessionId: string; capabilities: Record<string, unknown>}>(base, 'POST', '/session', {
      capabilities: {alwaysMatch: capabilities},
    })
    return new WebDriverSession(base, reply.sessionId, reply.capabilities)
  }

  private send<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
    return send<T>(this.base, method, `/session/${this.id}${path}`, body)
  }

  /** `Delete Session`: the browser quits. */
  async delete(): Promise<void> {
    await send(this.base, 'DELETE', `/session/${this.id}`)
  }

  /** `Set Timeouts` (ms). */
  async setTimeouts(timeouts: {script?: number; pageLoad?: number}): Promise<void> {
    await this.send('POST', '/timeouts', timeouts)
  }

  /** `Navigate To`: resolves once the page has loaded (the `normal` page load strategy). */
  async navigate(url: string): Promise<void> {
    await this.send('POST', '/url', {url})
  }

  /** `Execute Async Script`: `script` is a function body; its last argument is the callback that settles it. */
  executeAsync<T>(script: string, args: unknown[]): Promise<T> {
    return this.send<T>('POST', '/execute/async', {script, args})
  }

  /** `Get Window Handle`: the current window. */
  currentWindow(): Promise<string> {
    return this.send<string>('GET', '/window')
  }

  /** `Switch To Window`. */
  async switchTo(handle: string): Promise<void> {
    await this.send('POST', '/window', {handle})
  }

  /** `New Window` (does not switch to it). */
  newWindow(type: 'tab' | 'window'): Promise<NewWindow> {
    return this.send<NewWindow>('POST', '/window/new', {type})
  }

  /** `Close Window`: closes the current window; resolves with the handles left. */
  closeWindow(): Promise<string[]> {
    return this.send<string[]>('DELETE', '/window')
  }

  /** `Minimize Window`. */
  async minimize(): Promise<void> {
    await this.send('POST', '/window/minimize')
  }

  /** `Maximize Window` (also restores a minimized one). */
  async maximize(): Promise<void> {
    await this.send('POST', '/window/maximize')
  }
}
