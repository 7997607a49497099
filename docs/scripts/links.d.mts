export declare const GITHUB: string
export interface Site {
  dist: string
  base: string
  pages: Map<string, {file: string; ids: Set<string>; links: string[]}>
}
export declare function readSite(dist: string, base: string): Site
export declare function deadSiteLinks(site: Site): string[]
export declare function githubSlug(heading: string): string
export declare function deadMarkdownLinks(
  files: string[],
  options: {root: string; site: Site; siteUrl: string; siteSources: string},
): string[]
