/** Layers and helpers shared by the tests: the client over the counting endpoint, keys, a log capture. */
import { BearerToken } from "@oauth2/core"
import { OAuthClient, Transport } from "@oauth2/http"
import { Redis } from "@oauth2/redis"
import { DateTime, Effect, Layer, Logger, Redacted } from "effect"
import { Redis as IORedis } from "ioredis"

export const key1 = { id: "k1", key: Redacted.make(Buffer.alloc(32, 1).toString("base64")) }
export const key2 = { id: "k2", key: Redacted.make(Buffer.alloc(32, 2).toString("base64url")) }

/** The client on a token endpoint (and its revocation endpoint beside it), without transport retries. */
export const clientLayer = (tokenEndpoint: string) =>
  OAuthClient.layer({
    endpoints: { tokenEndpoint, revocationEndpoint: tokenEndpoint.replace(/\/token$/, "/revoke") },
    clientId: "fleet",
    clientSecret: Redacted.make("secret")
  }).pipe(Layer.provide(Transport.layerFetch({ retry: false })), Layer.orDie)

/** A connection of its own (another process, as far as Redis can tell). */
export const redisLayer = (url: string) => Redis.layer({ url, retryStrategy: () => 50 })

/** A plain client for looking at Redis from the test. */
export const raw = (url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => new IORedis(url)),
    (c) => Effect.sync(() => c.disconnect())
  )

/** A token that expired long ago, without or with a refresh token. */
export const expired = (refreshToken?: string) =>
  BearerToken.make({
    accessToken: "expired",
    issuedAt: DateTime.unsafeMake(0),
    expiresAt: DateTime.unsafeMake(1000),
    ...(refreshToken === undefined ? {} : { refreshToken })
  })

/** Captures the log lines (level, message and its structured parts as JSON) of an effect. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
    lines.push(`${logLevel.label} ${parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ")}`)
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

export const accessToken = (token: BearerToken.BearerToken) => Redacted.value(token.accessToken)
