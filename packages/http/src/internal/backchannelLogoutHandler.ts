/** @internal */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { LogoutToken } from "@oauth2/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as BackchannelLogout from "../BackchannelLogout.js"
import { replayCacheTag, replayKey, validateWith } from "./backchannelLogout.js"
import { tag as clientTag } from "./client.js"

const noStore = { "cache-control": "no-store" } as const

const maxBodyBytes = 64 * 1024

const refuse = (error: string, description: string) =>
  HttpServerResponse.unsafeJson({ error, error_description: description.slice(0, 512) }, { status: 400, headers: noStore })

const describe = (e: unknown): Record<string, unknown> =>
  typeof e === "object" && e !== null && "_tag" in e
    ? { error: String(e._tag), ...("reason" in e ? { reason: String(e.reason) } : {}) }
    : { error: String(e).slice(0, 200) }

/** @internal */
export const handler = <E>(options: BackchannelLogout.HandlerOptions<E>) =>
  Effect.map(Effect.all([clientTag, replayCacheTag]), ([client, cache]) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (request.method !== "POST") {
        return HttpServerResponse.empty({ status: 405, headers: { ...noStore, allow: "POST" } })
      }
      const contentType = (request.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
      if (contentType !== "application/x-www-form-urlencoded") {
        return refuse("invalid_request", "expected an application/x-www-form-urlencoded body")
      }
      // a logout token is a few KiB: a larger body is refused before it is read
      const length = Number(request.headers["content-length"] ?? "0")
      if (!(length <= maxBodyBytes)) return refuse("invalid_request", `the body is larger than ${maxBodyBytes} bytes`)
      const params = yield* Effect.either(HttpIncomingMessage.withMaxBodySize(request.urlParamsBody, Option.some(maxBodyBytes)))
      if (params._tag === "Left") return refuse("invalid_request", "the body could not be read")
      const tokens = params.right.filter(([name]) => name === "logout_token").map(([, value]) => value)
      if (tokens.some((token) => token.length > maxBodyBytes)) return refuse("invalid_request", `the body is larger than ${maxBodyBytes} bytes`)
      if (tokens.length !== 1 || tokens[0]!.length === 0) {
        return refuse("invalid_request", tokens.length > 1 ? "'logout_token' is repeated" : "'logout_token' is missing")
      }
      const validated = yield* Effect.either(validateWith(client, cache, Redacted.make(tokens[0]!), options))
      if (validated._tag === "Left") {
        const e = validated.left
        yield* Effect.logWarning("back-channel logout: logout token refused", describe(e))
        return LogoutToken.isInvalidLogoutToken(e)
          ? refuse("invalid_request", e.message)
          : refuse("invalid_request", "the logout token could not be checked")
      }
      const claims = validated.right
      const ended = yield* Effect.exit(options.onLogout(claims))
      if (ended._tag === "Failure") {
        // the server may send the token again: it must not then be refused as a replay
        yield* cache.forget(replayKey(claims))
        yield* Effect.logWarning("back-channel logout: ending the sessions failed", describe(Cause.squash(ended.cause)))
        return refuse("logout_failed", "the sessions could not be ended")
      }
      return HttpServerResponse.empty({ status: 200, headers: noStore })
    }).pipe(Effect.withSpan("oauth2.backchannel_logout.request"))
  )
