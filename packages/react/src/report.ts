/** Reports an exception thrown by user code (a reducer, a callback) the way a throwing event listener is: it goes on. */
export function report(error: unknown): void {
  const reportError = (globalThis as {reportError?: (error: unknown) => void}).reportError
  if (reportError) reportError(error)
  else
    setTimeout(() => {
      throw error
    })
}
