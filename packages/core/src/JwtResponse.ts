/**
 * Endpoint answers in JWT form, verified like ID tokens (see `Jwt` for the JOSE rules) before they are decoded:
 * - signed (and optionally encrypted) UserInfo answers, `Content-Type: application/jwt` (OpenID Connect Core 5.3.2);
 * - JWT introspection answers, `Content-Type: application/token-introspection+jwt` (RFC 9701);
 * - JWT Secured Authorization Responses (JARM), the `response` parameter of a callback.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/jwtResponse.js"
import type * as Introspection from "./Introspection.js"
import type * as Jwt from "./Jwt.js"
import type * as OAuthError from "./OAuthError.js"
import type * as UserInfo from "./UserInfo.js"

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
export const userInfo: <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: UserInfoOptions<E>
) => Effect.Effect<UserInfo.UserInfo, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | UserInfo.MismatchingSubject | E> =
  internal.userInfo

/**
 * The `typ` of a JWT introspection answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9701#section-5
 * @since 0.1.0
 * @category models
 */
export const introspectionType: "token-introspection+jwt" = internal.introspectionType

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
export const introspection: <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>
) => Effect.Effect<Introspection.IntrospectionResponse, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | E> =
  internal.introspection

/**
 * Verifies a JWT Secured Authorization Response (JARM: `response_mode=jwt`, `query.jwt`, `fragment.jwt`,
 * `form_post.jwt`) and returns the authorization response parameters it carries, for the ordinary callback checks
 * (`AuthorizationResponse.validate` with them: state, `iss`, error codes). The JWT is decrypted first when it is a
 * JWE (with `decryptionKeys`), its signature verified with `keys` and an algorithm in `algorithms` (never `none`);
 * `iss` must be the issuer, `aud` must contain the client id, `exp` is required and checked (with `nbf`, `iat`).
 * Only the string claims other than `aud`, `exp`, `iat`, `nbf` and `jti` are kept as parameters.
 *
 * @example
 * ```ts
 * import { JwtResponse } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JSONWebKeySet } from "jose"
 *
 * declare const responseJwt: string // the `response` parameter of the callback
 * declare const jwks: JSONWebKeySet
 * const program = Effect.gen(function* () {
 *   const params = yield* JwtResponse.authorization(responseJwt, {
 *     issuer: "https://as.example.com",
 *     clientId: "my-client",
 *     keys: jwks,
 *     algorithms: ["PS256", "ES256"]
 *   })
 *   return params.get("code")
 * })
 * ```
 *
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
 * @since 0.1.0
 * @category constructors
 */
export const authorization: <E = never>(
  jwt: string | Redacted.Redacted<string>,
  options: Options<E>
) => Effect.Effect<URLSearchParams, Jwt.InvalidJwt | OAuthError.InvalidArgument | OAuthError.UnexpectedResponse | E> = internal.authorization
