/**
 * Request objects (JAR, RFC 9101): an authorization request's parameters as the claims of a JWT signed by the
 * client, optionally encrypted to the Authorization Server afterwards (sign then encrypt). The result is a
 * `request` authorization request (`AuthorizationRequest.RequestObjectRequest`) whose URL carries only
 * `client_id` and `request`, and whose pending data (state, nonce, PKCE verifier, max_age, acr_values) still
 * validates the callback and the ID token. It can also be pushed (PAR, RFC 9126).
 *
 * CIBA authentication requests may be signed the same way ({@link backchannel}).
 *
 * Claims: every parameter under its name, with its JSON type (`max_age` and `requested_expiry` as numbers, `claims`
 * as an object, `authorization_details` as an array, a repeated parameter as a list); `iss` is the client id and
 * `aud` the issuer; with a lifetime, `iat`, `nbf`, `exp` and a random `jti`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as AuthorizationRequest from "./AuthorizationRequest.js"
import type * as BackchannelAuthentication from "./BackchannelAuthentication.js"
import * as internal from "./internal/requestObject.js"
import type * as Jwt from "./Jwt.js"
import type { InvalidArgument } from "./OAuthError.js"
import type * as Params from "./Params.js"

/**
 * Options of {@link make}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The client's key (`Jwt.signingKey` for a registered public key, `Jwt.secretKey` for `HS*`). */
  readonly signingKey: Jwt.SigningKey
  /** The `aud` claim: the Authorization Server's issuer identifier. */
  readonly audience: string
  /** The `iss` claim; the client id by default. */
  readonly issuer?: string
  /** When given, the object carries `iat`, `nbf`, `exp = iat + lifetime` and a random `jti`. At least 1 second. */
  readonly lifetime?: Duration.DurationInput
  /** The Authorization Server's encryption key: the signed object is then encrypted to it (a nested JWT). */
  readonly encryptionKey?: Jwt.EncryptionKey
  /** The `typ` header; `oauth-authz-req+jwt` by default (RFC 9101 10.8); `false` for none. */
  readonly type?: string | false
}

/**
 * The `typ` of a request object.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.8
 * @since 0.1.0
 * @category models
 */
export const requestObjectType: "oauth-authz-req+jwt" = internal.requestObjectType

/**
 * The claims of a request object for parameters: each parameter under its name with its JSON type (see the module
 * description). A parameter named like a claim this module sets (`iss`, `aud`, `exp`, `iat`, `nbf`, `jti`) or
 * `request` / `request_uri` is an `InvalidArgument`.
 *
 * @example
 * ```ts
 * import { RequestObject } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const claims = RequestObject.claimsOf([["client_id", "c"], ["max_age", "300"], ["resource", "https://a"], ["resource", "https://b"]])
 * if (Either.isRight(claims)) console.log(claims.right) // { client_id: "c", max_age: 300, resource: ["https://a", "https://b"] }
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 * @since 0.1.0
 * @category encoding
 */
export const claimsOf: (params: Params.Params) => Either.Either<Record<string, unknown>, InvalidArgument> = internal.claimsOf

/**
 * Signs an authorization request into a request object (then encrypts it when an `encryptionKey` is given) and
 * returns the `request` form of the request: its URL carries only `client_id` and `request`; its pending data is
 * kept for the callback and the ID token checks.
 *
 * @example
 * ```ts
 * import { AuthorizationRequest, Jwt, RequestObject } from "@oauth2/core"
 * import { Effect } from "effect"
 * import type { JWK } from "jose"
 *
 * declare const clientPrivateJwk: JWK // registered with the server (its public part)
 * const program = Effect.gen(function* () {
 *   const signingKey = yield* Jwt.signingKey(clientPrivateJwk)
 *   const request = yield* AuthorizationRequest.make({
 *     authorizationEndpoint: "https://as.example.com/authorize",
 *     clientId: "my-client",
 *     redirectUri: "https://app.example.com/callback"
 *   })
 *   const jar = yield* RequestObject.make(request, { signingKey, audience: "https://as.example.com", lifetime: "5 minutes" })
 *   return jar.url // https://as.example.com/authorize?client_id=my-client&request=eyJ...
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-5.1
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  request: AuthorizationRequest.AuthorizationRequest,
  options: Options
) => Effect.Effect<AuthorizationRequest.RequestObjectRequest, InvalidArgument> = internal.make

/**
 * Options of {@link backchannel}.
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1.1
 * @since 0.1.0
 * @category models
 */
export interface BackchannelOptions {
  readonly signingKey: Jwt.SigningKey
  /** The client id: the `iss` claim. */
  readonly clientId: string
  /** The `aud` claim: the Authorization Server's issuer identifier. */
  readonly audience: string
  /** `exp - iat`; 5 minutes by default (the request carries `iat`, `nbf`, `exp` and `jti`, all required by CIBA). */
  readonly lifetime?: Duration.DurationInput
}

/**
 * Builds a signed CIBA authentication request: the parameters of `BackchannelAuthentication.params` as the claims
 * of a JWT signed by the client (with `iss`, `aud`, `iat`, `nbf`, `exp`, `jti`), returned as the form parameters to
 * send (`request`), to which the client's authentication is added by the http layer.
 *
 * @example
 * ```ts
 * import { Jwt, Params, RequestObject } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * declare const signingKey: Jwt.SigningKey
 * const program = Effect.gen(function* () {
 *   const params = yield* RequestObject.backchannel(
 *     { scope: "openid", loginHint: "alice@example.com", bindingMessage: "W4SCT" },
 *     { signingKey, clientId: "my-client", audience: "https://as.example.com" }
 *   )
 *   return Params.encode(params) // request=eyJ...
 * })
 * ```
 *
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.1.1
 * @since 0.1.0
 * @category encoding
 */
export const backchannel: (
  request: BackchannelAuthentication.BackchannelAuthenticationRequest,
  options: BackchannelOptions
) => Effect.Effect<Params.Params, InvalidArgument> = internal.backchannel
