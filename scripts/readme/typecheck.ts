// Type-checks a README's blocks with the TypeScript compiler API: each block a module of its own under `baseDir`
// (so its imports resolve from that package's node_modules), the README's prelude as a global declaration file, and
// the workspace packages mapped to their sources (no build needed).
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import type {Readme} from './blocks.js'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** The workspace's packages, by import specifier, at their sources. */
const paths: Record<string, string[]> = {
  '@holdfast/client': [join(root, 'packages/client/src/index.ts')],
  '@holdfast/client/polyfill': [join(root, 'packages/client/src/polyfill.ts')],
  '@holdfast/client/shared': [join(root, 'packages/client/src/shared/index.ts')],
  '@holdfast/client/iterate': [join(root, 'packages/client/src/iterate/index.ts')],
  '@holdfast/client/parse': [join(root, 'packages/client/src/parse/index.ts')],
  '@holdfast/test-server': [join(root, 'packages/test-server/src/index.ts')],
  '@holdfast/test-server/playwright': [join(root, 'packages/test-server/src/playwright.ts')],
  '@holdfast/react': [join(root, 'packages/react/src/index.ts')],
}

/**
 * The files every check reads and none changes (TypeScript's libs, the packages' sources and declarations), parsed
 * once per process: a test that checks many pages pays for parsing them once, as an editor's language service does.
 * The options below are the same for every check, so a file parses the same way for each.
 */
const parsed = new Map<string, ts.SourceFile>()

/** The compiler's complaints about a README's blocks, each as `README.md:LINE: message` (none: all compile). */
export function typecheckReadme(readme: Readme, baseDir: string): string[] {
  const dir = join(baseDir, '.readme-blocks')
  const files = new Map<string, {text: string; line: number}>()
  files.set(join(dir, 'prelude.d.ts'), {text: readme.prelude, line: 0})
  for (const block of readme.blocks) {
    const ext = block.lang === 'js' ? 'mjs' : block.lang
    // Each block is a module, so that blocks never see each other's names (the prelude is global).
    files.set(join(dir, `block-${block.line}.${ext === 'mjs' ? 'mjs' : ext}`), {
      text: `${block.code}\nexport {}\n`,
      line: block.line,
    })
  }
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['node'],
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    noUncheckedIndexedAccess: true,
    allowJs: true,
    checkJs: true,
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    paths,
  }
  const host = ts.createCompilerHost(options)
  const read = host.readFile.bind(host)
  const exists = host.fileExists.bind(host)
  host.readFile = (name) => files.get(resolve(name))?.text ?? read(name)
  host.fileExists = (name) => files.has(resolve(name)) || exists(name)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language, ...rest) => {
    const virtual = files.get(resolve(name))
    if (virtual) return ts.createSourceFile(name, virtual.text, language, true)
    const cached = parsed.get(name)
    if (cached) return cached
    const file = getSourceFile(name, language, ...rest)
    if (file) parsed.set(name, file)
    return file
  }
  const program = ts.createProgram([...files.keys()], options, host)
  const messages: string[] = []
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file
    const virtual = file ? files.get(resolve(file.fileName)) : undefined
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    if (!file || !virtual) {
      messages.push(`${file?.fileName ?? 'program'}: ${text}`)
      continue
    }
    const {line} = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    const where = virtual.line === 0 ? `prelude line ${line + 1}` : `line ${virtual.line + 1 + line}`
    messages.push(`${readme.path}: ${where}: ${text}`)
  }
  return messages
}
