/** @internal */
import * as Effect from "effect/Effect"
import * as base64url from "./base64url.js"

/**
 * `n` bytes from the platform's cryptographically secure source (WebCrypto).
 * @internal
 */
export const randomBytes = (n: number): Effect.Effect<Uint8Array> => Effect.sync(() => globalThis.crypto.getRandomValues(new Uint8Array(n)))

/**
 * A URL-safe random token of `bytes` bytes of entropy (base64url, no padding).
 * @internal
 */
export const randomToken = (bytes: number = 32): Effect.Effect<string> => Effect.map(randomBytes(bytes), base64url.encode)
