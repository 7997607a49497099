// Loaded before the implementation on the fragmentation workload only: every response body reaches the client in
// chunks of JOB.fragment bytes, one `read()` each, exactly as the page receives them. Libraries that capture
// `fetch` when they load (event-source-polyfill) capture this one.
;(() => {
  const size = window.JOB.fragment
  const realFetch = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const response = await realFetch(input, init)
    if (!response.body) return response
    const body = response.body.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          for (let i = 0; i < chunk.byteLength; i += size) controller.enqueue(chunk.subarray(i, i + size))
        },
      }),
    )
    const cut = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
    Object.defineProperties(cut, {url: {value: response.url}, redirected: {value: response.redirected}})
    return cut
  }
})()
