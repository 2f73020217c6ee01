/**
 * The error contract of every OAuth 2.x / OpenID Connect endpoint.
 *
 * - Each standard `error` code has its own `_tag`, the PascalCase of the code (`invalid_grant` -> `InvalidGrant`).
 * - A code we do not know keeps its text in {@link UnknownError}.
 * - A response that is neither a standard success nor a standard error is an {@link UnexpectedResponse}, with the
 *   status, content type and a bounded excerpt of the body (secrets masked).
 * - A bad argument from the caller is an {@link InvalidArgument}.
 *
 * Every error is an `Error` (made with Effect's `Data.TaggedError`): its `name` is its `_tag`, it has a readable
 * `message` and a stack, and it is yieldable (`return yield* OAuthError.invalidArgument(...)` in `Effect.gen`).
 * `Cause.pretty` renders it as `InvalidGrant: token endpoint answered 'invalid_grant' ...`. Errors compare by their
 * fields (`Equal.equals`) and are meant for the error channel: `Effect.catchTag("InvalidGrant", ...)`.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as internal from "./internal/errors.js"

/**
 * The type id of this module's errors (the server's answers, {@link UnexpectedResponse}, {@link InvalidArgument}).
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@oauth2/core/OAuthError")

/**
 * The type of {@link TypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The endpoint that produced an answer: every error says which one it came from.
 *
 * @since 0.1.0
 * @category models
 */
export type Endpoint =
  | "authorization"
  | "token"
  | "pushed_authorization"
  | "device_authorization"
  | "backchannel_authentication"
  | "revocation"
  | "introspection"
  | "userinfo"
  | "discovery"
  | "jwks"
  | "resource"
  | "registration"
  | "resource_metadata"
  | "end_session"

/**
 * Every standard error code this library knows, with the specification that defines it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 authorization endpoint
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 token endpoint
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError OpenID Connect
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5 device authorization grant
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.13 CIBA
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1 revocation
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 bearer token usage
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2 resource indicators
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-6.3 request objects
 * @see https://www.rfc-editor.org/rfc/rfc9396#section-5 rich authorization requests
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5 DPoP
 * @see https://www.rfc-editor.org/rfc/rfc9470#section-3 step-up authentication
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2 dynamic client registration
 * @since 0.1.0
 * @category models
 */
export const standardCodes = internal.standardCodes

/**
 * A standard error code.
 *
 * @since 0.1.0
 * @category models
 */
export type StandardCode = (typeof standardCodes)[number]

/**
 * The `_tag` of a standard error code: its PascalCase (`invalid_grant` -> `InvalidGrant`).
 *
 * @since 0.1.0
 * @category models
 */
export type TagOf<Code extends string> = Code extends `${infer Head}_${infer Tail}` ? `${Capitalize<Head>}${TagOf<Tail>}` : Capitalize<Code>

/**
 * What every error answer of an endpoint carries.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category models
 */
export interface ErrorResponse<Tag extends string> extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: Tag
  /** The `error` code as sent by the server. */
  readonly error: string
  /** `error_description`, when sent (bounded in length). */
  readonly description?: string
  /** `error_uri`, when sent. */
  readonly uri?: string
  /** The HTTP status of the answer, when it came over HTTP. */
  readonly status?: number
  /** The endpoint that answered. */
  readonly endpoint: Endpoint
  /** A human-readable summary. */
  readonly message: string
}

/**
 * An error answer whose code is not one of {@link standardCodes}: the code is kept in `error`.
 *
 * @since 0.1.0
 * @category errors
 */
export interface UnknownError extends ErrorResponse<"UnknownError"> {}

/**
 * Any error answer of any endpoint.
 *
 * @since 0.1.0
 * @category errors
 */
export type OAuthError = { readonly [C in StandardCode]: ErrorResponse<TagOf<C>> }[StandardCode] | UnknownError

/**
 * The error answer with a given standard code, e.g. `OAuthErrorOf<"invalid_grant">` is the `InvalidGrant` error.
 *
 * @since 0.1.0
 * @category errors
 */
export type OAuthErrorOf<Code extends StandardCode> = Code extends StandardCode ? ErrorResponse<TagOf<Code>> : never

/**
 * The error codes each endpoint may answer with. A code outside its endpoint's list still decodes, to
 * {@link UnknownError}, so that each endpoint's error type stays precise.
 *
 * @since 0.1.0
 * @category models
 */
export const endpointCodes = internal.endpointCodes

/**
 * The precise error type of an endpoint: its standard codes plus {@link UnknownError}.
 *
 * @since 0.1.0
 * @category errors
 */
export type ErrorOf<E extends Endpoint> = OAuthErrorOf<(typeof endpointCodes)[E][number]> | UnknownError

/**
 * A response that is neither a standard success nor a standard error: HTML, empty, non-JSON, a JSON value that
 * is not an object, fields of the wrong type or out of range. `excerpt` is at most 1 KiB, with the values of
 * secret fields (tokens, secrets, codes) masked.
 *
 * @since 0.1.0
 * @category errors
 */
export interface UnexpectedResponse extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "UnexpectedResponse"
  readonly endpoint: Endpoint
  /** What was wrong with the answer. */
  readonly reason: string
  readonly status?: number
  readonly contentType?: string
  /** At most 1 KiB of the body, secret fields masked. */
  readonly excerpt: string
  readonly message: string
}

/**
 * A bad argument from the caller (a negative `max_age`, a `code_challenge` passed directly, a token type that cannot
 * be inferred, ...). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export interface InvalidArgument extends Cause.YieldableError {
  readonly [TypeId]: TypeId
  readonly _tag: "InvalidArgument"
  /** The name of the argument at fault. */
  readonly argument: string
  readonly message: string
}

/**
 * Where an answer came from, for error reporting.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseContext {
  readonly status?: number
  readonly contentType?: string
}

/**
 * Builds the error value for an error code answered by an endpoint: a standard code allowed at that endpoint gets
 * its own tag, any other code {@link UnknownError}.
 *
 * @example
 * ```ts
 * import { OAuthError } from "@oauth2/core"
 *
 * const e = OAuthError.make("token", { error: "invalid_grant", description: "code expired", status: 400 })
 * console.log(e._tag) // "InvalidGrant"
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const make: <E extends Endpoint>(
  endpoint: E,
  fields: { readonly error: string; readonly description?: string; readonly uri?: string; readonly status?: number }
) => ErrorOf<E> = internal.makeError as any

/**
 * Decodes an error body `{ error, error_description?, error_uri? }` answered by `endpoint` into its tagged error.
 * Returns `undefined` when the body is not a standard error body (no string `error` member).
 *
 * @example
 * ```ts
 * import { OAuthError } from "@oauth2/core"
 *
 * const e = OAuthError.fromBody("revocation", { error: "unsupported_token_type" }, { status: 400 })
 * if (e !== undefined && e._tag === "UnsupportedTokenType") console.log(e.status)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @since 0.1.0
 * @category constructors
 */
export const fromBody: <E extends Endpoint>(endpoint: E, body: unknown, context?: ResponseContext) => ErrorOf<E> | undefined =
  internal.fromBody as any

/**
 * Builds an {@link UnexpectedResponse}. `body` may be a string (raw text) or an already parsed value; it is cut to
 * 1 KiB and secret fields of JSON objects are masked.
 *
 * @since 0.1.0
 * @category constructors
 */
export const unexpectedResponse: (endpoint: Endpoint, reason: string, body: unknown, context?: ResponseContext) => UnexpectedResponse =
  internal.unexpectedResponse

/**
 * Builds an {@link InvalidArgument}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const invalidArgument: (argument: string, message: string) => InvalidArgument = internal.invalidArgument

/**
 * Whether a value is one of this module's errors answered by a server ({@link OAuthError}).
 *
 * @since 0.1.0
 * @category guards
 */
export const isOAuthError: (u: unknown) => u is OAuthError = internal.isOAuthError

/**
 * Whether a value is an {@link UnexpectedResponse}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isUnexpectedResponse: (u: unknown) => u is UnexpectedResponse = internal.isUnexpectedResponse

/**
 * Whether a value is an {@link InvalidArgument}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isInvalidArgument: (u: unknown) => u is InvalidArgument = internal.isInvalidArgument

/**
 * The maximum length of a body excerpt kept in an error (1 KiB).
 *
 * @since 0.1.0
 * @category models
 */
export const maxExcerptLength = internal.maxExcerptLength
