/** @internal */
import type * as Jose from "jose"

let loading: Promise<typeof Jose> | undefined

/**
 * jose, loaded at its first use (a key to import, a JWT to sign or decrypt) rather than with `@oauth2/core`: most of
 * its modules are needed by few programs, and importing them costs about a tenth of importing effect.
 *
 * @internal
 */
export const load = (): Promise<typeof Jose> => (loading ??= import("jose"))
