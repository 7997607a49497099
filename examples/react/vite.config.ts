import {defineConfig} from 'vite'

// Relative asset URLs: the built app works under any prefix (the test server mounts it at /react or /app).
// JSX is compiled by Vite's own transform, as tsconfig.json's "jsx": "react-jsx" says.
// `vite build --mode development` (the package's build) bundles React's development build, so that StrictMode's
// double mount runs in the e2e tests too; a plain `vite build` makes the production app.
export default defineConfig(({mode}) => ({
  base: './',
  build: {outDir: 'dist', emptyOutDir: true},
  define: mode === 'development' ? {'process.env.NODE_ENV': JSON.stringify('development')} : {},
}))
