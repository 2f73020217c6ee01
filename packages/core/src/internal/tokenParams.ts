/**
 * The `token` + `token_type_hint` parameters shared by revocation (RFC 7009) and introspection (RFC 7662).
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { InvalidArgument } from "../OAuthError.js"
import { invalidArgument } from "../OAuthError.js"
import type * as Params from "../Params.js"
import { buildParams } from "./wire.js"

/** @internal */
export const tokenParams = (request: {
  readonly token: Redacted.Redacted<string> | string
  readonly tokenTypeHint?: string | undefined
  readonly extra?: Readonly<Record<string, Params.Input>> | undefined
}): Either.Either<Params.Params, InvalidArgument> => {
  const token = typeof request.token === "string" ? request.token : Redacted.value(request.token)
  if (token.length === 0) return Either.left(invalidArgument("token", "must not be empty"))
  return buildParams(
    {
      token: typeof request.token === "string" ? Redacted.make(request.token) : request.token,
      token_type_hint: request.tokenTypeHint
    },
    request.extra
  )
}
