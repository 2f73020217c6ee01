/** @internal */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as base64url from "./base64url.js"
import * as OAuthError from "../OAuthError.js"
import type { CodeVerifier, Method, Options, Pkce } from "../Pkce.js"
import { randomBytes } from "./random.js"

/** @internal */
export const methods = ["S256", "plain"] as const

/** @internal */
export const minLength = 43

/** @internal */
export const maxLength = 128

const verifierPattern = /^[A-Za-z0-9\-._~]{43,128}$/

/** @internal */
export const isVerifier = (u: unknown): u is string => typeof u === "string" && verifierPattern.test(u)

/** @internal */
export const isMethod = (u: unknown): u is Method => u === "S256" || u === "plain"

/** @internal */
export const validateVerifier = (verifier: string | Redacted.Redacted<string>): Either.Either<CodeVerifier, OAuthError.InvalidArgument> => {
  const value: unknown = Redacted.isRedacted(verifier) ? Redacted.value(verifier) : verifier
  if (typeof value !== "string") {
    return Either.left(OAuthError.invalidArgument("codeVerifier", "expected a string"))
  }
  if (value.length < minLength || value.length > maxLength) {
    return Either.left(
      OAuthError.invalidArgument(
        "codeVerifier",
        `must be ${minLength} to ${maxLength} characters long, got ${value.length > 100_000 ? "more than 100000" : value.length}`
      )
    )
  }
  if (!verifierPattern.test(value)) {
    return Either.left(OAuthError.invalidArgument("codeVerifier", "may only contain the characters [A-Za-z0-9-._~]"))
  }
  return Either.right(Redacted.isRedacted(verifier) ? verifier : Redacted.make(value))
}

/** @internal */
export const generateVerifier: {
  (): Effect.Effect<CodeVerifier>
  (length: number): Effect.Effect<CodeVerifier, OAuthError.InvalidArgument>
} = ((length?: number) => {
  if (length === undefined) {
    return Effect.map(randomBytes(32), (bytes) => Redacted.make(base64url.encode(bytes)))
  }
  if (typeof length !== "number" || !Number.isInteger(length) || length < minLength || length > maxLength) {
    return Effect.fail(OAuthError.invalidArgument("length", `must be an integer from ${minLength} to ${maxLength}`))
  }
  // Whole groups of 3 bytes give base64url characters that each carry 6 random bits; keep the first `length`.
  return Effect.map(randomBytes(Math.ceil(length / 4) * 3), (bytes) => Redacted.make(base64url.encode(bytes).slice(0, length)))
}) as any

const sha256 = (input: string): Effect.Effect<Uint8Array> =>
  Effect.map(
    Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(input))),
    (digest) => new Uint8Array(digest)
  )

/** @internal */
export const challenge = (verifier: string | Redacted.Redacted<string>, method: Method = "S256"): Effect.Effect<string, OAuthError.InvalidArgument> =>
  Effect.flatMap(validateVerifier(verifier), (valid) => {
    if (method === "plain") return Effect.succeed(Redacted.value(valid))
    if (method === "S256") return Effect.map(sha256(Redacted.value(valid)), base64url.encode)
    return Effect.fail(OAuthError.invalidArgument("codeChallengeMethod", "must be 'S256' or 'plain'"))
  })

/** @internal */
export const make = (options: Options = {}): Effect.Effect<Pkce, OAuthError.InvalidArgument> =>
  Effect.gen(function* () {
    const method = options.method ?? "S256"
    if (!isMethod(method)) {
      return yield* Effect.fail(OAuthError.invalidArgument("codeChallengeMethod", "must be 'S256' or 'plain'"))
    }
    if (options.verifier !== undefined && options.length !== undefined) {
      return yield* Effect.fail(OAuthError.invalidArgument("length", "cannot be combined with a given verifier"))
    }
    const codeVerifier =
      options.verifier !== undefined
        ? yield* validateVerifier(options.verifier)
        : options.length !== undefined
          ? yield* generateVerifier(options.length)
          : yield* generateVerifier()
    const codeChallenge = yield* challenge(codeVerifier, method)
    return Data.struct({ codeVerifier, codeChallenge, codeChallengeMethod: method })
  })
