export declare const DOCS_DIR: string
export declare function docsPages(dir?: string): string[]
