import {TestServerError} from '../errors.js'
import type {Fault} from '../types.js'
import {faultFields, faultType, parseFault} from './parse.js'

/** The query parameters that carry a fault. */
export const FAULT_PARAM = 'fault'
export const FAULT_KEY_PARAM = 'faultKey'

/** A fault read from a stream URL, with the key that counts how often that URL has been answered with it. */
export interface QueryFault {
  fault: Fault
  /** Same URL fault (and `faultKey`) → same key, whatever else the query holds (a `lastEventId` changes). */
  key: string
}

function canonical(fault: Fault): string {
  const entries = Object.entries(fault).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return JSON.stringify(entries)
}

function fromJson(text: string): Fault[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new TestServerError('invalid-fault', `Invalid fault: the \`fault\` query parameter is not valid JSON`)
  }
  return (Array.isArray(value) ? value : [value]).map((item) => parseFault(item))
}

function fromSiblings(type: string, params: URLSearchParams): Fault {
  const input: Record<string, unknown> = {type}
  for (const field of faultFields(faultType(type))) {
    const value = params.get(field)
    if (value !== null) input[field] = value
  }
  return parseFault(input, {text: true})
}

/**
 * Reads the faults a stream request asks for: `?fault=drop&midEvent=true&after=4` (the type, with the fault's own
 * fields as sibling parameters; other parameters belong to the app and are left alone), or the JSON of one fault or
 * an array of them: `?fault={"type":"drop","after":4}`. Returns `[]` when the URL carries no fault.
 */
export function faultsFromQuery(params: URLSearchParams): QueryFault[] {
  const values = params.getAll(FAULT_PARAM)
  if (values.length === 0) return []
  if (values.length > 1)
    throw new TestServerError('invalid-fault', 'Invalid fault: give one `fault` parameter (a JSON array for several)')
  const value = (values[0] as string).trim()
  const faults = value.startsWith('{') || value.startsWith('[') ? fromJson(value) : [fromSiblings(value, params)]
  const faultKey = params.get(FAULT_KEY_PARAM) ?? ''
  return faults.map((fault, index) => ({fault, key: `${faultKey}\u0000${index}\u0000${canonical(fault)}`}))
}
