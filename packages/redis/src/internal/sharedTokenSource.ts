/** @internal */
import { BearerToken } from "@oauth2/core"
import { TokenSource } from "@oauth2/flows"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as Redis from "../Redis.js"
import type * as SharedTokenSource from "../SharedTokenSource.js"
import * as keyring from "./keyring.js"
import { tag as redisTag } from "./redis.js"

/*
 * The entry of a token is a hash `{ v: version, e: envelope }` under `<prefix>{<key>}`; its lock is the string
 * `<prefix>{<key>}:lock` holding the owner's random value; a failed renewal leaves `<prefix>{<key>}:failed` (what
 * failed) for the back-off; renewals are announced on `<prefix>{<key>}:renewed`. The braces are a Cluster hash tag:
 * the entry, its lock and its marker live in one slot, so that one script may touch all three. A removed token (a
 * logout) leaves an entry whose envelope is `-` (a tombstone, at a new version: no renewal in progress stores over it).
 */

/** Redis' clock in milliseconds: when an entry was written, put or removed (its field `t`). */
const nowOf = `
local function now()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end`

/**
 * The entry's version as a number: a field that is not a whole number from 0 to 1e15 (corrupt, or written by hand)
 * reads as 0, in every script alike, so that the entry is replaced rather than read as Redis failing.
 */
const versionOf = `
local function version(x)
  local n = tonumber(x)
  if n == nil or n ~= math.floor(n) or n < 0 or n > 1e15 then return 0 end
  return n
end`

/**
 * The entry's envelope as the scripts answer it: '' (none), '-' (a tombstone), an envelope of the expected shape
 * (ASCII, so that it comes back byte for byte when a process sends it as the token in hand), or '?' (corrupt).
 */
const envelopeOf = `
local function envelope(x)
  if not x then return '?' end
  if x == '' or x == '-' or string.match(x, '^v1%.[%w_-]+%.[%w_-]+%.[%w_-]+$') then return x end
  return '?'
end`

/** Reads the entry: `{ version, envelope }` (a value that is not a hash reads as version 0 with a corrupt envelope). */
const readScript = `${versionOf}${envelopeOf}
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'none' then return {0, ''} end
if t ~= 'hash' then return {0, '?'} end
local e = redis.call('HMGET', KEYS[1], 'v', 'e')
return {version(e[1]), envelope(e[2])}`

/**
 * Reads the entry and, when it holds the token in hand (`ARGV[3]`, the envelope this process last read or wrote) or
 * nothing readable, takes the lock if free (SET NX PX) and no failure is being backed off from: `{ status, version,
 * envelope, lock's remaining milliseconds, the failure ('' when none) }`, status 1 taken, 0 held by another, 2 not
 * tried (the entry holds another token: the caller looks at it first). One round trip when the token in hand is the
 * shared one. The entry is kept for at least the lock's TTL: it does not expire under its holder (whose fenced write
 * would then be refused).
 */
const acquireScript = `${versionOf}${envelopeOf}
local v, e = 0, ''
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'hash' then
  local entry = redis.call('HMGET', KEYS[1], 'v', 'e')
  v, e = version(entry[1]), envelope(entry[2])
elseif t ~= 'none' then
  e = '?'
end
if e ~= ARGV[3] and e ~= '' and e ~= '?' then return {2, v, e, 0, ''} end
local failed = redis.call('GET', KEYS[3])
if failed then return {0, v, e, 0, failed} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local left = redis.call('PTTL', KEYS[1])
  if left >= 0 and left < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return {1, v, e, 0, ''}
end
local left = redis.call('PTTL', KEYS[2])
if left < 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  left = tonumber(ARGV[2])
end
return {0, v, e, left, ''}`

/**
 * Stores a token if the entry's version is still the one seen when the lock was taken (the fence: a holder that lost
 * its lock, and whose successor stored a newer token, is refused), with a TTL; releases the lock if still the
 * owner's, refused or not (the waiters are told either way); announces the new version. Answers the new version, or
 * 0 when refused.
 */
const writeScript = `${versionOf}${nowOf}
local v = 0
if redis.call('TYPE', KEYS[1]).ok == 'hash' then v = version(redis.call('HGET', KEYS[1], 'v')) end
if v ~= tonumber(ARGV[1]) then
  if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4] then
    redis.call('DEL', KEYS[2])
    redis.call('PUBLISH', ARGV[5], 'released')
  end
  return 0
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('HSET', KEYS[1], 'v', v + 1, 'e', ARGV[2], 't', now())
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[5], tostring(v + 1) .. ' ' .. ARGV[2])
return v + 1`

/**
 * Shares a token obtained outside a renewal (a login): stored whatever the version, at a new one (a renewal in
 * progress elsewhere is then refused), the back-off ended. A login made earlier (`ARGV[4]`, its time in milliseconds:
 * one kept while Redis did not answer) is refused over an entry written since (a logout, a newer login, a renewal):
 * answers 0 then, else the new version.
 */
const putScript = `${versionOf}${nowOf}
local v = 0
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  local entry = redis.call('HMGET', KEYS[1], 'v', 't')
  v = version(entry[1])
  if ARGV[4] ~= '' and (tonumber(entry[2]) or 0) > tonumber(ARGV[4]) then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'v', v + 1, 'e', ARGV[1], 't', now())
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], tostring(v + 1) .. ' ' .. ARGV[1])
return v + 1`

/**
 * Removes the token (a logout): the entry becomes a tombstone at a new version, kept for `ARGV[1]` milliseconds, so
 * that a renewal in progress elsewhere does not store its token back. Answers the envelope removed ('' when none).
 */
const removeScript = `${versionOf}${nowOf}
local v, e = 0, ''
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  local entry = redis.call('HMGET', KEYS[1], 'v', 'e')
  v, e = version(entry[1]), entry[2] or ''
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'v', v + 1, 'e', '-', 't', now())
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], tostring(v + 1) .. ' -')
return e`

/**
 * Invalidation: replaces the envelope of the entry (version and TTL kept) if it is still the one read, at the same
 * version, and no lock is held (a holder is already replacing the token: its write, fenced on the version, must not
 * be refused because of this one). Answers 1 if replaced, else 0.
 */
const invalidateScript = `${versionOf}
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
local entry = redis.call('HMGET', KEYS[1], 'v', 'e')
if version(entry[1]) ~= tonumber(ARGV[1]) or entry[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'e', ARGV[3])
return 1`

/** Releases the lock if it is still the owner's (compare and delete), and tells the waiters to look again. */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
return 0`

/**
 * Extends the lock while its owner renews (and keeps the entry for as long); a lock that expired while the owner
 * stalled, and that nobody took since, is taken back. Answers 0 when another process holds it: the owner lost it.
 */
const extendScript = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  return 0
end
local left = redis.call('PTTL', KEYS[2])
if left >= 0 and left < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`

/**
 * A failed renewal: if the lock is still the owner's, it is released, and the failure (`ARGV[4]`) is left for
 * `ARGV[3]` milliseconds, during which the other processes fail at once instead of each trying in turn.
 */
const failScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
  redis.call('PUBLISH', ARGV[2], 'failed')
  return 1
end
return 0`

interface Script {
  readonly name: string
  readonly keys: number
  readonly lua: string
}

const scripts = {
  read: { name: "oauth2TokenRead", keys: 1, lua: readScript },
  acquire: { name: "oauth2TokenAcquire", keys: 3, lua: acquireScript },
  write: { name: "oauth2TokenWrite", keys: 3, lua: writeScript },
  put: { name: "oauth2TokenPut", keys: 2, lua: putScript },
  remove: { name: "oauth2TokenRemove", keys: 2, lua: removeScript },
  invalidate: { name: "oauth2TokenInvalidate", keys: 2, lua: invalidateScript },
  release: { name: "oauth2TokenRelease", keys: 1, lua: releaseScript },
  extend: { name: "oauth2TokenExtend", keys: 2, lua: extendScript },
  fail: { name: "oauth2TokenFail", keys: 2, lua: failScript }
} satisfies Record<string, Script>

/** The envelope of a removed token (a tombstone). */
const removedMark = "-"

/** @internal */
export const defaultPrefix = "oauth2:token:"
/** @internal */
export const defaultLockTtl = Duration.seconds(10)
/** @internal */
export const defaultWait = Duration.seconds(1)
/** @internal */
export const defaultRefreshTokenRetention = Duration.days(30)
/** @internal */
export const defaultFailureBackoff = Duration.seconds(1)

const describe = (error: unknown): Record<string, unknown> => {
  if (typeof error !== "object" || error === null) return { error: String(error) }
  const name =
    "_tag" in error && typeof error._tag === "string" ? error._tag : "name" in error && typeof error.name === "string" ? error.name : "unknown"
  const message = "message" in error && typeof error.message === "string" ? error.message.slice(0, 256) : undefined
  return { error: name, ...(message === undefined ? {} : { detail: message }) }
}

/** A finite duration in milliseconds, or a `ConfigError` naming the option (Redis takes no infinite TTL). */
const millisOf = (name: string, input: Duration.DurationInput): Effect.Effect<number, ConfigError.ConfigError> =>
  Effect.suspend(() => {
    const decoded = Option.getOrUndefined(Duration.decodeUnknown(input))
    const millis = decoded === undefined ? Number.NaN : Duration.toMillis(decoded)
    return Number.isFinite(millis) && millis > 0
      ? Effect.succeed(millis)
      : Effect.fail(ConfigError.InvalidData([name], `${name} must be a finite duration above zero`))
  })

const randomOwner = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex")

interface Entry {
  readonly version: number
  readonly envelope: string
}

/** @internal */
export const coordinator = (
  options: SharedTokenSource.CoordinatorOptions
): Effect.Effect<TokenSource.Coordinator, ConfigError.ConfigError, Redis.Redis | Scope.Scope> =>
  Effect.gen(function* () {
    const redis = yield* redisTag
    const keys = yield* keyring.make(options.keys)
    if (typeof options.key !== "string" || options.key === "")
      return yield* Effect.fail(ConfigError.InvalidData(["key"], "the key must not be empty"))
    const prefix = options.prefix ?? defaultPrefix
    const entryKey = `${prefix}{${options.key}}`
    const lockKey = `${entryKey}:lock`
    const failedKey = `${entryKey}:failed`
    const channel = `${entryKey}:renewed`
    const lockTtl = Math.max(1, Math.round(yield* millisOf("lockTtl", options.lockTtl ?? defaultLockTtl)))
    const waitMillis = Math.max(1, Math.round(yield* millisOf("wait", options.wait ?? defaultWait)))
    const retention = yield* millisOf("refreshTokenRetention", options.refreshTokenRetention ?? defaultRefreshTokenRetention)
    const backoff = Math.max(1, Math.round(yield* millisOf("failureBackoff", options.failureBackoff ?? defaultFailureBackoff)))
    /** What logs and spans name the key: the key itself may be a secret (a session id). */
    const logKey = options.logKey ?? `#${digest(options.key)}`
    // the scripts as commands of the client: sent by SHA (EVALSHA), the source only when Redis does not know it
    const client = redis.client as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>> & {
      defineCommand: (name: string, definition: { readonly numberOfKeys: number; readonly lua: string }) => void
    }
    for (const script of Object.values(scripts)) {
      if (typeof client[script.name] !== "function") client.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua })
    }

    /** Redis answers; a failure is logged once (until Redis answers again), never raised. */
    let available = true
    const call = (script: Script, keys: ReadonlyArray<string>, args: ReadonlyArray<string | number>): Effect.Effect<Option.Option<unknown>> =>
      Effect.tryPromise({ try: () => client[script.name]!(...keys, ...args), catch: (e) => e }).pipe(
        // bounded whatever the client's options (a client that queues commands while disconnected would wait forever)
        Effect.timeoutFail({ duration: Duration.millis(lockTtl), onTimeout: () => new Error(`Redis did not answer within ${lockTtl} ms`) }),
        Effect.matchEffect({
          onSuccess: (answer) =>
            available
              ? Effect.succeed(Option.some(answer))
              : Effect.as(
                  Effect.zipRight(
                    Effect.sync(() => (available = true)),
                    Effect.logInfo("shared token source: Redis answers again; sharing the token again", { key: logKey })
                  ),
                  Option.some(answer)
                ),
          onFailure: (error) =>
            !available
              ? Effect.succeedNone
              : Effect.as(
                  Effect.zipRight(
                    Effect.sync(() => (available = false)),
                    Effect.logWarning("shared token source: Redis is unavailable; serving the local cache and renewing locally until it answers", {
                      key: logKey,
                      ...describe(error)
                    })
                  ),
                  Option.none()
                )
        })
      )

    /**
     * The next announcement on the channel (a token stored, a lock released, a failure, a removal), and the latest
     * token stored as announced (`<version> <envelope>`): a waiter woken by it has the token without reading it.
     */
    let announced = Deferred.unsafeMake<void>(FiberId.none)
    let heard: Entry | undefined = undefined
    /** How many tokens were announced: a waiter takes `heard` only if it was announced while it waited. */
    let heardCount = 0
    /** The envelope of the token last taken from the entry or stored in it: the token in hand, if it is shared. */
    let seen: string | undefined = undefined
    /** The sources told when the token is removed (a logout elsewhere): they drop the token they hold. */
    const removalListeners = new Set<() => void>()
    const tellRemoved = () => {
      seen = undefined
      for (const listener of removalListeners) listener()
    }
    yield* redis.subscribe(channel, (message) => {
      const match = /^(\d{1,15}) (\S+)$/.exec(message)
      if (match !== null) {
        heard = { version: Number(match[1]), envelope: match[2]! }
        heardCount++
        if (match[2] === removedMark) tellRemoved()
      }
      const previous = announced
      announced = Deferred.unsafeMake<void>(FiberId.none)
      Deferred.unsafeDone(previous, Exit.void)
    })

    const entryOf = (answer: unknown): Entry | undefined => {
      if (!Array.isArray(answer)) return undefined
      const version = Number(answer[0])
      const envelope = answer[1]
      return Number.isSafeInteger(version) && typeof envelope === "string" ? { version, envelope } : undefined
    }

    /** The token of an entry; a corrupt or undecryptable one is logged and reads as absent (it will be replaced). */
    const open = (entry: Entry): Effect.Effect<BearerToken.BearerToken | undefined> =>
      entry.envelope === "" || entry.envelope === removedMark
        ? Effect.succeed(undefined)
        : Effect.flatMap(keys.decrypt(entry.envelope, entryKey), (plain) => {
            const token = Option.isSome(plain) ? BearerToken.deserialize(plain.value) : undefined
            return token !== undefined && Either.isRight(token)
              ? Effect.succeed(token.right)
              : Effect.as(
                  Effect.logWarning("shared token source: ignoring a stored entry that does not decrypt to a token (it will be replaced)", {
                    key: logKey
                  }),
                  undefined
                )
          })

    /** The entry's TTL: the access token's expiry, or the refresh token's retention beyond it (at least a second). */
    const ttlOf = (token: BearerToken.BearerToken, now: number): number => {
      if (token.expiresAt === undefined) return Math.max(1_000, Math.round(retention))
      const left = DateTime.toEpochMillis(token.expiresAt) - now + (token.refreshToken === undefined ? 0 : retention)
      return Math.max(1_000, Math.round(left))
    }

    /**
     * Keeps the lock while the renewal runs, every third of its TTL: it expires only if this process dies or stalls.
     * Ends when another process holds it (this one stalled for longer than the TTL): the renewal goes on, and its
     * write is fenced.
     */
    const keepAlive = (owner: string): Effect.Effect<void> =>
      Effect.gen(function* () {
        while (true) {
          yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(lockTtl / 3))))
          const extended = yield* call(scripts.extend, [lockKey, entryKey], [owner, lockTtl])
          if (Option.isSome(extended) && Number(extended.value) === 0) {
            return yield* Effect.logWarning(
              "shared token source: this renewal lost its lock to another process (it stalled for longer than the lock's TTL); its token is stored only if no newer one was",
              { key: logKey }
            )
          }
        }
      })

    const release = (owner: string) => Effect.asVoid(call(scripts.release, [lockKey], [owner, channel]))

    /** The token's envelope (or why it could not be made). */
    const seal = (token: BearerToken.BearerToken) =>
      Effect.either(
        Effect.flatMap(
          Effect.try(() => BearerToken.serialize(token)),
          (text) => keys.encrypt(text, entryKey)
        )
      )

    /** Stores a token over the entry of version `expected`: the new entry, version 0 if refused, none if Redis failed. */
    const write = (expected: number, token: BearerToken.BearerToken, owner: string, ttl?: number): Effect.Effect<Option.Option<Entry>> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const sealed = yield* seal(token)
        if (Either.isLeft(sealed)) {
          yield* Effect.logWarning("shared token source: could not seal the token; it is not shared", { key: logKey, ...describe(sealed.left) })
          if (owner !== "") yield* release(owner)
          return Option.none()
        }
        const answer = yield* call(scripts.write, [entryKey, lockKey, failedKey], [expected, sealed.right, ttl ?? ttlOf(token, now), owner, channel])
        return Option.map(answer, (version): Entry => ({ version: Number(version), envelope: sealed.right }))
      })

    /** What a failed renewal leaves for the others: its error's tag and OAuth error code (never a message or a token). */
    const failureOf = (cause: Cause.Cause<unknown>): string => {
      const error = Option.getOrUndefined(Cause.failureOption(cause))
      const tag = typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string" ? error._tag : "Defect"
      const code = typeof error === "object" && error !== null && "error" in error && typeof error.error === "string" ? error.error : undefined
      return JSON.stringify({ error: tag.slice(0, 64), ...(code === undefined ? {} : { code: code.slice(0, 64) }) })
    }

    /** The failure left by another process, as the `cause` of `BackingOff`. */
    const parseFailure = (text: string): { readonly error: string; readonly code?: string } => {
      const parsed: unknown = Either.getOrUndefined(Either.try(() => JSON.parse(text)))
      if (typeof parsed !== "object" || parsed === null || !("error" in parsed) || typeof parsed.error !== "string") return { error: "unknown" }
      return "code" in parsed && typeof parsed.code === "string" ? { error: parsed.error, code: parsed.code } : { error: parsed.error }
    }

    /**
     * A failed renewal releases the lock. When the server refused the refresh token (and the grant could not stand
     * in), the entry is first rewritten without it, under the fence, so that no process sends it again (as a source
     * alone forgets it); kept as long as a refresh token would be: the next renewal uses the grant, or fails at once.
     * Any other failure of a request is left for the back-off: the other processes fail at once for a while, instead
     * of each sending the failing request in turn. A renewal with nothing to renew with only releases the lock.
     * Answers whether the entry moved on meanwhile (the rewrite was refused: a newer token is stored).
     */
    const failed = (cause: Cause.Cause<unknown>, from: BearerToken.BearerToken | undefined, entry: Entry, owner: string) =>
      Effect.gen(function* () {
        const error = Option.getOrUndefined(Cause.failureOption(cause))
        // nothing to renew with (`NoGrant`, `NotRenewable`): no request was made, each process finds the same at once
        if (TokenSource.isTokenUnavailable(error) && error.reason !== "RefreshRefused") return yield* Effect.as(release(owner), false)
        if (from?.refreshToken === undefined || !isRefused(error)) {
          return yield* Effect.as(call(scripts.fail, [lockKey, failedKey], [owner, channel, backoff, failureOf(cause)]), false)
        }
        const { refreshToken: _, ...rest } = from
        const written = yield* write(entry.version, BearerToken.make(rest), owner, Math.max(1_000, Math.round(retention)))
        if (Option.isNone(written)) yield* release(owner)
        return Option.isSome(written) && written.value.version === 0
      })

    /**
     * The last token this process obtained on its own (Redis not answering, or not storing it), and the refresh
     * tokens it spent doing so: a shared token still carrying one of those is older than it (the server retired its
     * refresh token by rotation), and is passed over for it.
     */
    let alone: BearerToken.BearerToken | undefined = undefined
    const spentAlone = new Set<string>()
    /** A login put while Redis did not answer, and when: put again when it does (unless superseded meanwhile). */
    let pendingPut: { readonly token: BearerToken.BearerToken; readonly at: number } | undefined = undefined

    /** A token obtained without storing it: kept as this process' own, with the refresh token it spent. */
    const keptAlone = (token: BearerToken.BearerToken, from: BearerToken.BearerToken | undefined) =>
      Effect.sync(() => {
        const spent = refreshOf(from)
        if (spent !== undefined && spent !== refreshOf(token)) {
          spentAlone.add(spent)
          // the oldest go first: an entry can only carry one of the last few
          if (spentAlone.size > 32) spentAlone.delete(spentAlone.values().next().value!)
        }
        alone = token
        seen = undefined
        // a login still to be put: it is this token now (its refresh token the one to share)
        if (pendingPut !== undefined) pendingPut = { ...pendingPut, token }
        return token
      })

    /** A renewal made locally, Redis not answering. */
    const renewAlone = <E>(renewal: TokenSource.Renewal<E>): Effect.Effect<BearerToken.BearerToken, E> =>
      Effect.flatMap(renewal.renew(renewal.current), (token) => keptAlone(token, renewal.current))

    /** Whether the shared token is older than the one obtained alone: its refresh token was spent alone, or it has none. */
    const olderThanAlone = (stored: BearerToken.BearerToken | undefined): boolean =>
      alone?.refreshToken !== undefined &&
      (stored === undefined || stored.refreshToken === undefined || spentAlone.has(Redacted.value(stored.refreshToken)))

    /** A token taken from the shared entry (or stored in it): the fleet's, newer than any obtained alone. */
    const shared = (token: BearerToken.BearerToken, envelope: string) =>
      Effect.sync(() => {
        alone = undefined
        pendingPut = undefined
        spentAlone.clear()
        seen = envelope
        return token
      })

    /** The token in the entry now, when it may be answered instead of the one in hand. */
    const latestAccepted = <E>(renewal: TokenSource.Renewal<E>) =>
      Effect.gen(function* () {
        const latest = yield* call(scripts.read, [entryKey], [])
        const newer = Option.isSome(latest) ? entryOf(latest.value) : undefined
        if (newer === undefined) return { removed: false, token: undefined }
        if (newer.envelope === removedMark) return { removed: true, token: undefined }
        const token = yield* open(newer)
        const accepted = token !== undefined && renewal.accept(token, yield* Clock.currentTimeMillis)
        return { removed: false, token: accepted ? yield* shared(token, newer.envelope) : undefined }
      })

    /**
     * The holder of the lock renews from the freshest token known, and stores the result under the fence. Only the
     * request can be interrupted: a token obtained is always stored (or kept), its refresh token being the only one
     * left once the server rotated it.
     */
    const hold = <E>(renewal: TokenSource.Renewal<E>, owner: string, entry: Entry, stored: BearerToken.BearerToken | undefined) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const local = renewal.current
          // the shared token carries the refresh token to use (rotated by whoever renewed last), or none when the
          // server refused it: a refresh token held locally is then not sent again. But a token this process renewed
          // on its own carries a newer one than an entry still holding the refresh token it spent
          const from = alone !== undefined && local !== undefined && sameToken(local, alone) && olderThanAlone(stored) ? local : (stored ?? local)
          const exit = yield* Effect.exit(restore(Effect.scoped(Effect.zipRight(Effect.forkScoped(keepAlive(owner)), renewal.renew(from)))))
          if (Exit.isFailure(exit)) {
            if (Cause.isInterruptedOnly(exit.cause)) {
              yield* release(owner)
              return yield* exit
            }
            // a refresh token refused because another process, whose lock this one lost, rotated it: its token stands
            if (yield* failed(exit.cause, from, entry, owner)) {
              const latest = yield* latestAccepted(renewal)
              if (latest.token !== undefined) return latest.token
            }
            return yield* exit
          }
          const token = exit.value
          const written = yield* write(entry.version, token, owner)
          // not stored (Redis failed): kept as this process' own, so that its rotated refresh token is not lost
          if (Option.isNone(written)) return yield* keptAlone(token, from)
          if (written.value.version !== 0) return yield* shared(token, written.value.envelope)
          // the lock expired meanwhile and a newer token was stored: that one is the fleet's
          yield* Effect.logWarning("shared token source: a newer token was stored while this renewal ran (the lock expired); keeping it", {
            key: logKey
          })
          const latest = yield* latestAccepted(renewal)
          if (latest.removed) {
            // removed meanwhile (a logout): the token obtained is revoked, not served
            yield* Effect.logWarning("shared token source: the token was removed (a logout) while this renewal ran; the token obtained is revoked", {
              key: logKey
            })
            yield* restore(renewal.revoke(token))
            yield* removedHere
            return yield* Effect.fail(renewal.unavailable("NoGrant"))
          }
          return latest.token ?? token
        })
      )

    /** The token was found removed: the sources drop theirs (not served until it expires). */
    const removedHere = Effect.sync(tellRemoved)

    /** The entry's token, when it may be answered instead of renewing. */
    const usable = <E>(renewal: TokenSource.Renewal<E>, entry: Entry) =>
      Effect.gen(function* () {
        const token = yield* open(entry)
        return token !== undefined && !olderThanAlone(token) && renewal.accept(token, yield* Clock.currentTimeMillis) ? token : undefined
      })

    /**
     * A login put while Redis did not answer is put now, if Redis answers (else it stays pending). Superseded (the
     * entry was written since: a logout, a newer login), it is revoked and forgotten: the entry stands.
     */
    const putPending = <E>(renewal: TokenSource.Renewal<E>): Effect.Effect<void> =>
      Effect.suspend(() => {
        const pending = pendingPut
        if (pending === undefined) return Effect.void
        return Effect.flatMap(putNow(pending.token, pending.at), (outcome) => {
          if (outcome !== "superseded") return Effect.void
          pendingPut = undefined
          alone = undefined
          spentAlone.clear()
          return Effect.zipRight(
            Effect.logWarning(
              "shared token source: a login kept while Redis did not answer was superseded (a logout or a newer login); it is revoked",
              {
                key: logKey
              }
            ),
            renewal.revoke(pending.token)
          )
        })
      })

    const renew = <E>(renewal: TokenSource.Renewal<E>): Effect.Effect<BearerToken.BearerToken, E> =>
      Effect.suspend(() => {
        const owner = randomOwner()
        return renewAs(renewal, owner).pipe(
          // interrupted: the lock, if this renewal took it, is released at once (compare and delete: never another's)
          Effect.onInterrupt(() => release(owner))
        )
      }).pipe(Effect.withSpan("oauth2.redis.shared_renewal", { attributes: { "oauth2.redis.key": logKey } }))

    const renewAs = <E>(renewal: TokenSource.Renewal<E>, owner: string): Effect.Effect<BearerToken.BearerToken, E> =>
      Effect.gen(function* () {
        yield* putPending(renewal)
        // the envelope of the token in hand when it is the shared one: the lock is tried at the first look then
        let known = alone === undefined ? (seen ?? "") : ""
        let announcement: Entry | undefined = undefined
        while (true) {
          const next = announced
          const heardBefore = heardCount
          // a token announced while this process waited is read from the announcement, not from Redis
          if (announcement !== undefined && announcement.envelope !== known && announcement.envelope !== removedMark) {
            const token = yield* usable(renewal, announcement)
            if (token !== undefined) return yield* shared(token, announcement.envelope)
          }
          const acquired = yield* call(scripts.acquire, [entryKey, lockKey, failedKey], [owner, lockTtl, known])
          if (Option.isNone(acquired) || !Array.isArray(acquired.value)) return yield* renewAlone(renewal)
          const [status, version, envelope, pttl, failure] = acquired.value as [unknown, unknown, unknown, unknown, unknown]
          const entry: Entry = { version: Number(version), envelope: String(envelope) }
          if (entry.envelope === removedMark) {
            if (status === 1) yield* release(owner)
            yield* removedHere
            return yield* Effect.fail(renewal.unavailable("NoGrant"))
          }
          let stored: BearerToken.BearerToken | undefined = undefined
          if (entry.envelope !== known) {
            stored = yield* open(entry)
            if (stored !== undefined && !olderThanAlone(stored) && renewal.accept(stored, yield* Clock.currentTimeMillis)) {
              if (status === 1) yield* release(owner)
              return yield* shared(stored, entry.envelope)
            }
            // another token than the one in hand, and not one to take: the lock is tried at once
            if (status === 2) {
              known = entry.envelope
              continue
            }
          }
          if (status === 2) {
            // the script and this process disagree on the envelope (it cannot be sent back as it was read): not shared
            yield* Effect.logWarning("shared token source: the stored entry cannot be compared; renewing locally", { key: logKey })
            return yield* renewAlone(renewal)
          }
          // the fleet's last renewal failed moments ago: not tried again by every process in turn
          if (typeof failure === "string" && failure !== "") return yield* Effect.fail(renewal.unavailable("BackingOff", parseFailure(failure)))
          if (status === 1) return yield* hold(renewal, owner, entry, entry.envelope === known && entry.envelope !== "" ? yield* open(entry) : stored)
          // another process renews (a long renewal, such as a device flow's, keeps the lock alive while it runs): wait
          // for its announcement, or at most `wait` (or the lock's remaining time)
          const bound = Math.max(1, Math.min(waitMillis, Number(pttl) > 0 ? Number(pttl) : 1))
          yield* Effect.ignore(Effect.timeout(Deferred.await(next), Duration.millis(bound)))
          // the announcement heard since this look, if any: the token stored by the holder
          announcement = heardCount > heardBefore && heard !== undefined && heard.version > entry.version ? heard : undefined
        }
      })

    const invalidate = (token: BearerToken.BearerToken): Effect.Effect<void> =>
      Effect.gen(function* () {
        const read = yield* call(scripts.read, [entryKey], [])
        const entry = Option.isSome(read) ? entryOf(read.value) : undefined
        if (entry === undefined || entry.envelope === removedMark) return
        const stored = yield* open(entry)
        if (stored === undefined || !sameToken(stored, token)) return
        // the access token reads as expired; its refresh token is kept for the next renewal. The version stays: a
        // renewal under way (the lock held) is left to replace the token, and its fenced write is not refused
        const sealed = yield* seal(BearerToken.make({ ...stored, expiresAt: stored.issuedAt }))
        if (Either.isLeft(sealed)) {
          yield* Effect.logWarning("shared token source: could not seal the invalidated token; the shared copy is left as it is", {
            key: logKey,
            ...describe(sealed.left)
          })
          return
        }
        const replaced = yield* call(scripts.invalidate, [entryKey, lockKey], [entry.version, entry.envelope, sealed.right])
        // the token in hand, if it was the shared one, is the invalidated copy now
        if (Option.isSome(replaced) && Number(replaced.value) === 1 && seen === entry.envelope) seen = sealed.right
      })

    const current: Effect.Effect<Option.Option<BearerToken.BearerToken>> = Effect.gen(function* () {
      const read = yield* call(scripts.read, [entryKey], [])
      const entry = Option.isSome(read) ? entryOf(read.value) : undefined
      if (entry === undefined || entry.envelope === removedMark) return Option.none()
      return Option.fromNullable(yield* open(entry))
    })

    /**
     * Stores a token in place of the shared one (a login made at `at`, if given, only over an entry not written since):
     * `stored`, `superseded`, or `unavailable` (Redis did not answer, or the token could not be sealed).
     */
    const putNow = (token: BearerToken.BearerToken, at?: number): Effect.Effect<"stored" | "superseded" | "unavailable"> =>
      Effect.gen(function* () {
        const sealed = yield* seal(token)
        if (Either.isLeft(sealed)) {
          yield* Effect.logWarning("shared token source: could not seal the token; it is not shared", { key: logKey, ...describe(sealed.left) })
          return "unavailable"
        }
        const written = yield* call(
          scripts.put,
          [entryKey, failedKey],
          [sealed.right, ttlOf(token, yield* Clock.currentTimeMillis), channel, at === undefined ? "" : Math.floor(at)]
        )
        if (Option.isNone(written)) return "unavailable"
        if (Number(written.value) === 0) return "superseded"
        yield* shared(token, sealed.right)
        return "stored"
      })

    const put = (token: BearerToken.BearerToken): Effect.Effect<void> =>
      Effect.flatMap(putNow(token), (outcome) =>
        outcome !== "unavailable"
          ? Effect.void
          : // not shared (Redis did not answer): the token is this process' own, and put again when Redis answers
            Effect.flatMap(Clock.currentTimeMillis, (at) =>
              Effect.zipRight(
                keptAlone(token, undefined),
                Effect.sync(() => (pendingPut = { token, at }))
              )
            )
      ).pipe(Effect.withSpan("oauth2.redis.shared_put", { attributes: { "oauth2.redis.key": logKey } }))

    const remove: Effect.Effect<Option.Option<BearerToken.BearerToken>> = Effect.gen(function* () {
      alone = undefined
      spentAlone.clear()
      pendingPut = undefined
      seen = undefined
      const removed = yield* call(scripts.remove, [entryKey, failedKey], [Math.max(1_000, Math.round(retention)), channel])
      if (Option.isNone(removed) || typeof removed.value !== "string" || removed.value === "" || removed.value === removedMark) return Option.none()
      return Option.fromNullable(yield* open({ version: 0, envelope: removed.value }))
    }).pipe(Effect.withSpan("oauth2.redis.shared_remove", { attributes: { "oauth2.redis.key": logKey } }))

    const onRemoved = (listener: () => void): Effect.Effect<void> => Effect.sync(() => void removalListeners.add(listener))

    return { renew, invalidate, current, put, remove, onRemoved } satisfies TokenSource.Coordinator
  })

/** The server refused the refresh token (and the grant could not stand in). */
const isRefused = (error: unknown): boolean => TokenSource.isTokenUnavailable(error) && error.reason === "RefreshRefused"

const refreshOf = (token: BearerToken.BearerToken | undefined): string | undefined =>
  token?.refreshToken === undefined ? undefined : Redacted.value(token.refreshToken)

/** A short digest of a key, for the logs (FNV-1a, 32 bits, in hex). */
const digest = (key: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0).toString(16).padStart(8, "0")
}

const sameToken = (a: BearerToken.BearerToken, b: BearerToken.BearerToken): boolean =>
  a === b || Redacted.value(a.accessToken) === Redacted.value(b.accessToken)

/** @internal */
export const make = <E = never>(options: SharedTokenSource.Options<E>) =>
  Effect.flatMap(coordinator(options), (coordinator) => TokenSource.make<E>({ ...options, coordinator }))

/** @internal */
export const layer = (options: SharedTokenSource.Options<never>) => Layer.scoped(TokenSource.TokenSource, make(options))

/** @internal */
export const keysConfig = (name = "OAUTH2_REDIS_KEYS") => keyring.keysConfig(name)

/** @internal */
export const layerConfig = (options: SharedTokenSource.ConfigOptions) =>
  Layer.unwrapEffect(
    Effect.map(Config.all([options.config ?? TokenSource.config, options.keys ?? keysConfig()]), ([source, keys]) =>
      layer({ ...source, ...options, keys })
    )
  )
