// engines/firefox-launcher.mjs, the BiDi go-between that lets Playwright drive Debian's Firefox ESR: started as
// Playwright starts it, spoken to as Playwright speaks to it. Firefox only (it starts Firefox).
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import WebSocket from 'ws'
import {firefoxOnly} from '../engines/engines'
import {expect, test} from '../fixtures'

const LAUNCHER = fileURLToPath(new URL('../engines/firefox-launcher.mjs', import.meta.url))

/** A BiDi session over `url`: `send` resolves with the reply (success or error) to one command. */
async function connect(url: string) {
  const socket = new WebSocket(url)
  await once(socket, 'open')
  const replies = new Map<number, (reply: Record<string, unknown>) => void>()
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {id?: number}
    if (message.id !== undefined) replies.get(message.id)?.(message)
  })
  let id = 0
  return {
    send(method: string, params: object = {}): Promise<Record<string, unknown>> {
      const sent = ++id
      socket.send(JSON.stringify({id: sent, method, params}))
      return new Promise((resolve) => replies.set(sent, resolve))
    },
    close: () => socket.close(),
  }
}

test(
  'answers the command Firefox ESR lacks, passes the rest through, names itself on an unknown one, and ends with Firefox',
  {
    tag: firefoxOnly,
  },
  async () => {
    const profile = await mkdtemp(join(tmpdir(), 'holdfast-launcher-'))
    // Firefox's own arguments, as Playwright gives them.
    const launcher = spawn(process.execPath, [
      LAUNCHER,
      '--remote-debugging-port=0',
      '--headless',
      '--profile',
      profile,
    ])
    try {
      let output = ''
      launcher.stdout.resume()
      const url = await new Promise<string>((resolve, reject) => {
        launcher.stderr.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const listening = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(output)
          if (listening) resolve(listening[1]!)
        })
        launcher.once('exit', (code) => reject(new Error(`the launcher exited with ${code}: ${output}`)))
      })
      // The line Playwright waits for names the launcher's own endpoint, once.
      expect(output.match(/WebDriver BiDi listening on/g)).toHaveLength(1)

      const bidi = await connect(`${url}/session`)
      const session = await bidi.send('session.new', {capabilities: {}})
      expect(session).toMatchObject({type: 'success', result: {capabilities: {browserName: 'firefox'}}})

      // Answered by the launcher, as Playwright needs for every new context.
      const colorScheme = {contexts: [], colorScheme: 'dark'}
      expect(await bidi.send('emulation.setMediaFeaturesOverride', colorScheme)).toMatchObject({
        type: 'success',
        result: {},
      })
      // Passed through to Firefox, which answers it.
      const tree = await bidi.send('browsingContext.getTree')
      expect(tree).toMatchObject({type: 'success', result: {contexts: [expect.anything()]}})
      // A command Firefox does not know (as a newer Playwright may send): the error says where to answer it.
      const unknown = await bidi.send('emulation.setSomethingNew')
      expect(unknown).toMatchObject({type: 'error', error: 'unknown command'})
      expect(String(unknown.message)).toContain(
        'e2e/engines/firefox-launcher.mjs: this Firefox does not implement emulation.setSomethingNew',
      )

      // Playwright closes the browser this way: Firefox exits, and the launcher with it.
      const exited = once(launcher, 'exit')
      void bidi.send('browser.close') // its reply may not come before the socket closes

      const [code] = (await exited) as [number | null]
      bidi.close()
      expect(code).toBe(0)
    } finally {
      if (launcher.exitCode === null) launcher.kill()
      await rm(profile, {recursive: true, force: true})
    }
  },
)
