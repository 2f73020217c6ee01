/** @internal */
import { BearerToken } from "@oauth2/core"
import type { IdToken } from "@oauth2/core"
import { OAuthClient } from "@oauth2/http"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type * as KeyedTokenSource from "../KeyedTokenSource.js"
import type * as TokenSource from "../TokenSource.js"
import * as errors from "./errors.js"
import * as tokenSource from "./tokenSource.js"

/** @internal */
export const tag = Context.GenericTag<KeyedTokenSource.KeyedTokenSource>("@oauth2/flows/KeyedTokenSource")

/** @internal */
export const defaultCapacity = 10_000

/** @internal */
export const defaultPrefix = "oauth2:token:"

/**
 * A short, stable name of a key for the logs, that does not reveal it (a key is often a session id): its FNV-1a
 * hash, 32 bits in hex.
 *
 * @internal
 */
export const keyDigest = (key: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(16).padStart(8, "0")
}

interface Entry {
  readonly source: TokenSource.TokenSource
  readonly control: tokenSource.Control
  /** The entry's own scope (with a coordinator: its resources), closed when the entry is dropped. */
  readonly scope: Scope.CloseableScope | undefined
  /** The key's coordinator, when the tokens are shared. */
  readonly coordinator: TokenSource.Coordinator | undefined
  /** The epoch millis of the last use, for the idle timeout. */
  lastUsed: number
}

/** @internal */
export const make = (options: KeyedTokenSource.Options = {}) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const scope = yield* Effect.scope
    const capacity = Math.max(1, Math.floor(options.capacity ?? defaultCapacity))
    const idleMillis = options.idleTimeout === undefined ? undefined : Duration.toMillis(Duration.decode(options.idleTimeout))
    // the coordinator keeps the tokens when there is one (as in `TokenSource`)
    const store = options.coordinator === undefined ? options.store : undefined
    const prefix = options.prefix ?? defaultPrefix
    /** The sources in memory, least recently used first (a `Map` keeps insertion order; a use moves a key last). */
    const entries = new Map<string, Entry>()

    /**
     * Releases the resources of dropped entries (their coordinators'): each entry's scope is closed once its renewal
     * in progress, if any, has ended, in a fiber of the keyed source's scope (a drop happens in a synchronous step).
     */
    const release = (dropped: ReadonlyArray<Entry>): Effect.Effect<void> => {
      const scopes = dropped.flatMap((entry) => (entry.scope === undefined ? [] : [{ scope: entry.scope, settle: entry.control.settle }]))
      if (scopes.length === 0) return Effect.void
      return Effect.asVoid(
        Effect.forkIn(
          Effect.forEach(scopes, ({ scope, settle }) => Effect.zipRight(settle, Scope.close(scope, Exit.void)), { discard: true }),
          scope
        )
      )
    }

    /** Drops a key's entry from memory (when it is `entry`, if given); its resources are released. */
    const drop = (key: string, entry?: Entry): Effect.Effect<void> =>
      Effect.suspend(() => {
        const held = entries.get(key)
        if (held === undefined || (entry !== undefined && held !== entry)) return Effect.void
        entries.delete(key)
        return release([held])
      })

    const storeOf = (key: string): TokenSource.Store | undefined => (store === undefined ? undefined : { store, key: `${prefix}${key}` })

    /**
     * Drops the sources idle for too long, then the least recently used ones, until there is room for one more. A
     * source renewing its token stays (a second source for its key would refresh again, with the old refresh token):
     * while every source is renewing, the capacity is exceeded.
     */
    const makeRoom = (now: number): Array<Entry> => {
      const dropped: Array<Entry> = []
      if (idleMillis !== undefined) {
        for (const [key, entry] of entries) {
          if (now - entry.lastUsed >= idleMillis && !entry.control.busy()) {
            entries.delete(key)
            dropped.push(entry)
          }
        }
      }
      for (const [key, entry] of entries) {
        if (entries.size < capacity) break
        if (!entry.control.busy()) {
          entries.delete(key)
          dropped.push(entry)
        }
      }
      return dropped
    }

    /** A new source for a key: with a token (a login), or restored from the store on first use. */
    const newSource = (key: string, token?: BearerToken.BearerToken, idToken?: IdToken.Claims): Effect.Effect<Omit<Entry, "lastUsed">> =>
      options.coordinator === undefined
        ? Effect.map(sourceWith(key, undefined, token, idToken), (made) => ({ ...made, scope: undefined, coordinator: undefined }))
        : Effect.uninterruptibleMask((restore) =>
            Effect.flatMap(Scope.fork(scope, ExecutionStrategy.sequential), (entryScope) =>
              restore(
                Effect.flatMap(Scope.extend(options.coordinator!(key), entryScope), (coordinator) =>
                  Effect.map(sourceWith(key, coordinator, token, idToken), (made) => ({ ...made, coordinator }))
                )
              ).pipe(
                Effect.map((made) => ({ ...made, scope: entryScope })),
                Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : Scope.close(entryScope, exit)))
              )
            )
          )

    const sourceWith = (key: string, coordinator: TokenSource.Coordinator | undefined, token?: BearerToken.BearerToken, idToken?: IdToken.Claims) =>
      Effect.provideService(
        Effect.provideService(
          tokenSource.makeControlled(
            {
              ...(coordinator === undefined ? {} : { coordinator }),
              ...(token === undefined ? {} : { token }),
              ...(idToken === undefined ? {} : { idToken }),
              ...(options.leeway === undefined ? {} : { leeway: options.leeway }),
              ...(options.refresh === undefined ? {} : { refresh: options.refresh }),
              ...(options.validateIdToken === undefined ? {} : { validateIdToken: options.validateIdToken }),
              ...(storeOf(key) === undefined ? {} : { store: storeOf(key)! })
            },
            { logKey: keyDigest(key) }
          ),
          Scope.Scope,
          scope
        ),
        OAuthClient.OAuthClient,
        client
      )

    /** The entry of a key (moved to most recently used), or a new one. Decided synchronously after the source is made. */
    const entryOf = (key: string): Effect.Effect<Entry> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const existing = lookup(key, now)
        if (existing !== undefined) return Effect.succeed(existing)
        if (idle.length > 0) return Effect.zipRight(releaseIdle, entryOf(key))
        return Effect.flatMap(newSource(key), (made) => {
          // another fiber may have made one meanwhile: the first one wins, so that a key has one renewal at a time
          const raced = entries.get(key)
          const entry: Entry = { ...made, lastUsed: now }
          if (raced !== undefined) return Effect.as(release([entry]), raced)
          const dropped = makeRoom(now)
          entries.set(key, entry)
          return Effect.as(release(dropped), entry)
        })
      })

    /** Entries dropped by `lookup` (a synchronous step), released by `releaseIdle`. */
    const idle: Array<Entry> = []
    const releaseIdle: Effect.Effect<void> = Effect.suspend(() => release(idle.splice(0)))

    /** The entry of a key in memory, moved to most recently used; an idle one is dropped (into `idle`). */
    const lookup = (key: string, now: number): Entry | undefined => {
      const entry = entries.get(key)
      if (entry === undefined) return undefined
      if (idleMillis !== undefined && now - entry.lastUsed >= idleMillis && !entry.control.busy()) {
        entries.delete(key)
        idle.push(entry)
        return undefined
      }
      entries.delete(key)
      entries.set(key, entry)
      entry.lastUsed = now
      return entry
    }

    /**
     * The entry of a key that may have a token: without a store or a coordinator (whose shared token another process
     * may hold), only a key given one with `set` (no entry is made).
     */
    const known = (key: string): Effect.Effect<Entry, TokenSource.TokenUnavailable> =>
      store !== undefined || options.coordinator !== undefined
        ? entryOf(key)
        : Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const entry = lookup(key, now)
            return Effect.zipRight(releaseIdle, entry === undefined ? Effect.fail(errors.tokenUnavailable("NoGrant")) : Effect.succeed(entry))
          })

    const persist = (key: string, token: BearerToken.BearerToken): Effect.Effect<void> => {
      const s = storeOf(key)
      if (s === undefined) return Effect.void
      return Effect.try(() => BearerToken.serialize(token)).pipe(
        Effect.flatMap((serialized) => s.store.set(s.key, serialized)),
        Effect.catchAllCause(() => Effect.logWarning("keyed token source: could not store the token", { key: keyDigest(key) }))
      )
    }

    /** A coordinator of the key's own for one operation, released after it (the key may have no source in memory). */
    const withCoordinator = <A>(key: string, f: (coordinator: TokenSource.Coordinator) => Effect.Effect<A>): Effect.Effect<A> =>
      Effect.scoped(Effect.flatMap(options.coordinator!(key), f))

    /**
     * Removes the key's token from the store, or from the shared store (answering the shared token removed, to be
     * revoked: another process may have rotated it).
     */
    const remove = (key: string, entry: Entry | undefined): Effect.Effect<Option.Option<BearerToken.BearerToken>> => {
      if (entry?.coordinator !== undefined) return entry.coordinator.remove ?? Effect.succeedNone
      if (options.coordinator !== undefined) return withCoordinator(key, (coordinator) => coordinator.remove ?? Effect.succeedNone)
      const s = storeOf(key)
      if (s === undefined) return Effect.succeedNone
      return s.store.remove(s.key).pipe(
        Effect.catchAllCause(() => Effect.logWarning("keyed token source: could not remove the token", { key: keyDigest(key) })),
        Effect.as(Option.none())
      )
    }

    const set: KeyedTokenSource.KeyedTokenSource["set"] = (key, token, setOptions) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(newSource(key, token, setOptions?.idToken), (made) =>
          Effect.as(
            Effect.zipRight(
              Effect.suspend(() => {
                // the replaced source's renewal in progress, if any, must not store its token over this one
                const replaced = entries.get(key)
                replaced?.control.close()
                entries.delete(key)
                const dropped = makeRoom(now)
                entries.set(key, { ...made, lastUsed: now })
                return release(replaced === undefined ? dropped : [replaced, ...dropped])
              }),
              // shared: the other processes' sources take it in place of theirs (their renewals in progress do not
              // store over it)
              made.coordinator?.put === undefined ? persist(key, token) : made.coordinator.put(token)
            ),
            made.source
          )
        )
      )

    /** The token in the store for a key (none when absent, not a token, or the store fails), or the shared one. */
    const stored = (key: string): Effect.Effect<Option.Option<BearerToken.BearerToken>> =>
      Effect.suspend(() => {
        if (options.coordinator !== undefined) return withCoordinator(key, (coordinator) => coordinator.current ?? Effect.succeedNone)
        const s = storeOf(key)
        if (s === undefined) return Effect.succeed(Option.none())
        return s.store.get(s.key).pipe(
          Effect.map((stored) => {
            if (Option.isNone(stored)) return Option.none()
            const restored = BearerToken.deserialize(stored.value)
            return Either.isRight(restored) ? Option.some(restored.right) : Option.none()
          }),
          Effect.orElseSucceed(() => Option.none())
        )
      })

    /** The token in hand for a key, in memory or in the store, without renewing it. */
    const current = (key: string): Effect.Effect<Option.Option<BearerToken.BearerToken>> =>
      Effect.suspend(() => {
        const entry = entries.get(key)
        // a source not used yet has not read the store
        return entry === undefined ? stored(key) : Effect.zipRight(entry.control.load, entry.source.current)
      })

    const evict = (key: string): Effect.Effect<void> => drop(key)

    const logout: KeyedTokenSource.KeyedTokenSource["logout"] = (key) =>
      Effect.gen(function* () {
        // forgotten first: whatever the server answers, this key has no token any more, and a renewal in progress
        // does not store its token back
        const entry = entries.get(key)
        entry?.control.close()
        if (entry !== undefined) entries.delete(key)
        // its resources (a coordinator) are released once the tokens are removed
        if (entry !== undefined) yield* Effect.addFinalizer(() => release([entry]))
        // the token in hand, even one invalidated after a 401 (its refresh token still holds the grant), else the stored
        // one; with shared tokens, the shared one too when it differs (another process rotated it)
        const held = entry === undefined ? Option.none<BearerToken.BearerToken>() : yield* entry.control.raw
        let token = Option.isSome(held) || options.coordinator !== undefined ? held : yield* stored(key)
        let removed = yield* remove(key, entry)
        if (entry !== undefined && entry.control.busy()) {
          // a renewal in progress: the token it brings (with a rotated refresh token) is the one to revoke
          yield* entry.control.settle
          token = Option.orElse(yield* entry.control.raw, () => token)
          // a store write started before the close has ended by now (a shared store refuses it: nothing to do)
          if (options.coordinator === undefined) removed = Option.orElse(yield* remove(key, entry), () => removed)
        }
        const tokens = [token, removed].flatMap((t) => (Option.isSome(t) ? [t.value] : []))
        const distinct = tokens.filter((t, i) => tokens.findIndex((u) => Redacted.value(u.accessToken) === Redacted.value(t.accessToken)) === i)
        // RFC 7009 2.1: the refresh token ends the grant; the access token is revoked too, for servers that keep it
        const revocations = distinct.flatMap((t) => [
          ...(t.refreshToken === undefined ? [] : [client.revoke(t, { token: "refresh_token" })]),
          client.revoke(t, { token: "access_token" })
        ])
        const results = yield* Effect.all(revocations.map(Effect.either))
        const failed = results.find(Either.isLeft)
        if (failed !== undefined) return yield* Effect.fail(failed.left)
      }).pipe(Effect.scoped, Effect.withSpan("oauth2.keyed_token_source.logout"))

    /**
     * A key whose source has no usable token (never had one, or its refresh was refused) is not kept in memory; one
     * whose renewal backs off (another process' failed moments ago) is: it may hold a token of its own.
     */
    const dropUnavailable = <A, E>(key: string, entry: Entry, self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.tapError(self, (e) => (errors.isTokenUnavailable(e) && e.reason !== "BackingOff" ? drop(key, entry) : Effect.void))

    const service: KeyedTokenSource.KeyedTokenSource = {
      get: (key) => Effect.flatMap(known(key), (entry) => dropUnavailable(key, entry, entry.source.get)),
      renew: (key) => Effect.flatMap(known(key), (entry) => dropUnavailable(key, entry, entry.source.renew)),
      // a source not used yet reads the store first, so that the stored token is the one invalidated
      invalidate: (key, token) => Effect.flatMap(entryOf(key), (entry) => Effect.zipRight(entry.control.load, entry.source.invalidate(token))),
      source: (key) => Effect.map(entryOf(key), (entry) => entry.source),
      set,
      current,
      evict,
      logout,
      size: Effect.sync(() => entries.size),
      keys: Effect.sync(() => [...entries.keys()])
    }
    return service
  })

/** @internal */
export const layer = (options: KeyedTokenSource.Options = {}) => Layer.scoped(tag, make(options))

/** @internal */
export const config: Config.Config<KeyedTokenSource.Options> = Config.all({
  capacity: Config.withDefault(Config.integer("OAUTH2_SESSION_CAPACITY"), defaultCapacity),
  idleTimeout: Config.option(Config.duration("OAUTH2_SESSION_IDLE_TIMEOUT")),
  leeway: Config.withDefault(Config.duration("OAUTH2_TOKEN_LEEWAY"), tokenSource.defaultLeeway)
}).pipe(
  Config.map((c) => ({ capacity: c.capacity, leeway: c.leeway, ...(Option.isSome(c.idleTimeout) ? { idleTimeout: c.idleTimeout.value } : {}) }))
)

/** @internal */
export const layerConfig = (c: Config.Config<KeyedTokenSource.Options>) => Layer.unwrapEffect(Effect.map(c, layer))
