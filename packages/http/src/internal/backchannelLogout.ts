/** @internal */
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { LogoutToken } from "@oauth2/core"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as BackchannelLogout from "../BackchannelLogout.js"
import * as ClientError from "../ClientError.js"
import type * as OAuthClient from "../OAuthClient.js"
import { tag as clientTag } from "./client.js"

/** @internal */
export const replayCacheTag = Context.GenericTag<BackchannelLogout.ReplayCache>("@oauth2/http/BackchannelLogout/ReplayCache")

/** @internal */
export const defaultCapacity = 10_000

/** @internal */
export const makeMemoryReplayCache = (options: BackchannelLogout.MemoryReplayCacheOptions = {}): Effect.Effect<BackchannelLogout.ReplayCache> =>
  Effect.sync(() => {
    const capacity = Math.max(1, Math.floor(options.capacity ?? defaultCapacity))
    /** key -> the epoch millis until which it is remembered; insertion order is (about) expiry order. */
    const seen = new Map<string, number>()
    const purge = (now: number) => {
      for (const [key, until] of seen) {
        if (until > now) continue
        seen.delete(key)
      }
    }
    const cache: BackchannelLogout.ReplayCache = {
      remember: (key, until) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const known = seen.get(key)
          if (known !== undefined && known > now) return false
          if (seen.size >= capacity) purge(now)
          // still full of live entries: the oldest one goes (bounded memory wins over an old token's replay window)
          while (seen.size >= capacity) {
            const oldest = seen.keys().next()
            if (oldest.done === true) break
            seen.delete(oldest.value)
          }
          seen.delete(key)
          seen.set(key, DateTime.toEpochMillis(until))
          return true
        }),
      forget: (key) =>
        Effect.sync(() => {
          seen.delete(key)
        }),
      size: Effect.sync(() => seen.size)
    }
    return cache
  })

/** @internal */
export const layerMemory = (options: BackchannelLogout.MemoryReplayCacheOptions = {}) => Layer.effect(replayCacheTag, makeMemoryReplayCache(options))

/** @internal */
export const config: Config.Config<BackchannelLogout.MemoryReplayCacheOptions> = Config.map(
  Config.withDefault(Config.integer("OAUTH2_LOGOUT_REPLAY_CAPACITY"), defaultCapacity),
  (capacity) => ({ capacity })
)

/** @internal */
export const layerConfig = (c: Config.Config<BackchannelLogout.MemoryReplayCacheOptions>) =>
  Layer.effect(replayCacheTag, Effect.flatMap(c, makeMemoryReplayCache))

type ValidateError = BackchannelLogout.ValidateError

const replayKey = (claims: LogoutToken.Claims): string => `${claims.iss} ${claims.jti}`

/** Validates with a client and a cache already in hand; the `jti` is remembered (the token is then used). */
const validateWith = (
  client: OAuthClient.OAuthClient,
  cache: BackchannelLogout.ReplayCache,
  logoutToken: string | Redacted.Redacted<string>,
  options: BackchannelLogout.ValidateOptions
): Effect.Effect<LogoutToken.Claims, ValidateError> =>
  Effect.gen(function* () {
    const issuer = client.endpoints.issuer
    if (issuer === undefined) {
      return yield* Effect.fail(ClientError.invalidConfiguration("issuer", "a logout token cannot be validated without the issuer"))
    }
    const clientSecret = "clientSecret" in client.auth && Redacted.isRedacted(client.auth.clientSecret) ? client.auth.clientSecret : undefined
    const claims = yield* LogoutToken.validate(logoutToken, {
      issuer,
      clientId: client.clientId,
      keys: (query) => client.jwks(query),
      clientSecret: clientSecret as Redacted.Redacted<string> | undefined,
      algorithms: options.algorithms,
      encryption: options.encryption,
      decryptionKeys: options.decryptionKeys,
      clockTolerance: options.clockTolerance,
      maxAge: options.maxAge
    })
    const first = yield* cache.remember(replayKey(claims), claims.acceptedUntil)
    if (!first) return yield* Effect.fail(LogoutToken.invalidLogoutToken("Replayed", "its 'jti' was seen before", "jti"))
    return claims
  })

/** @internal */
export const validate = (logoutToken: string | Redacted.Redacted<string>, options: BackchannelLogout.ValidateOptions = {}) =>
  Effect.flatMap(Effect.all([clientTag, replayCacheTag]), ([client, cache]) => validateWith(client, cache, logoutToken, options)).pipe(
    Effect.withSpan("oauth2.backchannel_logout")
  )

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
