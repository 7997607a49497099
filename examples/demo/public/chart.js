// The live chart: events per second for each client, their connection states as bands, and fault markers, in one
// hand-written SVG. The geometry is pure (and unit-tested); `createChart` only turns it into elements.

const SVG = 'http://www.w3.org/2000/svg'

/** Where things go inside the SVG's 960 × 196 viewBox. */
export const LAYOUT = Object.freeze({
  left: 74,
  right: 950,
  top: 14,
  baseline: 120,
  axisLabels: 136,
  bandHeight: 14,
  bandTops: [150, 172],
  bottom: 186,
})

/**
 * @typedef {object} Transition
 * @property {number} time when the state began
 * @property {number} state 0 CONNECTING, 1 OPEN, 2 CLOSED
 */

/**
 * @typedef {object} Segment
 * @property {number} from
 * @property {number} to
 * @property {number} state
 */

/**
 * A linear map from [domainStart, domainEnd] to [rangeStart, rangeEnd].
 * @param {number} domainStart @param {number} domainEnd @param {number} rangeStart @param {number} rangeEnd
 * @returns {(value: number) => number}
 */
export function linear(domainStart, domainEnd, rangeStart, rangeEnd) {
  const span = domainEnd - domainStart || 1
  return (value) => rangeStart + ((value - domainStart) / span) * (rangeEnd - rangeStart)
}

/**
 * The top of the y axis: the smallest 1, 2 or 5 × 10ⁿ at or above `value`, and never below `floor`, so the
 * axis does not jump at every small change and a quiet minute does not blow noise up to full height.
 * @param {number} value @param {number} [floor]
 */
export function niceCeiling(value, floor = 1) {
  const target = Math.max(value, floor)
  const power = 10 ** Math.floor(Math.log10(target))
  const step = [1, 2, 5, 10].find((m) => m * power >= target - 1e-9) ?? 10
  return step * power
}

/**
 * The `points` attribute of a polyline, rounded to 0.1 unit.
 * @param {ReadonlyArray<{time: number, perSecond: number}>} points
 * @param {(time: number) => number} x @param {(value: number) => number} y
 */
export function polylinePoints(points, x, y) {
  return points.map((point) => `${x(point.time).toFixed(1)},${y(point.perSecond).toFixed(1)}`).join(' ')
}

/**
 * The state segments visible in [start, end]: each transition lasts until the next one (the last until `end`);
 * segments before `start` are dropped and the one spanning it is clipped.
 * @param {readonly Transition[]} transitions in time order
 * @param {number} start @param {number} end
 * @returns {Segment[]}
 */
export function stateSegments(transitions, start, end) {
  /** @type {Segment[]} */
  const segments = []
  transitions.forEach((transition, index) => {
    const next = transitions[index + 1]
    const from = Math.max(transition.time, start)
    const to = Math.min(next === undefined ? end : next.time, end)
    if (to > from) segments.push({from, to, state: transition.state})
  })
  return segments
}

/**
 * The highest point of each run of points above `max`: where the clipped line gets a label with its real value.
 * @param {ReadonlyArray<{time: number, perSecond: number}>} points
 * @param {number} max
 */
export function clippedPeaks(points, max) {
  /** @type {Array<{time: number, perSecond: number}>} */
  const peaks = []
  let inRun = false
  for (const point of points) {
    if (point.perSecond <= max) {
      inRun = false
      continue
    }
    const peak = peaks.at(-1)
    if (inRun && peak !== undefined) {
      if (point.perSecond > peak.perSecond) peaks[peaks.length - 1] = point
    } else peaks.push(point)
    inRun = true
  }
  return peaks
}

/**
 * A row for each label at the x positions given (ascending) so that labels in one row stay at least `gap` apart:
 * the first row with room, or the row whose last label is furthest left when none has room.
 * @param {readonly number[]} xs
 * @param {number} gap
 * @param {number} [rows]
 */
export function labelRows(xs, gap, rows = 3) {
  /** The x of the last label in each row. */
  const lastX = Array.from({length: rows}, () => -Infinity)
  return xs.map((x) => {
    const free = lastX.findIndex((last) => x - last >= gap)
    const row = free === -1 ? lastX.indexOf(Math.min(...lastX)) : free
    lastX[row] = x
    return row
  })
}

/**
 * @typedef {object} ChartFrame
 * @property {number} now the right edge (same clock as every time below)
 * @property {number} windowMs how much time the chart spans
 * @property {Array<{name: string, className: string, points: ReadonlyArray<{time: number, perSecond: number}>}>} series
 * @property {Array<{name: string, transitions: readonly Transition[]}>} bands one per client, top to bottom
 * @property {ReadonlyArray<{time: number, label: string}>} markers fault injections, in time order
 * @property {number} max the top of the y axis in events per second; higher values are clipped and labelled
 */

/**
 * @param {string} tag @param {Record<string, string | number>} attributes @param {string} [text]
 * @returns {SVGElement}
 */
function element(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
  if (text !== undefined) node.textContent = text
  return node
}

const STATE_CLASSES = ['state-connecting', 'state-open', 'state-closed']
/** Room for a label in the plot (a fault marker's, a clipped peak's), in viewBox units. */
const LABEL_WIDTH = 52

/**
 * Draws frames into `group`, an SVG `<g>` whose contents it owns.
 * @param {SVGGElement} group
 */
export function createChart(group) {
  const {left, right, top, baseline, axisLabels, bandHeight, bandTops, bottom} = LAYOUT
  return {
    /** @param {ChartFrame} frame */
    render({now, windowMs, series, bands, markers, max}) {
      const start = now - windowMs
      const x = linear(start, now, left, right)
      const y = (/** @type {number} */ value) => linear(0, max, baseline, top)(Math.min(value, max))
      /** @type {SVGElement[]} */
      const nodes = []
      for (const value of [0, max / 2, max]) {
        nodes.push(element('line', {class: 'grid', x1: left, x2: right, y1: y(value), y2: y(value)}))
        nodes.push(element('text', {class: 'tick', x: left - 6, y: y(value) + 4, 'text-anchor': 'end'}, `${value}/s`))
      }
      const seconds = Math.round(windowMs / 1000)
      for (const [at, label, anchor] of /** @type {const} */ ([
        [start, `−${seconds} s`, 'start'],
        [start + windowMs / 2, `−${seconds / 2} s`, 'middle'],
        [now, 'now', 'end'],
      ]))
        nodes.push(element('text', {class: 'tick', x: x(at), y: axisLabels, 'text-anchor': anchor}, label))
      bands.forEach(({name, transitions}, index) => {
        const bandTop = bandTops[index] ?? bottom
        nodes.push(
          element('text', {class: 'band-label', x: left - 6, y: bandTop + bandHeight - 3, 'text-anchor': 'end'}, name),
        )
        for (const segment of stateSegments(transitions, start, now))
          nodes.push(
            element('rect', {
              class: STATE_CLASSES[segment.state] ?? 'state-closed',
              x: x(segment.from),
              y: bandTop,
              width: Math.max(0.5, x(segment.to) - x(segment.from)),
              height: bandHeight,
            }),
          )
      })
      /** Fault markers and clipped peaks share the label rows, so that no two labels overlap. */
      /** @type {Array<{x: number, text: string, className: string}>} */
      const labels = []
      for (const marker of markers) {
        if (marker.time < start) continue
        const at = x(marker.time)
        nodes.push(element('line', {class: 'marker', x1: at, x2: at, y1: top - 4, y2: bottom}))
        labels.push({x: at, text: marker.label, className: 'marker-label'})
      }
      for (const {className, points} of series) {
        nodes.push(element('polyline', {class: className, points: polylinePoints(points, x, y)}))
        for (const peak of clippedPeaks(points, max))
          labels.push({x: x(peak.time), text: `↑${peak.perSecond}/s`, className: `peak ${className}-peak`})
      }
      labels.sort((a, b) => a.x - b.x)
      const rows = labelRows(
        labels.map((label) => label.x),
        LABEL_WIDTH,
      )
      labels.forEach((label, index) => {
        const labelY = top + 8 + (rows[index] ?? 0) * 12
        nodes.push(element('text', {class: label.className, x: label.x + 3, y: labelY}, label.text))
      })
      group.replaceChildren(...nodes)
    },
  }
}
