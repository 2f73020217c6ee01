/**
 * Endpoint answers in JWT form, verified like ID tokens (see `Jwt` for the JOSE rules) before they are decoded:
 * - signed (and optionally encrypted) UserInfo answers, `Content-Type: application/jwt` (OpenID Connect Core 5.3.2);
 * - JWT introspection answers, `Content-Type: application/token-introspection+jwt` (RFC 9701).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as Duration from "effect/Duration"
import * as Introspection from "./Introspection.js"
import * as jose from "./internal/jose.js"
import type * as Jwt from "./Jwt.js"
import { invalidJwt } from "./Jwt.js"
import type * as OAuthError from "./OAuthError.js"
import * as UserInfo from "./UserInfo.js"

/**
 * What a JWT answer is checked against.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 * @since 0.1.0
 * @category models
 */
export interface Options<E = never> extends Jwt.VerificationKeys<E> {
  /** The expected issuer identifier (exact string). */
  readonly issuer: string
  /** The client id, expected in `aud`. */
  readonly clientId: string
  /**
   * The accepted signature algorithms: the client's registered `userinfo_signed_response_alg` or
   * `introspection_signed_response_alg`; `["RS256"]` by default. `none` is never accepted.
   */
  readonly algorithms?: ReadonlyArray<string> | undefined
  /** The encryption the client registered: the answer must then be a JWE. */
  readonly encryption?: Jwt.Encryption | undefined
  /** The tolerance on `exp`, `iat` and `nbf`: 30 seconds by default, at most 5 minutes. */
  readonly clockTolerance?: Duration.DurationInput | undefined
}

/**
 * Options of {@link userInfo}.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category models
 */
export interface UserInfoOptions<E = never> extends Options<E> {
  /** The `sub` of the ID token: the answer's `sub` must be equal. */
  readonly subject?: string | undefined
}

const verified = <E>(
  endpoint: "userinfo" | "introspection",
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>,
  type: string | undefined
) =>
  Effect.gen(function*() {
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
    const checked = Either.gen(function*() {
      const iss = yield* jose.stringClaim(claims, "iss")
      const aud = yield* jose.audienceClaim(claims)
      yield* jose.checkTimes(claims, now, tolerance)
      return { iss, aud }
    })
    const { aud, iss } = yield* Either.mapLeft(checked, toError)
    return { claims, iss, aud, toError }
  })

/**
 * Verifies a signed (or signed then encrypted) UserInfo answer and decodes its claims. `iss` and `aud`, which a
 * signed answer should carry, must be the issuer and contain the client id when present; `exp`, `nbf` and `iat` are
 * checked when present; `sub` is required and, with `subject`, must equal it (`MismatchingSubject`).
 *
 * @example
 * ```ts
 * import { JwtResponse } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const body: string // the application/jwt body
 * declare const jwks: JSONWebKeySet
 * const program = Effect.gen(function* () {
 *   const info = yield* JwtResponse.userInfo(body, {
 *     issuer: "https://as.example.com",
 *     clientId: "my-client",
 *     keys: jwks,
 *     subject: "248289761001"
 *   })
 *   return info.email
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @since 0.1.0
 * @category constructors
 */
export const userInfo = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: UserInfoOptions<E>
): Effect.Effect<
  UserInfo.UserInfo,
  Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | UserInfo.MismatchingSubject | E
> =>
  Effect.gen(function*() {
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

/**
 * The `typ` of a JWT introspection answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-5
 * @since 0.1.0
 * @category models
 */
export const introspectionType = "token-introspection+jwt"

/**
 * Verifies a JWT introspection answer (RFC 9701) and decodes the introspection response it carries. The JWT must
 * have `typ: token-introspection+jwt`, `iss` equal to the issuer, `aud` containing the client id, an `iat` not in
 * the future, and a `token_introspection` object, decoded like a JSON introspection answer.
 *
 * @example
 * ```ts
 * import { JwtResponse } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const body: string // the application/token-introspection+jwt body
 * declare const jwks: JSONWebKeySet
 * const program = Effect.gen(function* () {
 *   const answer = yield* JwtResponse.introspection(body, { issuer: "https://as.example.com", clientId: "rs", keys: jwks })
 *   return answer.active
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-5
 * @since 0.1.0
 * @category constructors
 */
export const introspection = <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>
): Effect.Effect<
  Introspection.IntrospectionResponse,
  Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | E
> =>
  Effect.gen(function*() {
    const { aud, claims, iss, toError } = yield* verified("introspection", jwt, options, introspectionType)
    if (iss === undefined) return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'iss' claim is missing", "iss")))
    if (iss !== options.issuer) {
      return yield* Effect.fail(toError(jose.failure("IssuerMismatch", `'iss' ${jose.show(iss, 256)} is not the expected issuer`, "iss")))
    }
    if (aud === undefined) return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'aud' claim is missing", "aud")))
    if (!aud.includes(options.clientId)) {
      return yield* Effect.fail(toError(jose.failure("AudienceMismatch", "'aud' does not contain the client id", "aud")))
    }
    if (claims.iat === undefined) return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'iat' claim is missing", "iat")))
    const response = claims.token_introspection
    if (response === undefined) {
      return yield* Effect.fail(toError(jose.failure("MissingClaim", "the 'token_introspection' claim is missing", "token_introspection")))
    }
    return yield* Introspection.decode(response)
  })
