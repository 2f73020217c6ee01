/**
 * Loading node-oidc-provider (ESM, untyped; see `oidc-provider.d.ts`).
 *
 * @internal
 */
/** @internal */
export type Library = typeof import("oidc-provider")

let library: Promise<Library> | undefined

/**
 * Loads oidc-provider once per process. Its entry module prints "Unsupported runtime" on Node 20 (it asks for Node 22
 * LTS, yet runs fine on Node 20); that one line is not configurable, so it is filtered out while the module
 * evaluates. Every other warning still goes through.
 *
 * @internal
 */
export const loadLibrary = (): Promise<Library> => {
  if (library === undefined) {
    const warn = console.warn
    console.warn = (...args: Array<unknown>) => {
      if (typeof args[0] === "string" && args[0].includes("oidc-provider WARNING: Unsupported runtime")) return
      warn.apply(console, args)
    }
    library = import("oidc-provider").finally(() => {
      console.warn = warn
    })
  }
  return library
}

/** @internal */
export const loadMemoryAdapter = async () => (await import("oidc-provider/lib/adapters/memory_adapter.js")).createMemoryAdapter
