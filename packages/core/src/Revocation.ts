/**
 * Token revocation (RFC 7009): the parameters of a revocation request. The endpoint answers 200 with an ignored
 * body on success; its errors decode with `OAuthError.fromBody("revocation", ...)`.
 *
 * @since 0.1.0
 */
import type * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import type { InvalidArgument } from "./OAuthError.js"
import type * as Params from "./Params.js"
import * as internal from "./internal/tokenParams.js"

/**
 * A `token_type_hint`: `access_token`, `refresh_token`, or any other type the server defines.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category models
 */
export type TokenTypeHint = "access_token" | "refresh_token" | (string & {})

/**
 * A revocation request: the token and, optionally, a hint about its type.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category models
 */
export interface RevocationRequest {
  /** The token to revoke; keep it `Redacted`. */
  readonly token: Redacted.Redacted<string> | string
  /** What kind of token it is. */
  readonly tokenTypeHint?: TokenTypeHint | undefined
  /** Any other parameter. May not redefine `token`, `token_type_hint` or a client authentication parameter. */
  readonly extra?: Readonly<Record<string, Params.Input>> | undefined
}

/**
 * Builds the form parameters of a revocation request. Fails with `InvalidArgument` when the token is empty or an
 * extra parameter redefines a standard one.
 *
 * @example
 * ```ts
 * import { Params, Revocation } from "@oauth2/core"
 * import { Either, Redacted } from "effect"
 *
 * const params = Revocation.params({ token: Redacted.make("45ghiukldjahdnhzdauz"), tokenTypeHint: "refresh_token" })
 * if (Either.isRight(params)) console.log(Params.encode(params.right)) // token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category encoding
 */
export const params = (request: RevocationRequest): Either.Either<Params.Params, InvalidArgument> => internal.tokenParams(request)

/**
 * Parameters to revoke an access token (`token_type_hint=access_token`).
 *
 * @example
 * ```ts
 * import { Revocation } from "@oauth2/core"
 * import { Redacted } from "effect"
 *
 * const params = Revocation.accessToken(Redacted.make("2YotnFZFEjr1zCsicMWpAA"))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const accessToken = (
  token: Redacted.Redacted<string> | string,
  extra?: Readonly<Record<string, Params.Input>>
): Either.Either<Params.Params, InvalidArgument> => params({ token, tokenTypeHint: "access_token", extra })

/**
 * Parameters to revoke a refresh token (`token_type_hint=refresh_token`); servers that support it also revoke the
 * access tokens issued with it.
 *
 * @example
 * ```ts
 * import { Revocation } from "@oauth2/core"
 * import { Redacted } from "effect"
 *
 * const params = Revocation.refreshToken(Redacted.make("tGzv3JOkF0XG5Qx2TlKWIA"))
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @since 0.1.0
 * @category constructors
 */
export const refreshToken = (
  token: Redacted.Redacted<string> | string,
  extra?: Readonly<Record<string, Params.Input>>
): Either.Either<Params.Params, InvalidArgument> => params({ token, tokenTypeHint: "refresh_token", extra })
