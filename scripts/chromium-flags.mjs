// Chromium's flags for a closed, shared machine (see ../shared/TOOLCHAIN.md), shared by the e2e suite and the bench.

/** Quiet on a closed network: no sandbox (containers), no GPU, no background services, no QUIC probing. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
