/** Where the site is published (GitHub Pages of the repository); the READMEs link into it by absolute URL. */
export const SITE = 'https://holdfast-sse.github.io/holdfast/'
