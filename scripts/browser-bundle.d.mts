/** Types of `browser-bundle.mjs`, for the TypeScript tests that use it. */
export interface NodeImport {
  readonly specifier: string
  readonly importer: string
  readonly kind: string
}
export declare const entryPoints: ReadonlyArray<string>
export declare const bundle: (
  entry: string
) => Promise<{ readonly entry: string; readonly nodeImports: ReadonlyArray<NodeImport>; readonly bytes: number }>
