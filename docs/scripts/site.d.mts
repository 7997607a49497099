export declare const SITE: string
