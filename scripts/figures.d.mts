/** Every figure, as the text the docs show: nested by name (`client.size.index` is `figures.client.size.index`). */
export interface Figures {
  [name: string]: string | Figures
}
export const FIGURES_FILE: string
export const DOCS: string[]
export const SCRIPT: string
export function integrity(bytes: Uint8Array): string
export function measureFigures(): Promise<Figures>
export function fillFigures(markdown: string, figures: Figures): {text: string; stale: string[]; unknown: string[]}
export function markedFigures(markdown: string): string[]
export function formatFigures(figures: Figures): string
