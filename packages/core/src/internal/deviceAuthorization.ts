/** @internal */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { DeviceAuthorizationRequest, DeviceAuthorizationResponse } from "../DeviceAuthorization.js"
import type { InvalidArgument, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import type * as Params from "../Params.js"
import { scope as normaliseScope } from "../Params.js"
import { unexpectedResponse } from "./errors.js"
import * as wire from "./wire.js"

/** @internal */
export const params = (request: DeviceAuthorizationRequest = {}): Either.Either<Params.Params, InvalidArgument> =>
  Either.flatMap(wire.checkResources(request.resource), (resource) =>
    wire.buildParams({ scope: normaliseScope(request.scope), resource }, request.extra)
  )

const Wire = Schema.Struct({
  device_code: Schema.Redacted(Schema.NonEmptyString),
  user_code: Schema.NonEmptyString,
  verification_uri: wire.optional(wire.HttpUrl),
  verification_url: wire.optional(wire.HttpUrl),
  verification_uri_complete: wire.optional(wire.HttpUrl),
  expires_in: wire.Seconds,
  interval: wire.optional(wire.Seconds)
})

const known: ReadonlySet<string> = new Set(Object.keys(Wire.fields))
const decodeWire = wire.decoder(Wire, "device_authorization")

/** @internal */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<DeviceAuthorizationResponse, UnexpectedResponse> = Effect.fnUntraced(
  function* (raw: unknown, context?: ResponseContext) {
    const body = yield* wire.plainBody(raw, "device_authorization", context)
    const decoded = yield* decodeWire(body, context)
    const verificationUri = decoded.verification_uri ?? decoded.verification_url
    if (verificationUri === undefined) {
      return yield* Effect.fail(unexpectedResponse("device_authorization", "verification_uri: is missing", body, context))
    }
    const expiresAt = yield* wire.expiresAt(decoded.expires_in, "device_authorization", body, context)
    const response: DeviceAuthorizationResponse = {
      deviceCode: decoded.device_code,
      userCode: decoded.user_code,
      verificationUri,
      ...(decoded.verification_uri_complete === undefined ? {} : { verificationUriComplete: decoded.verification_uri_complete }),
      expiresAt,
      interval: wire.intervalOf(decoded.interval),
      extra: wire.extrasOf(body, known)
    }
    return response
  }
)
