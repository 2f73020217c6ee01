/** @internal */
import { OAuthError } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type { JSONWebKeySet, JWK } from "jose"
import * as TransportError from "../TransportError.js"

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const decodeJwks = (body: unknown, context?: OAuthError.ResponseContext): Either.Either<JSONWebKeySet, OAuthError.UnexpectedResponse> => {
  const fail = (reason: string) => Either.left(OAuthError.unexpectedResponse("jwks", reason, body, context))
  if (!isRecord(body)) return fail("expected a JSON object")
  if (!Array.isArray(body.keys)) return fail("keys: is missing or not an array")
  const keys: Array<JWK> = []
  for (const [i, key] of body.keys.entries()) {
    if (!isRecord(key) || typeof key.kty !== "string") return fail(`keys.${i}: not a JWK (an object with a string kty)`)
    if (key.kid !== undefined && typeof key.kid !== "string") return fail(`keys.${i}.kid: not a string`)
    keys.push(key as JWK)
  }
  return Either.right({ keys })
}

interface Cached {
  /** The set, the same object for as long as it is cached: keys imported for it are remembered with it. */
  readonly keys: JSONWebKeySet
  /** The `kid`s of the set, to answer "is this kid known" without a scan. */
  readonly kids: ReadonlySet<string>
  readonly fetchedAt: number
}

const kidsOf = (set: JSONWebKeySet): ReadonlySet<string> => {
  const kids = new Set<string>()
  for (const key of set.keys) if (typeof key.kid === "string") kids.add(key.kid)
  return kids
}

/**
 * A JWKS cache: fetched on first use; refetched when a `kid` is not in the cached set, no more often than `cooldown`;
 * concurrent refetches are coalesced. A cached set is returned as the same object on every call, so the keys
 * verification imports from it are imported once per cache entry.
 * @internal
 */
export const jwksCache = <E>(options: {
  readonly url: string | undefined
  readonly cooldown: Duration.Duration
  readonly fetch: (url: string) => Effect.Effect<{ readonly body: unknown; readonly context: OAuthError.ResponseContext }, E>
}) =>
  Effect.gen(function* () {
    const state = yield* Ref.make<Option.Option<Cached>>(Option.none())
    const lock = yield* Effect.makeSemaphore(1)
    const cooldownMillis = Duration.toMillis(options.cooldown)
    const has = (cached: Cached, kid: string | undefined) => kid === undefined || cached.kids.has(kid)

    const fetchAndStore = (url: string) =>
      Effect.gen(function* () {
        const { body, context } = yield* options.fetch(url)
        const keys = yield* decodeJwks(body, context)
        const fetchedAt = yield* Clock.currentTimeMillis
        yield* Ref.set(state, Option.some({ keys, kids: kidsOf(keys), fetchedAt }))
        return keys
      })

    const refresh = (url: string, seen: Option.Option<Cached>, kid: string | undefined) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          // another fiber may have refreshed while this one waited
          const current = yield* Ref.get(state)
          if (Option.isNone(current)) return yield* fetchAndStore(url)
          if (has(current.value, kid)) return current.value.keys
          if (Option.isSome(seen) && current.value.fetchedAt !== seen.value.fetchedAt) return current.value.keys
          const now = yield* Clock.currentTimeMillis
          if (now - current.value.fetchedAt < cooldownMillis) return current.value.keys
          return yield* fetchAndStore(url)
        })
      )

    return (query: { readonly kid?: string } = {}): Effect.Effect<JSONWebKeySet, E | OAuthError.UnexpectedResponse | TransportError.EndpointNotSupported> => {
      const url = options.url
      if (url === undefined) return Effect.fail(TransportError.endpointNotSupported("jwks"))
      // the common case, a cached set that knows the kid: one read, no lock
      return Effect.flatMap(Ref.get(state), (seen) =>
        Option.isSome(seen) && has(seen.value, query.kid) ? Effect.succeed(seen.value.keys) : refresh(url, seen, query.kid))
    }
  })
