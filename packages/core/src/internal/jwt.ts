/**
 * The implementation of the public `Jwt` module: its errors and its verification entry point. Keys are imported by
 * `./keys.js`, tokens verified, signed and encrypted by `./jose.js`.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Jwt from "../Jwt.js"
import type * as OAuthError from "../OAuthError.js"
import { hasTypeId, taggedError } from "./errors.js"
import * as jose from "./jose.js"

/** @internal */
export const InvalidJwtTypeId: Jwt.InvalidJwtTypeId = Symbol.for("@oauth2/core/Jwt/InvalidJwt") as Jwt.InvalidJwtTypeId

const InvalidJwtError = taggedError<"InvalidJwt", Jwt.InvalidJwt>("InvalidJwt", InvalidJwtTypeId)

/** @internal */
export const invalidJwt = (endpoint: OAuthError.Endpoint, reason: Jwt.Reason, detail: string, claim?: string): Jwt.InvalidJwt =>
  new InvalidJwtError({
    endpoint,
    reason,
    ...(claim === undefined ? {} : { claim }),
    message: `invalid JWT from the ${endpoint} endpoint (${reason}): ${detail}`
  })

/** @internal */
export const isInvalidJwt = (u: unknown): u is Jwt.InvalidJwt => hasTypeId(u, InvalidJwtTypeId)

/** @internal */
export const verify = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Jwt.VerifyOptions<E>
): Effect.Effect<Jwt.Verified, Jwt.InvalidJwt | E> =>
  Effect.map(
    Effect.mapError(
      jose.verify(Redacted.isRedacted(jwt) ? Redacted.value(jwt) : jwt, {
        algorithms: options.algorithms ?? ["RS256"],
        allowUnsigned: options.allowUnsigned === true,
        keys: options.keys,
        clientSecret: options.clientSecret,
        decryptionKeys: jose.decryptionKeyList(options.decryptionKeys),
        encryption: options.encryption,
        types: options.type === undefined ? undefined : [options.type]
      }),
      // verification only yields JOSE reasons
      (e) => (jose.isFailure(e) ? invalidJwt(options.endpoint, e.reason as Jwt.Reason, e.detail, e.claim) : e)
    ),
    ({ claims, encrypted, header }) => ({ header, claims, encrypted })
  )
