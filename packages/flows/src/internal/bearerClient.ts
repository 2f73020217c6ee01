/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Dpop as CoreDpop } from "@oauth2/core"
import { Bearer, Dpop } from "@oauth2/http"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as BearerClient from "../BearerClient.js"
import type * as TokenSource from "../TokenSource.js"
import { tag as tokenSourceTag } from "./tokenSource.js"

/** @internal */
export const isInvalidToken = (response: HttpClientResponse.HttpClientResponse, scheme: "bearer" | "dpop" = "bearer"): boolean => {
  if (response.status !== 401) return false
  const header = response.headers["www-authenticate"]
  return header !== undefined && Bearer.parseChallenges(header).some((c) => c.scheme === scheme && c.params["error"] === "invalid_token")
}

/** A request whose body can be sent twice. */
const replayable = (request: HttpClientRequest.HttpClientRequest): boolean => request.body._tag !== "Stream"

/** @internal */
export const authenticate: typeof BearerClient.authenticate = dual(
  (args) => Predicate.hasProperty(args[0], HttpClient.TypeId),
  <E, R, E2>(
    self: HttpClient.HttpClient.With<E, R>,
    source: TokenSource.TokenSource<E2>,
    options: BearerClient.Options = {}
  ): HttpClient.HttpClient.With<E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R> => {
    const bearerOptions: Bearer.Options = {
      ...(options.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
      ...(options.dpop === undefined ? {} : { dpop: options.dpop })
    }
    const sendWith = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(source.get, (token) =>
        Effect.map(Bearer.withToken(self, Effect.succeed(token), bearerOptions).execute(request), (response) => [token, response] as const)
      )
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(sendWith(request), ([token, response]) => {
        const scheme = CoreDpop.isDpopTokenType(token.tokenType) && options.dpop !== undefined ? "dpop" : "bearer"
        if (!isInvalidToken(response, scheme) || !replayable(request)) return Effect.succeed(response)
        // RFC 6750 section 3.1: the access token was refused; forget it and try once more with a new one
        return Effect.logDebug("bearer client: the access token was refused (invalid_token); retrying once with a new token").pipe(
          Effect.zipRight(source.invalidate(token)),
          Effect.zipRight(sendWith(request)),
          Effect.map(([, retried]) => retried)
        )
      })
    return HttpClient.makeWith<never, never, E | E2 | Bearer.ExpiredAccessToken | HttpClientError.RequestError, R>(
      (request) => Effect.flatMap(request, send),
      Effect.succeed
    )
  }
)

/** @internal */
export const make = Effect.zipWith(Effect.zip(HttpClient.HttpClient, Effect.serviceOption(Dpop.Dpop)), tokenSourceTag, ([client, dpop], source) =>
  authenticate(client, source, Option.isSome(dpop) ? { dpop: dpop.value } : {})
)
