/**
 * Polling the token endpoint while a user answers elsewhere (device authorization, CIBA), as a `Schedule`.
 *
 * The rules of RFC 8628 section 3.5 (and CIBA section 7.3): wait the server's `interval` (5 seconds when it sent none)
 * before each poll; keep going on `authorization_pending`; on `slow_down` add 5 seconds to the interval, for that
 * poll and every later one; stop at once on any other answer (`access_denied`, `expired_token`, ...); give up when no
 * poll can be made before the authorization expires. Every wait is an `Effect.sleep`, so `TestClock` drives it, and
 * interrupting the fiber stops the polling.
 *
 * {@link schedule} is the default schedule; pass your own to {@link poll} to add jitter or a cap. {@link poll} is the
 * loop itself, used by `Grants.deviceFlow` and `Grants.cibaFlow`.
 *
 * @since 0.1.0
 */
import type { OAuthError } from "@oauth2/core"
import type * as Cause from "effect/Cause"
import type * as DateTime from "effect/DateTime"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import * as errors from "./internal/errors.js"
import * as internal from "./internal/polling.js"

/**
 * The answers that mean "not yet": `authorization_pending` and `slow_down`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export type Waiting = OAuthError.OAuthErrorOf<"authorization_pending"> | OAuthError.OAuthErrorOf<"slow_down">

/**
 * The input of the first step of a polling schedule, before any poll was made.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export interface Started {
  readonly _tag: "Started"
}

/**
 * What a polling schedule is stepped with: {@link Started} before the first poll, then each "not yet" answer. The
 * delay the schedule answers is the wait before the next poll.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export type Input = Started | Waiting

/**
 * The value stepped into a polling schedule before the first poll.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category constructors
 */
export const started: Started = internal.started

/**
 * Options of {@link schedule}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export interface ScheduleOptions {
  /** The interval the server asked for; 5 seconds by default (RFC 8628 section 3.2). */
  readonly interval?: Duration.DurationInput
  /** What each `slow_down` adds to the interval; 5 seconds by default (RFC 8628 section 3.5). */
  readonly slowDownIncrement?: Duration.DurationInput
}

/**
 * The polling schedule: waits `interval`, adds `slowDownIncrement` to it on every `slow_down` (for that wait and all
 * later ones), and keeps going on {@link Started}, `AuthorizationPending` and `SlowDown`; any other input ends it.
 * Its output is the interval in force. It never ends by itself: {@link poll} stops at the expiry, and
 * {@link deadline} does the same for a schedule used with `Effect.retry`.
 *
 * Compose it to change the waits: `Schedule.jitteredWith(Polling.schedule(), { min: 1, max: 1.2 })` adds up to 20 %
 * (a jitter below 1 would poll faster than the server allows), `Schedule.modifyDelay` caps the interval,
 * `Schedule.intersect(Schedule.recurs(20))` limits the number of polls.
 *
 * @example
 * ```ts
 * import { Polling } from "@oauth2/flows"
 * import { Duration, Schedule } from "effect"
 *
 * // the server's interval, a jitter of up to 20 % that never polls early, and never more than 30 s between polls
 * const polite = (interval: Duration.Duration) =>
 *   Polling.schedule({ interval }).pipe(
 *     Schedule.jitteredWith({ min: 1, max: 1.2 }),
 *     Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(30)))
 *   )
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @see https://openid.net/specs/openid-client-initiated-backchannel-authentication-core-1_0.html#rfc.section.7.3
 * @since 0.1.0
 * @category constructors
 */
export const schedule: (options?: ScheduleOptions) => Schedule.Schedule<Duration.Duration, unknown> = internal.schedule

/**
 * Ends a schedule when its next recurrence would start at or after `expiresAt` (a `DateTime` or epoch
 * milliseconds): nothing is attempted once an authorization has expired. Use it with `Effect.retry` when you poll by
 * hand; {@link poll} applies the same rule and fails with {@link PollingExpired}.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Polling } from "@oauth2/flows"
 * import { OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* OAuthClient.OAuthClient
 *   const authorization = yield* client.deviceAuthorization({ scope: "openid" })
 *   // polls at once, then as the schedule says, until the device code expires
 *   return yield* client.token(TokenRequest.deviceCode({ deviceCode: authorization.deviceCode })).pipe(
 *     Effect.retry(Polling.schedule({ interval: authorization.interval }).pipe(Polling.deadline(authorization.expiresAt)))
 *   )
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category combinators
 */
export const deadline: {
  (expiresAt: DateTime.DateTime | number): <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, expiresAt: DateTime.DateTime | number): Schedule.Schedule<Out, In, R>
} = internal.deadline

/**
 * The schedule option of {@link poll} and of the flows: a schedule, or a function of the server's interval that
 * builds one.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category models
 */
export type ScheduleOption = Schedule.Schedule<unknown, Input> | ((interval: Duration.Duration) => Schedule.Schedule<unknown, Input>)

/**
 * Options of {@link poll}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @since 0.1.0
 * @category models
 */
export interface PollOptions {
  /** When the authorization (device code, `auth_req_id`) expires: no poll is made at or after it. */
  readonly expiresAt: DateTime.Utc
  /** The server's interval; 5 seconds by default. Used by the default schedule. */
  readonly interval?: Duration.DurationInput
  /** The waits; {@link schedule} with `interval` by default. */
  readonly schedule?: ScheduleOption
  /**
   * Completes when the server says the answer is ready (a CIBA ping notification): the current wait is cut short and
   * the next poll is made at once.
   */
  readonly wakeUp?: Effect.Effect<void>
}

/**
 * The type id of the polling errors ({@link PollingExpired}, {@link PollingStopped}).
 *
 * @since 0.1.0
 * @category type ids
 */
export const PollingErrorTypeId: unique symbol = Symbol.for("@oauth2/flows/Polling/PollingError")

/**
 * The type of {@link PollingErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type PollingErrorTypeId = typeof PollingErrorTypeId

/**
 * Polling gave up: the authorization expires before the next poll could be made. Start again.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export interface PollingExpired extends Cause.YieldableError {
  readonly [PollingErrorTypeId]: PollingErrorTypeId
  readonly _tag: "PollingExpired"
  /** When the authorization expired (or expires). */
  readonly expiresAt: DateTime.Utc
  /** How many polls were made. */
  readonly polls: number
  readonly message: string
}

/**
 * Polling gave up because the schedule ended (a user-supplied limit), before the user answered and before the
 * authorization expired.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export interface PollingStopped extends Cause.YieldableError {
  readonly [PollingErrorTypeId]: PollingErrorTypeId
  readonly _tag: "PollingStopped"
  readonly polls: number
  /** The last answer of the server, when a poll was made. */
  readonly last?: Waiting
  readonly message: string
}

/**
 * Why polling gave up.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category errors
 */
export type PollingError = PollingExpired | PollingStopped

/**
 * Whether a value is a {@link PollingError}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category guards
 */
export const isPollingError: (u: unknown) => u is PollingError = errors.isPollingError

/**
 * Polls: runs `self` (a token request) after each wait of the schedule, until it succeeds. `AuthorizationPending`
 * and `SlowDown` failures are fed to the schedule; any other failure stops at once. When no poll can be made
 * before `expiresAt`, fails with {@link PollingExpired} without waiting (with `wakeUp`, it waits for a notification
 * until the expiry); when the schedule ends, with {@link PollingStopped}. Interrupting the fiber stops it.
 *
 * @example
 * ```ts
 * import { TokenRequest } from "@oauth2/core"
 * import { Polling } from "@oauth2/flows"
 * import { OAuthClient } from "@oauth2/http"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* OAuthClient.OAuthClient
 *   const authorization = yield* client.deviceAuthorization({ scope: "openid" })
 *   console.log(`go to ${authorization.verificationUri} and type ${authorization.userCode}`)
 *   return yield* client.token(TokenRequest.deviceCode({ deviceCode: authorization.deviceCode })).pipe(
 *     Polling.poll({ interval: authorization.interval, expiresAt: authorization.expiresAt })
 *   )
 * })
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category combinators
 */
export const poll: {
  (options: PollOptions): <A, E>(self: Effect.Effect<A, E>) => Effect.Effect<A, Exclude<E, Waiting> | PollingExpired | PollingStopped>
  <A, E>(self: Effect.Effect<A, E>, options: PollOptions): Effect.Effect<A, Exclude<E, Waiting> | PollingExpired | PollingStopped>
} = internal.poll

/**
 * Whether a value is an `AuthorizationPending` or `SlowDown` answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 * @since 0.1.0
 * @category guards
 */
export const isWaiting: (u: unknown) => u is Waiting = internal.isWaiting
