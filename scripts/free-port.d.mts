/** A loopback port nobody listens on right now (another process may still take it before it is used). */
export declare function freePort(): Promise<number>
