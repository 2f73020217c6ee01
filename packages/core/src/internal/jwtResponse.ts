/** @internal */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Introspection from "../Introspection.js"
import type * as Jwt from "../Jwt.js"
import { invalidJwt } from "../Jwt.js"
import type { Options, UserInfoOptions } from "../JwtResponse.js"
import type * as OAuthError from "../OAuthError.js"
import * as UserInfo from "../UserInfo.js"
import * as jose from "./jose.js"

const verified = <E>(
  endpoint: "userinfo" | "introspection" | "authorization",
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>,
  type: string | undefined
) =>
  Effect.gen(function* () {
    const tolerance = yield* jose.clockTolerance(options.clockTolerance)
    const toError = (e: jose.Failure) => invalidJwt(endpoint, e.reason as Jwt.Reason, e.detail, e.claim)
    const result = yield* Effect.mapError(
      jose.verify((Redacted.isRedacted(jwt) ? Redacted.value(jwt) : jwt).trim(), {
        algorithms: (options.algorithms ?? ["RS256"]).filter((a) => a !== "none"),
        allowUnsigned: false,
        keys: options.keys,
        clientSecret: options.clientSecret,
        decryptionKeys: jose.decryptionKeyList(options.decryptionKeys),
        encryption: options.encryption,
        types: type === undefined ? undefined : [type],
        forbiddenTypes: type === undefined ? ["at+jwt", "logout+jwt", "token-introspection+jwt", "oauth-authz-req+jwt"] : undefined
      }),
      (e) => (jose.isFailure(e) ? toError(e) : e)
    )
    const now = yield* jose.nowSeconds
    const claims = result.claims
    const checked = Either.gen(function* () {
      const iss = yield* jose.stringClaim(claims, "iss")
      const aud = yield* jose.audienceClaim(claims)
      yield* jose.checkTimes(claims, now, tolerance)
      return { iss, aud }
    })
    const { aud, iss } = yield* Either.mapLeft(checked, toError)
    return { claims, iss, aud, toError }
  })

/** @internal */
export const userInfo = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: UserInfoOptions<E>
): Effect.Effect<UserInfo.UserInfo, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | UserInfo.MismatchingSubject | E> =>
  Effect.gen(function* () {
    const { aud, claims, iss, toError } = yield* verified("userinfo", jwt, options, undefined)
    if (iss !== undefined && iss !== options.issuer) {
      return yield* Effect.fail(toError(jose.failure("IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer`, "iss")))
    }
    if (aud !== undefined && !aud.includes(options.clientId)) {
      return yield* Effect.fail(toError(jose.failure("AudienceMismatch", "'aud' does not contain the client id", "aud")))
    }
    if (typeof claims.sub !== "string" || claims.sub.length === 0) {
      return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'sub' claim is missing", "sub")))
    }
    const info = yield* UserInfo.decode(claims)
    return options.subject === undefined ? info : yield* UserInfo.checkSubject(info, options.subject)
  })

/** Why a response JWT is not from the expected issuer or not for this client, if it is not. */
const addressedFailure = (
  iss: string | undefined,
  aud: ReadonlyArray<string> | undefined,
  options: { readonly issuer: string; readonly clientId: string }
): jose.Failure | undefined => {
  if (iss === undefined) return jose.failure("MissingClaim", "the 'iss' claim is missing", "iss")
  if (iss !== options.issuer) return jose.failure("IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer`, "iss")
  if (aud === undefined) return jose.failure("MissingClaim", "the 'aud' claim is missing", "aud")
  if (!aud.includes(options.clientId)) return jose.failure("AudienceMismatch", "'aud' does not contain the client id", "aud")
  return undefined
}

/** @internal */
export const introspectionType = "token-introspection+jwt" as const

/** @internal */
export const introspection = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>
): Effect.Effect<Introspection.IntrospectionResponse, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | E> =>
  Effect.gen(function* () {
    const { aud, claims, iss, toError } = yield* verified("introspection", jwt, options, introspectionType)
    const addressed = addressedFailure(iss, aud, options)
    if (addressed !== undefined) return yield* Effect.fail(toError(addressed))
    if (claims.iat === undefined) return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'iat' claim is missing", "iat")))
    const response = claims.token_introspection
    if (response === undefined) {
      return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'token_introspection' claim is missing", "token_introspection")))
    }
    return yield* Introspection.decode(response)
  })

/** Claims of a JARM response that are about the JWT itself, not parameters of the authorization response. */
const jwtOnlyClaims = new Set(["aud", "exp", "iat", "nbf", "jti"])

/** @internal */
export const authorization = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>
): Effect.Effect<URLSearchParams, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | E> =>
  Effect.gen(function* () {
    const { aud, claims, iss, toError } = yield* verified("authorization", jwt, options, undefined)
    const addressed = addressedFailure(iss, aud, options)
    if (addressed !== undefined) return yield* Effect.fail(toError(addressed))
    if (claims.exp === undefined) return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'exp' claim is missing", "exp")))
    // the response parameters, as the callback checks read them: string claims only
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(claims)) {
      if (typeof value === "string" && !jwtOnlyClaims.has(name)) params.append(name, value)
    }
    return params
  })
