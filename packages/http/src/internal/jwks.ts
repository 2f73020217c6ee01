/** @internal */
import { Jwt, OAuthError } from "@oauth2/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Redacted from "effect/Redacted"
import type { JSONWebKeySet, JWK } from "jose"
import { load } from "./jose.js"
import * as ClientError from "../ClientError.js"

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
  /**
   * When an unknown `kid` may refetch the set again: a cooldown after a refetch. The first fetch (at construction,
   * or on first need) starts no cooldown, so a key published just after it is found by one refetch.
   */
  readonly refetchFrom: number
}

const kidsOf = (set: JSONWebKeySet): ReadonlySet<string> => {
  const kids = new Set<string>()
  for (const key of set.keys) if (typeof key.kid === "string") kids.add(key.kid)
  return kids
}

/**
 * A JWKS cache: fetched on first use; refetched when a `kid` is not in the cached set, at most once per `cooldown`
 * (counted from the last refetch, not from the first fetch); concurrent refetches are coalesced. A cached set is
 * returned as the same object on every call, so the keys verification imports from it are imported once per cache
 * entry. With `keys` (a static set), nothing is ever fetched.
 * @internal
 */
export const jwksCache = <E>(options: {
  readonly keys?: JSONWebKeySet | undefined
  readonly url: string | undefined
  readonly cooldown: Duration.Duration
  readonly fetch: (url: string) => Effect.Effect<{ readonly body: unknown; readonly context: OAuthError.ResponseContext }, E>
}) =>
  Effect.gen(function* () {
    const state = yield* Ref.make<Option.Option<Cached>>(Option.none())
    const lock = yield* Effect.makeSemaphore(1)
    const cooldownMillis = Duration.toMillis(options.cooldown)
    const has = (cached: Cached, kid: string | undefined) => kid === undefined || cached.kids.has(kid)

    const fetchAndStore = (url: string, refetch: boolean) =>
      Effect.gen(function* () {
        const { body, context } = yield* options.fetch(url)
        const keys = yield* decodeJwks(body, context)
        const fetchedAt = yield* Clock.currentTimeMillis
        const refetchFrom = refetch ? fetchedAt + cooldownMillis : Number.NEGATIVE_INFINITY
        yield* Ref.set(state, Option.some({ keys, kids: kidsOf(keys), fetchedAt, refetchFrom }))
        return keys
      })

    const refresh = (url: string, seen: Option.Option<Cached>, kid: string | undefined) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          // another fiber may have refreshed while this one waited
          const current = yield* Ref.get(state)
          if (Option.isNone(current)) return yield* fetchAndStore(url, false)
          if (has(current.value, kid)) return current.value.keys
          // a set fetched while this fiber waited is as fresh as the one it would fetch
          if (Option.isNone(seen) || current.value !== seen.value) return current.value.keys
          const now = yield* Clock.currentTimeMillis
          if (now < current.value.refetchFrom) return current.value.keys
          return yield* fetchAndStore(url, true)
        })
      )

    const fixed = options.keys
    return (
      query: { readonly kid?: string } = {}
    ): Effect.Effect<JSONWebKeySet, E | OAuthError.UnexpectedResponse | ClientError.EndpointNotSupported> => {
      if (fixed !== undefined) return Effect.succeed(fixed)
      const url = options.url
      if (url === undefined) return Effect.fail(ClientError.endpointNotSupported("jwks"))
      // the common case, a cached set that knows the kid: one read, no lock
      return Effect.flatMap(Ref.get(state), (seen) =>
        Option.isSome(seen) && has(seen.value, query.kid) ? Effect.succeed(seen.value.keys) : refresh(url, seen, query.kid)
      )
    }
  })

// ---------------------------------------------------------------------------------------------------------------------
// the client's own keys, published
// ---------------------------------------------------------------------------------------------------------------------

const invalidKey = (index: number, message: string) => OAuthError.invalidArgument(`keys.${index}`, message)

const isCryptoKey = (u: unknown): u is CryptoKey =>
  typeof u === "object" && u !== null && "type" in u && "algorithm" in u && "extractable" in u && "usages" in u

/** The JWK of one key input: a JWK as is, a `CryptoKey` exported (it must be extractable), a PEM imported for `alg`. */
const jwkOf = (index: number, input: unknown, alg: string | undefined): Effect.Effect<JWK, OAuthError.InvalidArgument> => {
  const value = Redacted.isRedacted(input) ? Redacted.value(input) : input
  if (isCryptoKey(value)) {
    if (!value.extractable) return Effect.fail(invalidKey(index, "a non-extractable CryptoKey cannot be published: give its JWK or PEM"))
    return Effect.tryPromise({
      try: () => load().then((jose) => jose.exportJWK(value)),
      catch: () => invalidKey(index, "the CryptoKey could not be exported")
    })
  }
  if (typeof value === "string") {
    const text = value.trim()
    if (text.startsWith("{")) {
      return Effect.flatMap(Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => invalidKey(index, "not a JSON JWK") }), (parsed) =>
        jwkOf(index, parsed, alg)
      )
    }
    if (alg === undefined) return Effect.fail(invalidKey(index, "a PEM key needs its 'alg'"))
    return Effect.tryPromise({
      try: () =>
        load().then((jose) =>
          (text.includes("PRIVATE KEY") ? jose.importPKCS8 : jose.importSPKI)(text, alg, { extractable: true }).then((key) => jose.exportJWK(key))
        ),
      catch: () => invalidKey(index, `the PEM key could not be imported for ${alg}`)
    })
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as JWK).kty === "string") {
    return Effect.succeed(value as JWK)
  }
  return Effect.fail(invalidKey(index, "expected a JWK, a CryptoKey or a PEM string"))
}

/**
 * The public JWK Set of the client's keys: each key is `Jwt.publicJwk`'s projection (the public members only, the same
 * rule as every key import of core), symmetric keys and key types other than RSA, EC and OKP refused, `use` and `alg`
 * set, `kid` kept (or the RFC 7638 thumbprint when there is none).
 * @internal
 */
export const publicJwks = (
  keys: ReadonlyArray<{
    readonly key: Jwt.PrivateKeyInput
    readonly use: "sig" | "enc"
    readonly alg?: string
    readonly kid?: string
  }>
): Effect.Effect<JSONWebKeySet, OAuthError.InvalidArgument> =>
  Effect.gen(function* () {
    if (!Array.isArray(keys)) return yield* Effect.fail(OAuthError.invalidArgument("keys", "expected a list of keys"))
    const out: Array<JWK> = []
    for (const [index, entry] of keys.entries()) {
      if (typeof entry !== "object" || entry === null || (entry.use !== "sig" && entry.use !== "enc")) {
        return yield* Effect.fail(invalidKey(index, "expected { key, use: 'sig' | 'enc', alg?, kid? }"))
      }
      const jwk = yield* jwkOf(index, entry.key, entry.alg ?? undefined)
      if (jwk.kty === "oct") return yield* Effect.fail(invalidKey(index, "a symmetric key is never published"))
      if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") {
        return yield* Effect.fail(
          invalidKey(index, `a key of type ${JSON.stringify(String(jwk.kty).slice(0, 16))} cannot be published (RSA, EC or OKP)`)
        )
      }
      const pub: Record<string, unknown> = { ...Jwt.publicJwk(jwk) }
      pub.use = entry.use
      const alg = entry.alg ?? jwk.alg
      if (alg !== undefined) pub.alg = alg
      const kid =
        entry.kid ??
        jwk.kid ??
        (yield* Effect.tryPromise({
          try: () => load().then((jose) => jose.calculateJwkThumbprint(pub as JWK)),
          catch: () => invalidKey(index, "not a valid public key")
        }))
      pub.kid = kid
      out.push(pub as JWK)
    }
    return { keys: out }
  })
