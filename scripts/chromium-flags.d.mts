/** Quiet on a closed network: no sandbox (containers), no GPU, no background services, no QUIC probing. */
export declare const QUIET_FLAGS: readonly string[]
