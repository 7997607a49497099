import type {Stream} from '../stream.js'
import type {FaultEntry} from './entry.js'
import {malformedFrame, oversizedFrame} from './frames.js'

/** Default pause between two trickled bytes. */
export const TRICKLE_INTERVAL_MS = 20

/**
 * Applies a stream fault that is due on an open stream. Connect faults (status, content-type, delay, refuse) are
 * applied while the connection is answered, in connect.ts, and never reach here.
 */
export function applyStreamFault(entry: FaultEntry, stream: Stream): void {
  const fault = entry.fault
  stream.noteFired(entry.id, fault.type, entry.via)
  switch (fault.type) {
    case 'stall':
      stream.stall(entry.id, fault.durationMs)
      break
    case 'drop':
      stream.destroy('fault', 'fault-drop', fault.reset === true)
      break
    case 'end':
      stream.end('fault', 'fault-end')
      break
    case 'malformed':
      stream.write(malformedFrame(fault))
      break
    case 'oversized':
      stream.write(oversizedFrame(fault.size))
      break
    case 'trickle':
      stream.trickle(entry.id, fault.intervalMs ?? TRICKLE_INTERVAL_MS)
      break
    case 'heartbeat':
      stream.setHeartbeat(entry.id, fault.intervalMs)
      break
    case 'status':
    case 'content-type':
    case 'delay':
    case 'refuse':
      break
  }
}
