/**
 * Proof Key for Code Exchange (PKCE, RFC 7636): code verifiers and their challenges.
 *
 * The verifier is a secret: it is kept `Redacted` from the moment it is generated (or validated) until the token
 * request is built. The challenge is public and goes in the authorization request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/pkce.js"
import type * as OAuthError from "./OAuthError.js"

/**
 * A code challenge method: `S256` (SHA-256, the default and the one to use) or `plain` (the verifier itself).
 * The names are case-sensitive.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @since 0.1.0
 * @category models
 */
export type Method = "S256" | "plain"

/**
 * Every code challenge method, the default first.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @since 0.1.0
 * @category models
 */
export const methods: readonly ["S256", "plain"] = internal.methods

/**
 * The shortest code verifier allowed (43 characters).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category models
 */
export const minLength: 43 = internal.minLength

/**
 * The longest code verifier allowed (128 characters).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category models
 */
export const maxLength: 128 = internal.maxLength

/**
 * A code verifier, kept `Redacted`: 43 to 128 unreserved characters `[A-Za-z0-9-._~]`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category models
 */
export type CodeVerifier = Redacted.Redacted<string>

/**
 * A verifier with its challenge, as used by one authorization request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 * @since 0.1.0
 * @category models
 */
export interface Pkce {
  /** The secret, sent later to the token endpoint. */
  readonly codeVerifier: CodeVerifier
  /** The derived challenge, sent in the authorization request. */
  readonly codeChallenge: string
  readonly codeChallengeMethod: Method
}

/**
 * Whether a string is a well-formed code verifier: 43 to 128 characters from `[A-Za-z0-9-._~]`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category guards
 */
export const isVerifier: (u: unknown) => u is string = internal.isVerifier

/**
 * Whether a value is one of the supported {@link Method}s.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @since 0.1.0
 * @category guards
 */
export const isMethod: (u: unknown) => u is Method = internal.isMethod

/**
 * Validates a code verifier supplied by the caller (plain or `Redacted`) and returns it `Redacted`. A verifier of the
 * wrong length or with a character outside `[A-Za-z0-9-._~]` is an `InvalidArgument` (its value is never repeated
 * in the message).
 *
 * @example
 * ```ts
 * import { Pkce } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const ok = Pkce.validateVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
 * const bad = Pkce.validateVerifier("too-short")
 * console.log(Either.isRight(ok), Either.isLeft(bad)) // true true
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category constructors
 */
export const validateVerifier: (verifier: string | Redacted.Redacted<string>) => Either.Either<CodeVerifier, OAuthError.InvalidArgument> =
  internal.validateVerifier

/**
 * Generates a fresh random code verifier. Without a length, it is the base64url encoding of 32 random bytes
 * (43 characters, as RFC 7636 recommends); with a length (43 to 128), that many random base64url characters.
 * A length out of range is an `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { Pkce } from "@oauth2/core"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const verifier = yield* Pkce.generateVerifier()
 *   const longer = yield* Pkce.generateVerifier(128)
 *   return [Redacted.value(verifier).length, Redacted.value(longer).length] // [43, 128]
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 * @since 0.1.0
 * @category constructors
 */
export const generateVerifier: {
  (): Effect.Effect<CodeVerifier>
  (length: number): Effect.Effect<CodeVerifier, OAuthError.InvalidArgument>
} = internal.generateVerifier

/**
 * Derives the code challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))` for `S256` (the default), the
 * verifier itself for `plain`. The verifier is validated first; a bad verifier or an unknown method is an
 * `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { Pkce } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * // RFC 7636 Appendix B
 * const program = Pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "S256")
 * Effect.runPromise(program).then(console.log) // E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 * @since 0.1.0
 * @category constructors
 */
export const challenge: (verifier: string | Redacted.Redacted<string>, method?: Method) => Effect.Effect<string, OAuthError.InvalidArgument> =
  internal.challenge

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The challenge method; `S256` by default. */
  readonly method?: Method
  /** A verifier chosen by the caller (validated); generated when absent. */
  readonly verifier?: string | Redacted.Redacted<string>
  /** The length of a generated verifier (43 to 128); 43 by default. */
  readonly length?: number
}

/**
 * A verifier (generated, or the caller's, validated) with its challenge.
 *
 * @example
 * ```ts
 * import { Pkce } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const pkce = yield* Pkce.make()
 *   // send pkce.codeChallenge and pkce.codeChallengeMethod now, keep pkce.codeVerifier for the token request
 *   return pkce.codeChallengeMethod // "S256"
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Pkce, OAuthError.InvalidArgument> = internal.make
