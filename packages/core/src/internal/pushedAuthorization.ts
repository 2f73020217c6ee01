/** @internal */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import type { PushedAuthorizationResponse } from "../PushedAuthorization.js"
import * as wire from "./wire.js"

const Wire = Schema.Struct({
  request_uri: Schema.NonEmptyString,
  expires_in: wire.Seconds
})

const known: ReadonlySet<string> = new Set(Object.keys(Wire.fields))
const decodeWire = wire.decoder(Wire, "pushed_authorization")

/** @internal */
export const decode: (body: unknown, context?: ResponseContext) => Effect.Effect<PushedAuthorizationResponse, UnexpectedResponse> = Effect.fnUntraced(
  function* (raw: unknown, context?: ResponseContext) {
    const body = yield* wire.plainBody(raw, "pushed_authorization", context)
    const decoded = yield* decodeWire(body, context)
    const expiresAt = yield* wire.expiresAt(decoded.expires_in, "pushed_authorization", body, context)
    const response: PushedAuthorizationResponse = {
      requestUri: decoded.request_uri,
      expiresAt,
      extra: wire.extrasOf(body, known)
    }
    return response
  }
)
