import {TestServerError} from '../errors.js'
import {closest} from '../suggest.js'
import type {ConnectFaultType, Fault, FaultType, MalformedVariant} from '../types.js'

/**
 * The fault vocabulary, written once. The programmatic API and the control endpoints pass objects (values must
 * have the right JSON type); query parameters pass text (values are converted by the same rules).
 */

type Kind = (value: unknown, text: boolean) => unknown

const MAX_OVERSIZED = 64 * 1024 * 1024
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const ONE_LINE = /^[^\r\n]*$/

export const MALFORMED_VARIANTS: readonly MalformedVariant[] = [
  'garbage',
  'invalid-utf8',
  'unknown-field',
  'bad-retry',
  'nul-id',
  'unterminated',
]

/** Thrown by a kind; the caller adds which fault and field it is about. */
class BadValue extends Error {}

function integer(min: number, max = Number.MAX_SAFE_INTEGER): Kind {
  return (value, text) => {
    const n = text && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw new BadValue(
        max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`,
      )
    return n
  }
}

const boolean: Kind = (value, text) => {
  if (typeof value === 'boolean') return value
  if (text && (value === '' || value === 'true' || value === '1')) return true
  if (text && (value === 'false' || value === '0')) return false
  throw new BadValue('must be true or false')
}

const oneLine: Kind = (value) => {
  if (typeof value !== 'string' || !ONE_LINE.test(value)) throw new BadValue('must be a string without line breaks')
  return value
}

const anyString: Kind = (value) => {
  if (typeof value !== 'string') throw new BadValue('must be a string')
  return value
}

const retryAfter: Kind = (value, text) => {
  if (text && typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  if (typeof value === 'string' && value !== '' && ONE_LINE.test(value)) return value
  throw new BadValue('must be a number of seconds or an HTTP date')
}

const headers: Kind = (value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadValue('must be an object of header names to string values')
  for (const [name, v] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) throw new BadValue(`has an invalid header name ${JSON.stringify(name)}`)
    if (typeof v !== 'string' || !ONE_LINE.test(v)) throw new BadValue(`.${name} must be a one-line string`)
  }
  return {...value}
}

const variant: Kind = (value) => {
  if (!MALFORMED_VARIANTS.includes(value as MalformedVariant))
    throw new BadValue(`must be one of ${MALFORMED_VARIANTS.join(', ')}`)
  return value
}

const times: Kind = (value, text) => {
  if (value === 'all' || value === Infinity) return 'all'
  return integer(1)(value, text)
}

interface Spec {
  fields: Record<string, Kind>
  required?: readonly string[]
  /** Connect faults decide how a new connection is answered; `after` makes no sense for them. */
  connect?: true
}

const specs: Record<FaultType, Spec> = {
  stall: {fields: {durationMs: integer(1)}},
  drop: {fields: {midEvent: boolean, reset: boolean}},
  end: {fields: {}},
  status: {
    fields: {status: integer(200, 599), retryAfter, body: anyString, headers},
    required: ['status'],
    connect: true,
  },
  'content-type': {fields: {contentType: oneLine}, connect: true},
  malformed: {fields: {variant, frame: anyString}},
  oversized: {fields: {size: integer(1, MAX_OVERSIZED)}, required: ['size']},
  trickle: {fields: {intervalMs: integer(1, 60_000)}},
  delay: {fields: {durationMs: integer(0)}, connect: true},
  heartbeat: {fields: {intervalMs: integer(0)}, required: ['intervalMs']},
  refuse: {fields: {}, connect: true},
}

/** Every fault type, in the order the README documents them. */
export const FAULT_TYPES = Object.keys(specs) as FaultType[]

/** True for the faults that apply to new connections only. */
export function isConnectFault(type: FaultType): type is ConnectFaultType {
  return specs[type].connect === true
}

/** The fields a fault of `type` accepts besides `type` (common ones included). */
export function faultFields(type: FaultType): string[] {
  return [...Object.keys(specs[type].fields), 'times', ...(specs[type].connect ? [] : ['after'])]
}

function invalid(message: string): never {
  throw new TestServerError('invalid-fault', `Invalid fault: ${message}`)
}

/** Reads the fault type, or throws naming the accepted ones. */
export function faultType(value: unknown): FaultType {
  if (typeof value === 'string' && Object.hasOwn(specs, value)) return value as FaultType
  invalid(`unknown type ${JSON.stringify(value)} (expected one of ${FAULT_TYPES.join(', ')})`)
}

/** Options of {@link parseFault}. */
export interface ParseFaultOptions {
  /** Values are strings from a query string, converted to the field's kind. */
  text?: boolean
  /** Skip fields that are not the fault's (a URL also carries the app's own query parameters). */
  ignoreUnknown?: boolean
  /** The target fields the request carries next to the fault (`channel`, `connection`), named in errors. */
  targets?: readonly string[]
}

/** `unknown field \`chanel\` for a stall fault (expected durationMs, times, after; target: channel, connection; did you mean channel?)` */
function unknownField(field: string, type: FaultType, targets: readonly string[]): string {
  const fields = faultFields(type)
  const suggestion = closest(field, [...fields, ...targets])
  const expected = fields.join(', ') + (targets.length > 0 ? `; target: ${targets.join(', ')}` : '')
  return `unknown field \`${field}\` for a ${type} fault (expected ${expected}${suggestion ? `; did you mean ${suggestion}?` : ''})`
}

/** Validates a fault description and returns it in canonical form. */
export function parseFault(
  input: unknown,
  {text = false, ignoreUnknown = false, targets = []}: ParseFaultOptions = {},
): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('expected an object like {"type": "stall", "durationMs": 2000}')
  const record = input as Record<string, unknown>
  const type = faultType(record.type)
  const spec = specs[type]
  const kinds: Record<string, Kind> = {...spec.fields, times}
  if (!spec.connect) kinds.after = integer(0)
  const fault: Record<string, unknown> = {type}
  for (const [field, value] of Object.entries(record)) {
    if (field === 'type' || value === undefined) continue
    const kind = kinds[field]
    if (!kind) {
      if (ignoreUnknown) continue
      if (field === 'after' && spec.connect)
        invalid(`\`after\` does not apply to a ${type} fault: it answers new connections before any event is sent`)
      invalid(unknownField(field, type, targets))
    }
    try {
      fault[field] = kind(value, text)
    } catch (error) {
      if (!(error instanceof BadValue)) throw error
      invalid(`\`${field}\` of a ${type} fault ${error.message}, got ${JSON.stringify(value)}`)
    }
  }
  for (const field of spec.required ?? []) {
    if (fault[field] === undefined) invalid(`a ${type} fault needs \`${field}\``)
  }
  return fault as unknown as Fault
}

/** How many connections a fault applies to, as a number (`Infinity` for `'all'`). */
export function timesOf(fault: Fault): number {
  return fault.times === undefined ? 1 : fault.times === 'all' ? Infinity : fault.times
}
