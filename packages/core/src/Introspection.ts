/**
 * Token introspection (RFC 7662): the parameters of an introspection request and the JSON answer describing the
 * token. JWT-secured answers (RFC 9701) are verified by `JwtResponse.introspection`, then decoded here.
 *
 * @since 0.1.0
 */
import type * as DateTime from "effect/DateTime"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/introspection.js"
import * as tokenParams from "./internal/tokenParams.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "./OAuthError.js"
import type * as Params from "./Params.js"

/**
 * A `token_type_hint`: `access_token`, `refresh_token`, or any other type the server defines.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 * @since 0.1.0
 * @category models
 */
export type TokenTypeHint = "access_token" | "refresh_token" | (string & {})

/**
 * An introspection request: the token and, optionally, a hint about its type.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface IntrospectionRequest {
  /** The token to introspect; keep it `Redacted`. */
  readonly token: Redacted.Redacted<string> | string
  /** What kind of token it is. */
  readonly tokenTypeHint?: TokenTypeHint | undefined
  /** Any other parameter. May not redefine `token`, `token_type_hint` or a client authentication parameter. */
  readonly extra?: Readonly<Record<string, Params.Input>> | undefined
}

/**
 * An introspection answer. An inactive token is a successful answer with `active: false` (servers usually send
 * nothing else then). Numeric dates are decoded to `DateTime.Utc`, `aud` always to a list.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @since 0.1.0
 * @category models
 */
export interface IntrospectionResponse {
  /** Whether the token is currently active. */
  readonly active: boolean
  /** Space-separated scopes of the token. */
  readonly scope?: string
  /** The client the token was issued to. */
  readonly clientId?: string
  /** A human-readable identifier of the resource owner. */
  readonly username?: string
  /** The type of the token (`Bearer`, `DPoP`, `N_A`, ...). */
  readonly tokenType?: string
  /** `exp`: when the token expires. */
  readonly expiresAt?: DateTime.Utc
  /** `iat`: when the token was issued. */
  readonly issuedAt?: DateTime.Utc
  /** `nbf`: when the token starts being valid. */
  readonly notBefore?: DateTime.Utc
  /** The subject of the token. */
  readonly sub?: string
  /** The intended audiences (a single string on the wire becomes a one-element list). */
  readonly aud?: ReadonlyArray<string>
  /** The issuer of the token. */
  readonly iss?: string
  /** The identifier of the token. */
  readonly jti?: string
  /** Every other member (`cnf`, `act`, `authorization_details`, custom claims, ...). */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * Builds the form parameters of an introspection request. Fails with `InvalidArgument` when the token is empty or
 * an extra parameter redefines a standard one.
 *
 * @example
 * ```ts
 * import { Introspection, Params } from "@oauth2/core"
 * import { Either, Redacted } from "effect"
 *
 * const params = Introspection.params({ token: Redacted.make("mF_9.B5f-4.1JqM"), tokenTypeHint: "access_token" })
 * if (Either.isRight(params)) console.log(Params.encode(params.right)) // token=mF_9.B5f-4.1JqM&token_type_hint=access_token
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 * @since 0.1.0
 * @category encoding
 */
export const params: (request: IntrospectionRequest) => Either.Either<Params.Params, InvalidArgument> = tokenParams.tokenParams

/**
 * Decodes an introspection answer (HTTP 200 JSON body). `active` is required and must be a boolean; the other
 * standard members must have their standard types when present (`null` counts as absent); every other member is
 * kept in `extra`. Anything unexpected fails with `UnexpectedResponse`.
 *
 * @example
 * ```ts
 * import { Introspection } from "@oauth2/core"
 * import { Either } from "effect"
 *
 * const result = Introspection.decode({ active: true, client_id: "l238j323ds-23ij4", scope: "read write", exp: 1419356238 })
 * if (Either.isRight(result) && result.right.active) console.log(result.right.scope) // read write
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @since 0.1.0
 * @category constructors
 */
export const decode: (raw: unknown, context?: ResponseContext) => Either.Either<IntrospectionResponse, UnexpectedResponse> = internal.decode

/**
 * Encodes an introspection answer back to its JSON form (what a server would send): dates as numeric dates, a
 * single audience as a string, extra members kept. `decode(encode(r))` gives `r` back.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @since 0.1.0
 * @category encoding
 */
export const encode: (self: IntrospectionResponse) => Record<string, unknown> = internal.encode

/**
 * Whether the answer says the token is active and, when it carries `exp` / `nbf`, whether the current time of
 * `Clock` is within them. (A server should already answer `active: false` for such tokens; this double-checks.)
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-4
 * @since 0.1.0
 * @category guards
 */
export const isActiveNow: (self: IntrospectionResponse) => Effect.Effect<boolean> = internal.isActiveNow
