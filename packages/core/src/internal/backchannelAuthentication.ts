/** @internal */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { BackchannelAuthenticationRequest, BackchannelAuthenticationResponse } from "../BackchannelAuthentication.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import { invalidArgument } from "../OAuthError.js"
import type * as Params from "../Params.js"
import { scope as normaliseScope } from "../Params.js"
import * as wire from "./wire.js"

const nonEmpty = (v: Params.Value | undefined): boolean => v !== undefined && (typeof v === "string" ? v.length > 0 : Redacted.value(v).length > 0)

const requestedExpirySeconds = (input: number | Duration.Duration | undefined): Either.Either<string | undefined, InvalidArgument> => {
  if (input === undefined) return Either.right(undefined)
  const seconds = typeof input === "number" ? input : Duration.isFinite(input) ? Duration.toMillis(input) / 1000 : Infinity
  return Number.isSafeInteger(seconds) && seconds > 0
    ? Either.right(String(seconds))
    : Either.left(invalidArgument("requestedExpiry", "must be a positive whole number of seconds"))
}

/** @internal */
export const params = (request: BackchannelAuthenticationRequest): Either.Either<Params.Params, InvalidArgument> => {
  const scope = normaliseScope(request.scope)
  if (scope === undefined || !scope.split(" ").includes("openid")) {
    return Either.left(invalidArgument("scope", "a backchannel authentication request must include the 'openid' scope"))
  }
  const hints = [request.loginHint, request.loginHintToken, request.idTokenHint].filter(nonEmpty).length
  if (hints !== 1) {
    return Either.left(invalidArgument("loginHint", `exactly one of loginHint, loginHintToken and idTokenHint must be given (got ${hints})`))
  }
  return Either.flatMap(requestedExpirySeconds(request.requestedExpiry), (requestedExpiry) =>
    wire.buildParams(
      {
        scope,
        client_notification_token: request.clientNotificationToken,
        acr_values: normaliseScope(request.acrValues),
        login_hint_token: request.loginHintToken,
        id_token_hint: request.idTokenHint,
        login_hint: request.loginHint,
        binding_message: request.bindingMessage,
        user_code: request.userCode,
        requested_expiry: requestedExpiry
      },
      request.extra
    )
  )
}

const Wire = Schema.Struct({
  auth_req_id: Schema.Redacted(Schema.NonEmptyString),
  expires_in: wire.Seconds,
  interval: wire.optional(wire.Seconds)
})

const known: ReadonlySet<string> = new Set(Object.keys(Wire.fields))
const decodeWire = wire.decoder(Wire, "backchannel_authentication")

/** @internal */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<BackchannelAuthenticationResponse, UnexpectedResponse> =
  Effect.fnUntraced(function* (raw: unknown, context?: ResponseContext) {
    const body = yield* wire.plainBody(raw, "backchannel_authentication", context)
    const decoded = yield* decodeWire(body, context)
    const expiresAt = yield* wire.expiresAt(decoded.expires_in, "backchannel_authentication", body, context)
    const response: BackchannelAuthenticationResponse = {
      authReqId: decoded.auth_req_id,
      expiresAt,
      interval: wire.intervalOf(decoded.interval),
      extra: wire.extrasOf(body, known)
    }
    return response
  })
