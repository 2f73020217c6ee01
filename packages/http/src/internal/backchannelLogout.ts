/** @internal */
import { LogoutToken } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as BackchannelLogout from "../BackchannelLogout.js"
import * as ClientError from "../ClientError.js"
import type * as OAuthClient from "../OAuthClient.js"
import { tag as clientTag } from "./client.js"

/** @internal */
export const replayCacheTag = Context.GenericTag<BackchannelLogout.ReplayCache>("@oauth2/http/BackchannelLogout/ReplayCache")

/** @internal */
export const defaultCapacity = 10_000

/**
 * The in-memory caches, each with a check of whether a refused key was unknown (so refused because the cache is
 * full, not as a replay): only the refusal's message depends on it.
 */
const refusesWhenFull = new WeakMap<BackchannelLogout.ReplayCache, (key: string, now: number) => boolean>()

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
          seen.delete(key)
          if (seen.size >= capacity) purge(now)
          // still full of live entries: refused (fail closed). Dropping a live key would let its token be replayed,
          // so a flood of valid tokens makes the client refuse logouts until keys expire, never accept a replay.
          if (seen.size >= capacity) return false
          seen.set(key, DateTime.toEpochMillis(until))
          return true
        }),
      forget: (key) =>
        Effect.sync(() => {
          seen.delete(key)
        }),
      size: Effect.sync(() => seen.size)
    }
    refusesWhenFull.set(cache, (key, now) => {
      const known = seen.get(key)
      return !(known !== undefined && known > now)
    })
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

/** @internal */
export const replayKey = (claims: LogoutToken.Claims): string => `${claims.iss} ${claims.jti}`

/** Validates with a client and a cache already in hand; the `jti` is remembered (the token is then used). */
/** @internal */
export const validateWith = (
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
    const key = replayKey(claims)
    const first = yield* cache.remember(key, claims.acceptedUntil)
    if (!first) {
      const full = refusesWhenFull.get(cache)
      const unknown = full !== undefined && full(key, yield* Clock.currentTimeMillis)
      return yield* Effect.fail(
        LogoutToken.invalidLogoutToken(
          "Replayed",
          unknown ? "its 'jti' cannot be remembered: the replay cache is full of live keys (retry later)" : "its 'jti' was seen before",
          "jti"
        )
      )
    }
    return claims
  })

/** @internal */
export const validate = (logoutToken: string | Redacted.Redacted<string>, options: BackchannelLogout.ValidateOptions = {}) =>
  Effect.flatMap(Effect.all([clientTag, replayCacheTag]), ([client, cache]) => validateWith(client, cache, logoutToken, options)).pipe(
    Effect.withSpan("oauth2.backchannel_logout")
  )

/**
 * The POST handler. The platform's server modules it needs are loaded when a handler is made, not with this module:
 * most users of `@oauth2/http` never serve a request.
 *
 * @internal
 */
export const handler = <E>(options: BackchannelLogout.HandlerOptions<E>) =>
  Effect.flatMap(
    Effect.promise(() => import("./backchannelLogoutHandler.js")),
    (m) => m.handler(options)
  )
