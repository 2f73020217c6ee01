/**
 * Authorization responses: validating the callback to the redirect URI against its pending request.
 *
 * The checks run in an order that does not trust the response before it is bound to the request: first the
 * parameters are parsed (a repeated parameter is refused), then the RFC 9207 `iss`, then `state`, and only then an
 * `error` answer is believed (an attacker can forge one), and finally the `code` is required.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import { dual } from "effect/Function"
import type * as AuthorizationRequest from "./AuthorizationRequest.js"
import * as internal from "./internal/authorizationResponse.js"
import type * as OAuthError from "./OAuthError.js"
import type * as Params from "./Params.js"
import type * as Pkce from "./Pkce.js"

/**
 * A validated authorization response: the code, with everything the code exchange and the ID token check need
 * from the pending request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category models
 */
export interface AuthorizationResponse {
  readonly _tag: "AuthorizationResponse"
  /** The authorization code (single-use). */
  readonly code: Redacted.Redacted<string>
  /** The `state`, as sent and received. */
  readonly state?: string
  readonly clientId: string
  readonly redirectUri?: string
  readonly codeVerifier?: Pkce.CodeVerifier
  /** The nonce the ID token must carry. */
  readonly nonce?: string
  /** The requested ACR values (the ID token's `acr` should be one of them). */
  readonly acrValues?: ReadonlyArray<string>
  /** The requested `max_age` (the ID token must then carry `auth_time`). */
  readonly maxAge?: number
  /** The expected issuer, from the pending request, when known: the ID token's `iss` must equal it. */
  readonly issuer?: string
  /** Every other returned parameter (`iss`, `session_state`, vendor ones, ...), `code` and `state` excepted. */
  readonly extra: Readonly<Record<string, string>>
}

/**
 * The type id of the {@link CallbackError}s.
 *
 * @since 0.1.0
 * @category type ids
 */
export const CallbackErrorTypeId: unique symbol = Symbol.for("@oauth2/core/AuthorizationResponse/CallbackError")

/**
 * The type of {@link CallbackErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type CallbackErrorTypeId = typeof CallbackErrorTypeId

/**
 * A callback that cannot be parsed: not a string/URL/URLSearchParams, too long, too many parameters, or bad
 * percent-encoding.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category errors
 */
export interface InvalidCallback extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "InvalidCallback"
  readonly reason: string
  readonly message: string
}

/**
 * A parameter that appears more than once in the callback.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 * @since 0.1.0
 * @category errors
 */
export interface RepeatedParameter extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "RepeatedParameter"
  /** The repeated name (bounded in length). */
  readonly parameter: string
  readonly message: string
}

/**
 * The server advertises RFC 9207 but the callback has no `iss`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @since 0.1.0
 * @category errors
 */
export interface MissingIssuer extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "MissingIssuer"
  readonly expected: string
  readonly message: string
}

/**
 * The callback's `iss` is not exactly the expected issuer (a mix-up attack, or a misconfiguration).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingIssuer extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "MismatchingIssuer"
  readonly expected: string
  /** The received value (bounded in length). */
  readonly received: string
  readonly message: string
}

/**
 * A `state` was sent but the callback has none.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @since 0.1.0
 * @category errors
 */
export interface MissingState extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "MissingState"
  readonly message: string
}

/**
 * The callback's `state` is not exactly the one sent (CSRF, or a callback of another request).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 * @since 0.1.0
 * @category errors
 */
export interface MismatchingState extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "MismatchingState"
  readonly message: string
}

/**
 * A successful-looking callback without `code`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category errors
 */
export interface MissingAuthorizationCode extends Cause.YieldableError {
  readonly [CallbackErrorTypeId]: CallbackErrorTypeId
  readonly _tag: "MissingAuthorizationCode"
  readonly message: string
}

/**
 * Every failure of the callback checks (an `error` answered by the server is an `OAuthError.ErrorOf<"authorization">`
 * instead).
 *
 * @since 0.1.0
 * @category errors
 */
export type CallbackError =
  InvalidCallback | RepeatedParameter | MissingIssuer | MismatchingIssuer | MissingState | MismatchingState | MissingAuthorizationCode

/**
 * Builds an {@link InvalidCallback}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidCallback: (reason: string) => InvalidCallback = internal.invalidCallback

/**
 * Builds a {@link RepeatedParameter}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const repeatedParameter: (parameter: string) => RepeatedParameter = internal.repeatedParameter

/**
 * Builds a {@link MissingIssuer}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const missingIssuer: (expected: string) => MissingIssuer = internal.missingIssuer

/**
 * Builds a {@link MismatchingIssuer}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mismatchingIssuer: (expected: string, received: string) => MismatchingIssuer = internal.mismatchingIssuer

/**
 * Builds a {@link MissingState}; `callback` names the callback in the message (`"authorization"` by default,
 * `"logout"` for the post-logout redirect of `EndSession`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const missingState: (callback?: "authorization" | "logout") => MissingState = internal.missingState

/**
 * Builds a {@link MismatchingState}; `callback` names the callback in the message (`"authorization"` by default,
 * `"logout"` for the post-logout redirect of `EndSession`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const mismatchingState: (callback?: "authorization" | "logout") => MismatchingState = internal.mismatchingState

/**
 * Builds a {@link MissingAuthorizationCode}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const missingAuthorizationCode: () => MissingAuthorizationCode = internal.missingAuthorizationCode

/**
 * Whether a value is a {@link CallbackError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCallbackError: (u: unknown) => u is CallbackError = internal.isCallbackError

/**
 * What a callback may be given as:
 * - a full URL, absolute (`https://app/cb?code=...`, `com.example.app:/cb#code=...`) or a path (`/cb?code=...`),
 *   as a string or a `URL`; {@link validate} reads only the place of the requested response mode (the query when the
 *   request set no `response_mode`, the fragment for `response_mode=fragment`) and refuses a response found in the
 *   other one; {@link parse} without a response mode reads the query, or the fragment when the query is empty;
 * - a query string, with or without `?`, or a fragment with `#`;
 * - a form body (`response_mode=form_post`), as a string or `URLSearchParams`.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = string | URL | URLSearchParams

/**
 * The longest callback string accepted (64 KiB).
 *
 * @since 0.1.0
 * @category models
 */
export const maxInputLength: number = internal.maxInputLength

/**
 * Parses a callback into its parameters, without checking them against a request. Parameters with an empty value
 * are dropped (RFC 6749 3.1); a repeated name is a {@link RepeatedParameter}; malformed input an
 * {@link InvalidCallback}.
 *
 * @example
 * ```ts
 * import { AuthorizationResponse } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const params = AuthorizationResponse.parse("https://app.example.com/cb?code=abc&state=xyz")
 * if (Either.isRight(params)) console.log(params.right.state) // "xyz"
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @since 0.1.0
 * @category constructors
 */
export const parse: (
  input: Input,
  options?: { readonly responseMode?: string }
) => Either.Either<Readonly<Record<string, string>>, InvalidCallback | RepeatedParameter> = internal.parse

/**
 * Validates a callback against its pending request: RFC 9207 `iss` (required when the request says the server
 * supports it, compared by exact string when present), `state` (exact), then an `error` answer (mapped to its own
 * tag), then `code`. The parameters are read only where the request asked for them (`response_mode`; the query
 * when none was sent, OAuth 2.0 Multiple Response Types 2.1): a code-flow response that arrives in the fragment is
 * an `InvalidCallback`.
 *
 * @example
 * ```ts
 * import { AuthorizationRequest, AuthorizationResponse } from "@oauth2/core"
 * import { Effect } from "effect"
 *
 * const program = (callbackUrl: string, serialized: string) =>
 *   Effect.gen(function* () {
 *     const pending = yield* AuthorizationRequest.restore(serialized)
 *     const response = yield* AuthorizationResponse.validate(pending, callbackUrl)
 *     return AuthorizationResponse.tokenRequestInputs(response)
 *   }).pipe(
 *     Effect.catchTags({
 *       MismatchingState: () => Effect.fail("start over" as const),
 *       LoginRequired: () => Effect.fail("log in first" as const)
 *     })
 *   )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 * @since 0.1.0
 * @category constructors
 */
export const validate: {
  (
    input: Input
  ): (self: AuthorizationRequest.PendingRequest) => Either.Either<AuthorizationResponse, CallbackError | OAuthError.ErrorOf<"authorization">>
  (self: AuthorizationRequest.PendingRequest, input: Input): Either.Either<AuthorizationResponse, CallbackError | OAuthError.ErrorOf<"authorization">>
} = dual(2, internal.validate)

/**
 * The inputs of the authorization code token request.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @since 0.1.0
 * @category models
 */
export interface TokenRequestInputs {
  readonly code: Redacted.Redacted<string>
  /** Must be sent when it was in the authorization request. */
  readonly redirectUri?: string
  /** Must be sent when PKCE was used. */
  readonly codeVerifier?: Pkce.CodeVerifier
}

/**
 * The inputs of the token request that redeems the code: `code`, `redirectUri` and `codeVerifier`.
 *
 * @example
 * ```ts
 * import { AuthorizationResponse } from "@oauth2/core"
 *
 * declare const response: AuthorizationResponse.AuthorizationResponse
 * const { code, redirectUri, codeVerifier } = AuthorizationResponse.tokenRequestInputs(response)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 * @since 0.1.0
 * @category getters
 */
export const tokenRequestInputs: (self: AuthorizationResponse) => TokenRequestInputs = internal.tokenRequestInputs

/**
 * The same inputs as wire parameters: `code`, `redirect_uri` and `code_verifier` (secrets stay `Redacted`), to be
 * added after `grant_type=authorization_code`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @since 0.1.0
 * @category encoding
 */
export const toParams: (self: AuthorizationResponse) => Params.Params = internal.toParams
