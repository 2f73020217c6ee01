/** @internal */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Bearer } from "@oauth2/http"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import type * as BearerClient from "../BearerClient.js"
import type * as TokenSource from "../TokenSource.js"
import { tag as tokenSourceTag } from "./tokenSource.js"

const token = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/

/** @internal */
export const parseChallenges = (header: string): ReadonlyArray<BearerClient.Challenge> => {
  const challenges: Array<{ scheme: string; params: Record<string, string> }> = []
  let rest = header.slice(0, 8192)
  let current: { scheme: string; params: Record<string, string> } | undefined
  while (true) {
    rest = rest.replace(/^[\s,]+/, "")
    if (rest.length === 0) break
    const name = token.exec(rest)
    if (name === null) break // not a token: stop parsing
    const afterName = rest.slice(name[0].length)
    const param = /^\s*=\s*/.exec(afterName)
    if (param !== null && current !== undefined && !/^\s*=\s*(,|$)/.test(afterName)) {
      // name=value or name="value"
      let value = afterName.slice(param[0].length)
      let parsed: string
      if (value.startsWith("\"")) {
        const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(value)
        if (quoted === null) break
        parsed = quoted[1]!.replace(/\\(.)/g, "$1")
        value = value.slice(quoted[0].length)
      } else {
        const plain = token.exec(value)
        if (plain === null) break
        parsed = plain[0]
        value = value.slice(plain[0].length)
      }
      current.params[name[0].toLowerCase()] = parsed
      rest = value
    } else {
      // a new challenge: scheme, then an optional token68
      current = { scheme: name[0].toLowerCase(), params: {} }
      challenges.push(current)
      rest = afterName.replace(/^\s+[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/, "")
    }
  }
  return challenges
}

/** @internal */
export const isInvalidToken = (response: HttpClientResponse.HttpClientResponse): boolean => {
  if (response.status !== 401) return false
  const header = response.headers["www-authenticate"]
  return (
    header !== undefined &&
    parseChallenges(header).some((c) => c.scheme === "bearer" && c.params["error"] === "invalid_token")
  )
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
    const bearerOptions: Bearer.Options = options.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}
    const sendWith = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(source.get, (token) =>
        Effect.map(Bearer.withToken(self, Effect.succeed(token), bearerOptions).execute(request), (response) => [token, response] as const)
      )
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(sendWith(request), ([token, response]) => {
        if (!isInvalidToken(response) || !replayable(request)) return Effect.succeed(response)
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
export const make = Effect.zipWith(HttpClient.HttpClient, tokenSourceTag, (client, source) => authenticate(client, source))
