/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { BearerToken, Dpop, Url } from "@oauth2/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import type * as Bearer from "../Bearer.js"
import * as dpop from "./dpop.js"
import { expiredAccessToken } from "./errors.js"

/**
 * Whether a bearer token may be sent to this URL: https, or http on a loopback address, or http anywhere when
 * allowed. A URL that is not absolute (a client that prepends its base later) is judged where it becomes one.
 *
 * @internal
 */
export const isSecureTarget = (url: string, allowInsecureHttp: boolean): boolean => {
  if (allowInsecureHttp || !/^http:/i.test(url)) return true
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return Url.isLoopback(parsed)
}

/**
 * The token for a request, when it may be sent with it: never over plain http to a non-loopback host (unless
 * allowed), never once expired.
 *
 * @internal
 */
export const sendableToken = <E2, R2>(
  request: HttpClientRequest.HttpClientRequest,
  token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
  leeway: Duration.Duration,
  allowInsecureHttp: boolean
): Effect.Effect<BearerToken.BearerToken, E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R2> =>
  Effect.gen(function* () {
    if (!isSecureTarget(request.url, allowInsecureHttp)) {
      const url = request.url.split(/[?#]/)[0]!
      return yield* Effect.fail(
        new HttpClientError.RequestError({
          request,
          reason: "InvalidUrl",
          description: `an access token is not sent over plain http to a non-loopback host (${url}): use https, or allowInsecureHttp`
        })
      )
    }
    const current = yield* token
    if (yield* BearerToken.isExpired(current, leeway)) {
      return yield* Effect.fail(expiredAccessToken(`${request.method} ${request.url.split("?")[0]!}`))
    }
    return current
  })

/** @internal */
export const withToken = dual(
  (args) => Predicate.hasProperty(args[0], HttpClient.TypeId),
  <E, R, E2, R2>(
    self: HttpClient.HttpClient.With<E, R>,
    token: Effect.Effect<BearerToken.BearerToken, E2, R2>,
    options: Bearer.Options = {}
  ): HttpClient.HttpClient.With<E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R | R2> => {
    if (options.dpop !== undefined) return dpop.withToken(self, token, options.dpop, options, sendableToken)
    const leeway = Duration.decode(options.leeway ?? Duration.zero)
    const allowInsecureHttp = options.allowInsecureHttp === true
    return HttpClient.mapRequestEffect(self, (request) =>
      Effect.gen(function* () {
        const current = yield* sendableToken(request, token, leeway, allowInsecureHttp)
        // RFC 9449 7.1: a DPoP-bound token goes with the DPoP scheme and a proof, never downgraded to Bearer
        if (Dpop.isDpopTokenType(current.tokenType)) {
          return yield* Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Encode",
              description: "a DPoP-bound access token needs a DPoP proof: give the dpop option (a Dpop service, e.g. from Dpop.layer)"
            })
          )
        }
        return HttpClientRequest.setHeader(request, "authorization", `Bearer ${Redacted.value(current.accessToken)}`)
      })
    )
  }
)
