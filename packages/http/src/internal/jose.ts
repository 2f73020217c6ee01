/** @internal */
import type * as Jose from "jose"

let loading: Promise<typeof Jose> | undefined

/**
 * jose, loaded at its first use (a key to import or export) rather than with `@oauth2/http`.
 *
 * @internal
 */
export const load = (): Promise<typeof Jose> => (loading ??= import("jose"))

const NodeBuffer = (globalThis as { readonly Buffer?: { from(text: string, encoding: "base64url"): Uint8Array } }).Buffer

/**
 * base64url without padding of random bytes (a `jti`): `@oauth2/core` has the codec, in its internals.
 *
 * @internal
 */
export const randomBase64url = (bytes: number): string => {
  const random = globalThis.crypto.getRandomValues(new Uint8Array(bytes))
  let binary = ""
  for (const b of random) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * The UTF-8 text of a base64url string; `undefined` when it is not one.
 *
 * @internal
 */
export const decodeText = (input: string): string | undefined => {
  if (!/^[A-Za-z0-9_-]*$/.test(input) || input.length % 4 === 1) return undefined
  try {
    if (NodeBuffer !== undefined) return new TextDecoder().decode(NodeBuffer.from(input, "base64url"))
    const binary = atob(input.replace(/-/g, "+").replace(/_/g, "/"))
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}
