// Messages from the benchmark's child processes, awaited by type (and index) in any order they arrive.

/** Collects `child`'s messages; `next(type, index?)` resolves with the first matching one, queued or to come. */
export function inbox(child) {
  const queued = []
  const waiters = []
  const matches = (message, type, index) => message.type === type && (index === undefined || message.index === index)
  child.on('message', (message) => {
    const at = waiters.findIndex((w) => matches(message, w.type, w.index))
    if (at === -1) queued.push(message)
    else waiters.splice(at, 1)[0].resolve(message)
  })
  return {
    next(type, index) {
      const at = queued.findIndex((m) => matches(m, type, index))
      if (at !== -1) return Promise.resolve(queued.splice(at, 1)[0])
      return new Promise((resolve) => waiters.push({type, index, resolve}))
    },
  }
}

/** Request/response over IPC with a child that answers `{...request, id}` with `{...answer, id}`. */
export function rpc(child) {
  let ids = 0
  const pending = new Map()
  child.on('message', (message) => {
    const resolve = pending.get(message.id)
    if (resolve === undefined) return
    pending.delete(message.id)
    resolve(message)
  })
  return (request) =>
    new Promise((resolve) => {
      const id = ++ids
      pending.set(id, resolve)
      child.send({...request, id})
    })
}
