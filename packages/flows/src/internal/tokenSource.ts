/** @internal */
import { BearerToken, TokenRequest } from "@oauth2/core"
import { OAuthClient } from "@oauth2/http"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as TokenSource from "../TokenSource.js"

/** @internal */
export const tag = Context.GenericTag<TokenSource.TokenSource>("@oauth2/flows/TokenSource")

/** @internal */
export const defaultLeeway = Duration.seconds(30)

/** @internal */
export const tokenUnavailable = (reason: TokenSource.TokenUnavailable["reason"]): TokenSource.TokenUnavailable =>
  Data.struct({
    _tag: "TokenUnavailable",
    reason,
    message:
      reason === "NoGrant"
        ? "the token source has no usable token and no grant to obtain one with"
        : "the token expired or was invalidated, it has no usable refresh token, and its grant cannot be repeated"
  })

interface State<E> {
  /** The token in hand (possibly expired or invalidated). */
  readonly token: BearerToken.BearerToken | undefined
  /** Invalidated: the access token must not be used again (its refresh token may). */
  readonly stale: boolean
  /** The store has been read (or there is none). */
  readonly loaded: boolean
  /** A single-use grant (e.g. an authorization code) has been sent. */
  readonly grantUsed: boolean
  /** The renewal in progress, shared by every caller. */
  readonly inflight: Deferred.Deferred<BearerToken.BearerToken, E> | undefined
}

const expiryMillis = (token: BearerToken.BearerToken): number =>
  token.expiresAt === undefined ? Number.POSITIVE_INFINITY : DateTime.toEpochMillis(token.expiresAt)

const sameToken = (a: BearerToken.BearerToken, b: BearerToken.BearerToken): boolean =>
  a === b || a.accessToken === b.accessToken || Redacted.value(a.accessToken) === Redacted.value(b.accessToken)

const describe = (error: unknown): Record<string, unknown> => {
  if (typeof error !== "object" || error === null) return { error: String(error) }
  const tag = "_tag" in error && typeof error._tag === "string" ? error._tag : "unknown"
  const message = "message" in error && typeof error.message === "string" ? error.message.slice(0, 512) : undefined
  return { error: tag, ...(message === undefined ? {} : { detail: message }) }
}

/** @internal */
export const make = <E = never>(options: TokenSource.Options<E>) =>
  Effect.gen(function* () {
    type Err = E | TokenSource.Error
    const client = yield* OAuthClient.OAuthClient
    const scope = yield* Effect.scope
    const leewayMillis = Duration.toMillis(Duration.decode(options.leeway ?? defaultLeeway))
    const grant = options.grant
    const repeatable = grant === undefined ? false : Effect.isEffect(grant) ? true : TokenRequest.isRepeatable(grant)
    const refresh = options.refresh === false ? undefined : (options.refresh ?? {})
    const store = options.store
    const state = yield* Ref.make<State<Err>>({
      token: options.token,
      stale: false,
      loaded: store === undefined,
      // a token given comes from the grant: a single-use grant (an authorization code) is not sent again
      grantUsed: options.token !== undefined,
      inflight: undefined
    })

    /**
     * Usable now: present, not invalidated, and not expiring within `margin` (the leeway, but never more than half the
     * token's lifetime, so that a token shorter-lived than the leeway is not renewed at every call).
     */
    const usable = (s: State<Err>, now: number, margin: number): s is State<Err> & { token: BearerToken.BearerToken } => {
      if (s.token === undefined || s.stale) return false
      const expiry = expiryMillis(s.token)
      const lifetime = expiry - DateTime.toEpochMillis(s.token.issuedAt)
      return expiry - Math.min(margin, Math.max(0, lifetime / 2)) > now
    }

    const persist = (token: BearerToken.BearerToken): Effect.Effect<void> =>
      store === undefined
        ? Effect.void
        : store.store.set(store.key, BearerToken.serialize(token)).pipe(
            Effect.catchAll((e) => Effect.logWarning("token source: could not store the token", { key: store.key, ...describe(e) }))
          )

    const load: Effect.Effect<BearerToken.BearerToken | undefined> =
      store === undefined
        ? Effect.succeed(undefined)
        : store.store.get(store.key).pipe(
            Effect.flatMap(
              Option.match({
                onNone: () => Effect.succeed(undefined),
                onSome: (serialized) => {
                  const restored = BearerToken.deserialize(serialized)
                  return Either.isRight(restored)
                    ? Effect.succeed(restored.right)
                    : Effect.as(Effect.logWarning("token source: ignoring a stored value that is not a token", { key: store.key }), undefined)
                }
              })
            ),
            Effect.catchAll((e) =>
              Effect.as(Effect.logWarning("token source: could not read the stored token", { key: store.key, ...describe(e) }), undefined)
            )
          )

    const fromGrant: Effect.Effect<BearerToken.BearerToken, Err> = Effect.gen(function* () {
      if (grant === undefined) return yield* Effect.fail(tokenUnavailable("NoGrant"))
      const used = yield* Ref.modify(state, (s): [boolean, State<Err>] => [s.grantUsed, { ...s, grantUsed: true }])
      if (used && !repeatable) return yield* Effect.fail(tokenUnavailable("NotRenewable"))
      yield* Effect.annotateCurrentSpan("oauth2.renewal", "grant")
      return yield* (Effect.isEffect(grant) ? Effect.provideService(grant, OAuthClient.OAuthClient, client) : client.token(grant))
    })

    const dropRefreshToken = (token: BearerToken.BearerToken) =>
      Ref.update(state, (s) => {
        if (s.token !== token) return s
        const { refreshToken: _, ...rest } = token
        return { ...s, token: rest }
      })

    /** Obtains a new token: from the store (first use), by refreshing, or from the grant. */
    const renewal = (force: boolean): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.gen(function* () {
        let s = yield* Ref.get(state)
        if (!s.loaded) {
          const stored = yield* load
          s = yield* Ref.updateAndGet(state, (s) => ({
            ...s,
            loaded: true,
            ...(stored !== undefined && s.token === undefined ? { token: stored } : {})
          }))
          const now = yield* Clock.currentTimeMillis
          if (!force && usable(s, now, leewayMillis)) {
            yield* Effect.annotateCurrentSpan("oauth2.renewal", "store")
            return s.token
          }
        }
        const current = s.token
        if (current?.refreshToken !== undefined && refresh !== undefined) {
          const request = TokenRequest.refreshToken({ ...refresh, refreshToken: current.refreshToken })
          if (Either.isRight(request)) {
            yield* Effect.annotateCurrentSpan("oauth2.renewal", "refresh")
            const refreshed = yield* Effect.either(client.token(request.right))
            if (Either.isRight(refreshed)) {
              const renewed = refreshed.right
              return renewed.refreshToken === undefined ? BearerToken.make({ ...renewed, refreshToken: current.refreshToken }) : renewed
            }
            if (refreshed.left._tag !== "InvalidGrant") return yield* Effect.fail(refreshed.left)
            // the refresh token is dead (expired, revoked, rotated): forget it, and use the grant if it can be repeated
            yield* dropRefreshToken(current)
            const canFallBack = grant !== undefined && (repeatable || !s.grantUsed)
            if (!canFallBack) return yield* Effect.fail(refreshed.left)
            yield* Effect.logInfo("token source: the refresh token was refused (invalid_grant); using the grant again")
          }
        }
        return yield* fromGrant
      }).pipe(Effect.withSpan("oauth2.token_source.renew", { attributes: { "oauth2.renewal.forced": force } }))

    const runRenewal = (force: boolean, deferred: Deferred.Deferred<BearerToken.BearerToken, Err>) =>
      renewal(force).pipe(
        Effect.onExit((exit) =>
          Ref.update(state, (s) => ({
            ...s,
            inflight: undefined,
            ...(Exit.isSuccess(exit) ? { token: exit.value, stale: false } : {})
          })).pipe(Effect.zipRight(Deferred.done(deferred, exit)))
        ),
        Effect.tapBoth({
          onFailure: (e) => Effect.logWarning("token source: renewal failed", describe(e)),
          onSuccess: (token) =>
            Effect.zipRight(
              Effect.logDebug("token source: renewed", {
                expiresAt: token.expiresAt === undefined ? "never" : DateTime.formatIso(token.expiresAt)
              }),
              persist(token)
            )
        }),
        Effect.ignore
      )

    /** Joins the renewal in progress, or starts one; answers a usable token at once when there is one. */
    const acquire = (force: boolean): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const mine = yield* Deferred.make<BearerToken.BearerToken, Err>()
          const decision = yield* Ref.modify(
            state,
            (s): readonly [
              { readonly _tag: "Usable"; readonly token: BearerToken.BearerToken } | { readonly _tag: "Wait"; readonly deferred: Deferred.Deferred<BearerToken.BearerToken, Err>; readonly started: boolean },
              State<Err>
            ] => {
              if (!force && usable(s, now, leewayMillis)) return [{ _tag: "Usable", token: s.token }, s]
              if (s.inflight !== undefined) return [{ _tag: "Wait", deferred: s.inflight, started: false }, s]
              return [{ _tag: "Wait", deferred: mine, started: true }, { ...s, inflight: mine }]
            }
          )
          if (decision._tag === "Usable") return decision.token
          if (decision.started) yield* Effect.forkIn(Effect.interruptible(runRenewal(force, mine)), scope)
          return yield* restore(Deferred.await(decision.deferred))
        })
      )

    const get: Effect.Effect<BearerToken.BearerToken, Err> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(Ref.get(state), (s) =>
        usable(s, now, leewayMillis)
          ? Effect.succeed(s.token)
          : Effect.catchAll(acquire(false), (error) =>
              // a renewal ahead of expiry failed: the token in hand is still valid, keep using it until it expires
              Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Effect.flatMap(Ref.get(state), (s) => (usable(s, now, 0) ? Effect.succeed(s.token) : Effect.fail(error)))
              )
            )
      )
    )

    const invalidate = (token?: BearerToken.BearerToken): Effect.Effect<void> =>
      Effect.flatMap(
        Ref.modify(state, (s): [BearerToken.BearerToken | undefined, State<Err>] => {
          if (s.token === undefined || s.stale) return [undefined, s]
          if (token !== undefined && !sameToken(s.token, token)) return [undefined, s]
          return [s.token, { ...s, stale: true }]
        }),
        (invalidated) => {
          if (invalidated === undefined || store === undefined) return Effect.void
          // keep the refresh token across a restart, with an access token that reads as expired
          return invalidated.refreshToken === undefined
            ? store.store.remove(store.key).pipe(
                Effect.catchAll((e) => Effect.logWarning("token source: could not remove the stored token", { key: store.key, ...describe(e) }))
              )
            : persist(BearerToken.make({ ...invalidated, expiresAt: invalidated.issuedAt }))
        }
      )

    const source: TokenSource.TokenSource<Err> = {
      get,
      renew: acquire(true),
      invalidate,
      current: Effect.map(Ref.get(state), (s) => (s.token === undefined || s.stale ? Option.none() : Option.some(s.token)))
    }
    return source
  })

/** @internal */
export const layer = (options: TokenSource.Options<never>) => Layer.scoped(tag, make(options))

/** @internal */
export const config: Config.Config<TokenSource.Options<never>> = Config.all({
  scope: Config.option(Config.string("OAUTH2_SCOPE")),
  audience: Config.option(Config.string("OAUTH2_AUDIENCE")),
  resource: Config.option(Config.string("OAUTH2_RESOURCE")),
  leeway: Config.withDefault(Config.duration("OAUTH2_TOKEN_LEEWAY"), defaultLeeway)
}).pipe(
  Config.map((c) => ({
    grant: TokenRequest.clientCredentials({
      ...(Option.isSome(c.scope) ? { scope: c.scope.value } : {}),
      ...(Option.isSome(c.audience) ? { audience: c.audience.value.split(" ").filter((s) => s.length > 0) } : {}),
      ...(Option.isSome(c.resource) ? { resource: c.resource.value.split(" ").filter((s) => s.length > 0) } : {})
    }),
    leeway: c.leeway
  }))
)

/** @internal */
export const layerConfig = (c: Config.Config<TokenSource.Options<never>>) =>
  Layer.scoped(tag, Effect.flatMap(c, (options) => make(options)))
