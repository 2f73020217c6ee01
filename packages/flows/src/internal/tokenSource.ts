/** @internal */
import { BearerToken, OAuthError, TokenRequest } from "@oauth2/core"
import type { IdToken } from "@oauth2/core"
import { OAuthClient } from "@oauth2/http"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as TokenSource from "../TokenSource.js"
import { tokenUnavailable } from "./errors.js"

/** @internal */
export const tag = Context.GenericTag<TokenSource.TokenSource>("@oauth2/flows/TokenSource")

/** @internal */
export const defaultLeeway = Duration.seconds(30)

/** @internal */
export const repeatable = <E>(program: Effect.Effect<BearerToken.BearerToken, E, OAuthClient.OAuthClient>): TokenSource.RepeatableGrant<E> => ({
  _tag: "RepeatableGrant",
  program
})

const isRepeatableGrant = (u: unknown): u is TokenSource.RepeatableGrant<unknown> =>
  typeof u === "object" && u !== null && "_tag" in u && u._tag === "RepeatableGrant" && "program" in u

/** Statuses that say "try again later", not "this refresh token is dead". */
const transientStatuses = new Set([408, 425, 429])

/**
 * The server refused the refresh token: `invalid_grant`, or any other non-transient 4xx answer (some servers answer
 * a dead refresh token with a bare 400), except `invalid_client` (the client's credentials are at fault, not the
 * refresh token).
 *
 * @internal
 */
export const isRefusedRefresh = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  if (error._tag === "InvalidGrant") return true
  if (error._tag === "InvalidClient") return false
  if (!OAuthError.isOAuthError(error) && error._tag !== "UnexpectedResponse") return false
  const status = "status" in error && typeof error.status === "number" ? error.status : undefined
  return status !== undefined && status >= 400 && status < 500 && !transientStatuses.has(status)
}

interface State {
  /** The token in hand (possibly expired or invalidated). */
  readonly token: BearerToken.BearerToken | undefined
  /** Invalidated: the access token must not be used again (its refresh token may). */
  readonly stale: boolean
  /** The store has been read (or there is none). */
  readonly loaded: boolean
  /** A single-use grant (e.g. an authorization code) has been sent. */
  readonly grantUsed: boolean
  /** The claims of the session's validated ID token: a refreshed ID token must keep its `iss` and `sub`. */
  readonly claims: IdToken.Claims | undefined
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

/**
 * What an owner of sources (the keyed token source) needs beyond the public interface.
 *
 * @internal
 */
export interface Control {
  /** The token in hand, even an invalidated one (none before the store is read). */
  readonly raw: Effect.Effect<Option.Option<BearerToken.BearerToken>>
  /** Reads the store if it has not been read yet. */
  readonly load: Effect.Effect<void>
  /** A renewal is in progress (until its token is stored). */
  readonly busy: () => boolean
  /** Waits for the renewal in progress, if any, to end (its token stored or not); never fails. */
  readonly settle: Effect.Effect<void>
  /** From now on nothing is written to the store (the key was logged out). */
  readonly close: () => void
}

/** @internal */
export interface ControlOptions {
  /** What the logs name the store key as (a digest when the key is a secret, e.g. a session id). */
  readonly logKey?: string
}

/** @internal */
export const make = <E = never>(options: TokenSource.Options<E>) => Effect.map(makeControlled(options), (handle) => handle.source)

/** @internal */
export const makeControlled = <E = never>(options: TokenSource.Options<E>, controlOptions: ControlOptions = {}) =>
  Effect.gen(function* () {
    type Err = E | TokenSource.TokenSourceError
    const client = yield* OAuthClient.OAuthClient
    const scope = yield* Effect.scope
    const leewayMillis = Duration.toMillis(Duration.decode(options.leeway ?? defaultLeeway))
    const grant = options.grant
    // a program is single-use (it may poll a device code) unless marked with `repeatable`
    const repeatable =
      grant === undefined ? false : isRepeatableGrant(grant) ? true : Effect.isEffect(grant) ? false : TokenRequest.isRepeatable(grant)
    const refresh = options.refresh === false ? undefined : (options.refresh ?? {})
    const coordinator = options.coordinator
    // the coordinator keeps the token when there is one
    const store = coordinator === undefined ? options.store : undefined
    const logKey = controlOptions.logKey ?? store?.key
    /** Closed by the owner: nothing more is written to the store. */
    let closed = false
    /*
     * The state is a plain cell, read and written only inside synchronous steps (`Effect.sync`, `Effect.suspend`,
     * the callback of `Effect.flatMap`): fibers interleave only between steps, so each step sees and leaves a
     * consistent state, and the hot path (a usable token in hand) costs a read, not a `Ref` operation.
     */
    let state: State = {
      token: options.token,
      stale: false,
      loaded: store === undefined,
      // a token given comes from the grant: a single-use grant (an authorization code) is not sent again
      grantUsed: options.token !== undefined,
      claims: options.idToken
    }
    // a logout elsewhere removed the shared token: the one in hand is not served any more
    if (coordinator?.onRemoved !== undefined) {
      yield* coordinator.onRemoved(() => {
        state = { ...state, token: undefined, stale: false }
      })
    }
    const validateIdToken = options.validateIdToken !== false
    /** The renewal in progress, shared by every caller: each waiter awaits this one `Deferred`. */
    let inflight: Deferred.Deferred<BearerToken.BearerToken, Err> | undefined = undefined
    /** Completed when the renewal in progress has ended, its token stored (`inflight` is cleared before that). */
    let settling: Deferred.Deferred<void> | undefined = undefined

    /**
     * Usable now: present, not invalidated, and not expiring within `margin` (the leeway, but never more than half the
     * token's lifetime, so that a token shorter-lived than the leeway is not renewed at every call).
     */
    const usable = (s: State, now: number, margin: number): s is State & { token: BearerToken.BearerToken } => {
      if (s.token === undefined || s.stale) return false
      const expiry = expiryMillis(s.token)
      const lifetime = expiry - DateTime.toEpochMillis(s.token.issuedAt)
      return expiry - Math.min(margin, Math.max(0, lifetime / 2)) > now
    }

    /** Stores the token; a failure (the store, or a token that cannot be serialized) is logged, never raised. */
    const persist = (token: BearerToken.BearerToken): Effect.Effect<void> =>
      store === undefined
        ? Effect.void
        : Effect.suspend(() =>
            closed
              ? Effect.void
              : Effect.try(() => BearerToken.serialize(token)).pipe(
                  Effect.flatMap((serialized) => store.store.set(store.key, serialized)),
                  Effect.catchAllCause((cause) =>
                    Effect.logWarning("token source: could not store the token", { key: logKey, ...describe(Cause.squash(cause)) })
                  )
                )
          )

    /** The stored token; anything else (absent, not a string, not a token, a failing store) is ignored and logged. */
    const load: Effect.Effect<BearerToken.BearerToken | undefined> =
      store === undefined
        ? Effect.succeed(undefined)
        : store.store.get(store.key).pipe(
            Effect.flatMap((stored) => {
              if (Option.isNone(stored)) return Effect.succeed(undefined)
              const serialized: unknown = stored.value
              const restored = typeof serialized === "string" ? BearerToken.deserialize(serialized) : undefined
              return restored !== undefined && Either.isRight(restored)
                ? Effect.succeed(restored.right)
                : Effect.as(
                    Effect.logWarning("token source: ignoring a stored value that is not a token (it will be replaced)", { key: logKey }),
                    undefined
                  )
            }),
            Effect.catchAllCause((cause) =>
              Effect.as(
                Effect.logWarning("token source: could not read the stored token", { key: logKey, ...describe(Cause.squash(cause)) }),
                undefined
              )
            )
          )

    const fromGrant: Effect.Effect<BearerToken.BearerToken, Err> = Effect.gen(function* () {
      if (grant === undefined) return yield* Effect.fail(tokenUnavailable("NoGrant"))
      const used = yield* Effect.sync(() => {
        const used = state.grantUsed
        state = { ...state, grantUsed: true }
        return used
      })
      if (used && !repeatable) return yield* Effect.fail(tokenUnavailable("NotRenewable"))
      yield* Effect.annotateCurrentSpan("oauth2.renewal", "grant")
      const program: Effect.Effect<BearerToken.BearerToken, Err, OAuthClient.OAuthClient> = isRepeatableGrant(grant)
        ? grant.program
        : Effect.isEffect(grant)
          ? grant
          : validateIdToken
            ? // a token request's answer may carry an ID token (password or client credentials with `openid`):
              // validated like any other, and its claims kept for the `sub` check of later refreshes
              Effect.flatMap(client.token(grant), (token) =>
                token.idToken === undefined
                  ? Effect.succeed(token)
                  : Effect.map(client.validateToken(token), (validated) => {
                      if (validated.idToken !== undefined) state = { ...state, claims: validated.idToken }
                      return validated.token
                    })
              )
            : client.token(grant)
      return yield* Effect.provideService(program, OAuthClient.OAuthClient, client)
    })

    const dropRefreshToken = (token: BearerToken.BearerToken) =>
      Effect.sync(() => {
        if (state.token !== token) return
        const { refreshToken: _, ...rest } = token
        state = { ...state, token: rest }
      })

    /** Obtains a new token: from the store (first use), by refreshing, or from the grant. */
    const renewal = (force: boolean): Effect.Effect<BearerToken.BearerToken, Err> =>
      (coordinator === undefined ? localRenewal(force) : sharedRenewal(coordinator, force)).pipe(
        Effect.withSpan("oauth2.token_source.renew", { attributes: { "oauth2.renewal.forced": force } })
      )

    /**
     * The renewal handed to the coordinator: a shared token is taken when usable and not the one being replaced;
     * otherwise the coordinator runs the renewal from the freshest token it knows (a refresh token rotated elsewhere).
     */
    const sharedRenewal = (coordinator: TokenSource.Coordinator, force: boolean): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.suspend(() => {
        const s = state
        const replaced = force || s.stale ? s.token : undefined
        return coordinator.renew<Err>({
          current: s.token,
          accept: (token, now) => usable({ ...s, token, stale: false }, now, leewayMillis) && (replaced === undefined || !sameToken(token, replaced)),
          renew: (current) =>
            Effect.suspend(() => {
              if (current !== undefined && current !== state.token) state = { ...state, token: current, stale: false }
              return renewFrom(current)
            }),
          unavailable: (reason, cause) => tokenUnavailable(reason, cause),
          revoke: (token) =>
            Effect.forEach(
              [...(token.refreshToken === undefined ? [] : ["refresh_token" as const]), "access_token" as const],
              (hint) =>
                client
                  .revoke(token, { token: hint })
                  .pipe(
                    Effect.catchAll((e) => Effect.logWarning("token source: could not revoke a token obtained for nothing", { hint, ...describe(e) }))
                  ),
              { discard: true }
            )
        })
      })

    const localRenewal = (force: boolean): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.gen(function* () {
        if (!state.loaded) {
          const stored = yield* load
          state = { ...state, loaded: true, ...(stored !== undefined && state.token === undefined ? { token: stored } : {}) }
          const now = yield* Clock.currentTimeMillis
          const s = state
          if (!force && usable(s, now, leewayMillis)) {
            yield* Effect.annotateCurrentSpan("oauth2.renewal", "store")
            return s.token
          }
        }
        return yield* renewFrom(state.token)
      })

    /** Refreshes `current`'s refresh token when there is one, else uses the grant. */
    const renewFrom = (current: BearerToken.BearerToken | undefined): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.gen(function* () {
        if (current?.refreshToken !== undefined && refresh !== undefined) {
          const request = TokenRequest.refreshToken({ ...refresh, refreshToken: current.refreshToken })
          if (Either.isRight(request)) {
            yield* Effect.annotateCurrentSpan("oauth2.renewal", "refresh")
            const claims = state.claims
            // with an ID token in play, the OIDC-aware refresh validates a new one (and checks `sub` against the claims)
            const refreshed = yield* Effect.either(
              validateIdToken
                ? Effect.map(client.refresh(current, { ...refresh, ...(claims === undefined ? {} : { idToken: claims }) }), (validated) => {
                    if (validated.idToken !== undefined) state = { ...state, claims: validated.idToken }
                    return validated.token
                  })
                : client.token(request.right)
            )
            // the client keeps the refresh token used when the answer has no new one (RFC 6749 6)
            if (Either.isRight(refreshed)) return refreshed.right
            if (!isRefusedRefresh(refreshed.left)) return yield* Effect.fail(refreshed.left)
            // the refresh token is dead (expired, revoked, rotated): forget it, and use the grant if it can be repeated
            yield* dropRefreshToken(current)
            const canFallBack = grant !== undefined && (repeatable || !state.grantUsed)
            if (!canFallBack) return yield* Effect.fail(tokenUnavailable("RefreshRefused", refreshed.left))
            yield* Effect.logInfo("token source: the refresh token was refused; using the grant again", describe(refreshed.left))
          }
        }
        return yield* fromGrant
      })

    /**
     * The renewal, run in its own fiber in the source's scope (so that no caller's interruption cancels it for the
     * others). Forked uninterruptible: the outcome is always recorded and handed to the waiters, even when the scope
     * closes before the renewal starts; the work itself is interruptible. The waiters are served before the renewal
     * is logged and stored.
     */
    const runRenewal = (force: boolean, deferred: Deferred.Deferred<BearerToken.BearerToken, Err>) =>
      Effect.interruptible(renewal(force)).pipe(
        Effect.onExit((exit) =>
          Effect.sync(() => {
            // on failure the token in hand is kept: it may still be valid, and its refresh token usable next time
            state = Exit.isSuccess(exit) ? { ...state, token: exit.value, stale: false } : state
            inflight = undefined
            Deferred.unsafeDone(deferred, exit)
          })
        ),
        Effect.matchEffect({
          onFailure: (e) => Effect.logWarning("token source: renewal failed", describe(e)),
          onSuccess: (token) =>
            Effect.interruptible(
              Effect.zipRight(
                Effect.logDebug("token source: renewed", {
                  expiresAt: token.expiresAt === undefined ? "never" : DateTime.formatIso(token.expiresAt)
                }),
                persist(token)
              )
            )
        })
      )

    /**
     * A usable token at once, else the renewal in progress (joined: one `Deferred.await`, nothing else allocated per
     * waiter), else a new renewal. Decided synchronously, so that concurrent callers cannot both start one.
     */
    const acquire = (force: boolean, now: number): Effect.Effect<BearerToken.BearerToken, Err> => {
      const s = state
      if (!force && usable(s, now, leewayMillis)) return Effect.succeed(s.token)
      if (inflight !== undefined) return Deferred.await(inflight)
      return start(force, now)
    }

    /** Starts a renewal and waits for it; uninterruptible until it is forked, so that it is never left unstarted. */
    const start = (force: boolean, now: number): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.fiberIdWith((fiberId) => {
          // decided again: another fiber may have started or finished a renewal since `acquire` looked
          if (inflight !== undefined || (!force && usable(state, now, leewayMillis))) return restore(acquire(force, now))
          const deferred = Deferred.unsafeMake<BearerToken.BearerToken, Err>(fiberId)
          inflight = deferred
          const settled = Deferred.unsafeMake<void>(fiberId)
          settling = settled
          const settle = Effect.sync(() => {
            if (settling === settled) settling = undefined
            Deferred.unsafeDone(settled, Exit.void)
          })
          return Effect.zipRight(Effect.forkIn(Effect.ensuring(runRenewal(force, deferred), settle), scope), restore(Deferred.await(deferred)))
        })
      )

    /** After a failed renewal ahead of expiry: the token in hand is still valid, keep using it until it expires. */
    const stillValid = (error: Err): Effect.Effect<BearerToken.BearerToken, Err> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const s = state
        return usable(s, now, 0) ? Effect.succeed(s.token) : Effect.fail(error)
      })

    const get: Effect.Effect<BearerToken.BearerToken, Err> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const s = state
      return usable(s, now, leewayMillis) ? Effect.succeed(s.token) : Effect.catchAll(acquire(false, now), stillValid)
    })

    const invalidate = (token?: BearerToken.BearerToken): Effect.Effect<void> =>
      Effect.suspend(() => {
        const invalidated = state.token
        if (invalidated === undefined || state.stale) return Effect.void
        if (token !== undefined && !sameToken(invalidated, token)) return Effect.void
        state = { ...state, stale: true }
        if (coordinator !== undefined) return coordinator.invalidate(invalidated)
        if (store === undefined || closed) return Effect.void
        // keep the refresh token across a restart, with an access token that reads as expired
        return invalidated.refreshToken === undefined
          ? store.store
              .remove(store.key)
              .pipe(Effect.catchAll((e) => Effect.logWarning("token source: could not remove the stored token", { key: logKey, ...describe(e) })))
          : persist(BearerToken.make({ ...invalidated, expiresAt: invalidated.issuedAt }))
      })

    const source: TokenSource.TokenSource<Err> = {
      get,
      renew: Effect.flatMap(Clock.currentTimeMillis, (now) => acquire(true, now)),
      invalidate,
      current: Effect.sync(() => (state.token === undefined || state.stale ? Option.none() : Option.some(state.token)))
    }
    const control: Control = {
      raw: Effect.sync(() => Option.fromNullable(state.token)),
      load: Effect.suspend(() =>
        state.loaded
          ? Effect.void
          : Effect.map(load, (stored) => {
              state = { ...state, loaded: true, ...(stored !== undefined && state.token === undefined ? { token: stored } : {}) }
            })
      ),
      busy: () => settling !== undefined,
      settle: Effect.suspend(() => (settling === undefined ? Effect.void : Deferred.await(settling))),
      close: () => {
        closed = true
      }
    }
    return { source, control }
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
export const layerConfig = (config: Config.Config<TokenSource.Options<never>>) => Layer.unwrapEffect(Effect.map(config, layer))
