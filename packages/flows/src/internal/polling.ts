/** @internal */
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import { dual } from "effect/Function"
import type * as Polling from "../Polling.js"
import { pollingExpired, pollingStopped } from "./errors.js"

/** @internal */
export const defaultInterval = Duration.seconds(5)

/** @internal */
export const defaultIncrement = Duration.seconds(5)

/** @internal */
export const started: Polling.Started = Data.struct({ _tag: "Started" })

const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u && typeof u._tag === "string" ? u._tag : undefined

/** @internal */
export const isWaiting = (u: unknown): u is Polling.Waiting => {
  const tag = tagOf(u)
  return tag === "AuthorizationPending" || tag === "SlowDown"
}

/** @internal */
export const isInput = (u: unknown): u is Polling.Input => isWaiting(u) || tagOf(u) === "Started"

/** @internal */
export const schedule = (options: Polling.ScheduleOptions = {}): Schedule.Schedule<Duration.Duration, unknown> => {
  const initial = Duration.toMillis(Duration.decode(options.interval ?? defaultInterval))
  const increment = Duration.toMillis(Duration.decode(options.slowDownIncrement ?? defaultIncrement))
  return Schedule.makeWithState(initial, (now, input: unknown, current: number) => {
    if (!isInput(input)) return Effect.succeed([current, Duration.millis(current), ScheduleDecision.done] as const)
    const next = tagOf(input) === "SlowDown" ? current + increment : current
    return Effect.succeed([next, Duration.millis(next), ScheduleDecision.continueWith(ScheduleInterval.after(now + next))] as const)
  })
}

const millisOf = (at: DateTime.DateTime | number): number => (typeof at === "number" ? at : DateTime.toEpochMillis(at))

/** @internal */
export const deadline = dual<
  (expiresAt: DateTime.DateTime | number) => <Out, In, R>(self: Schedule.Schedule<Out, In, R>) => Schedule.Schedule<Out, In, R>,
  <Out, In, R>(self: Schedule.Schedule<Out, In, R>, expiresAt: DateTime.DateTime | number) => Schedule.Schedule<Out, In, R>
>(2, (self, expiresAt) => {
  const end = millisOf(expiresAt)
  return Schedule.makeWithState(self.initial, (now, input, state) =>
    Effect.map(self.step(now, input, state), ([next, out, decision]) =>
      ScheduleDecision.isContinue(decision) && ScheduleIntervals.start(decision.intervals) >= end
        ? ([next, out, ScheduleDecision.done] as const)
        : ([next, out, decision] as const)
    )
  )
})

/** @internal */
export const resolveSchedule = (
  option: Polling.ScheduleOption | undefined,
  interval: Duration.Duration
): Schedule.Schedule<unknown, Polling.Input> =>
  option === undefined ? schedule({ interval }) : Schedule.isSchedule(option) ? option : option(interval)

/** @internal */
export const poll = dual<
  (
    options: Polling.PollOptions
  ) => <A, E>(self: Effect.Effect<A, E>) => Effect.Effect<A, Exclude<E, Polling.Waiting> | Polling.PollingExpired | Polling.PollingStopped>,
  <A, E>(
    self: Effect.Effect<A, E>,
    options: Polling.PollOptions
  ) => Effect.Effect<A, Exclude<E, Polling.Waiting> | Polling.PollingExpired | Polling.PollingStopped>
>(2, <A, E>(self: Effect.Effect<A, E>, options: Polling.PollOptions) => {
  const interval = Duration.decode(options.interval ?? defaultInterval)
  const sched = resolveSchedule(options.schedule, interval)
  const end = DateTime.toEpochMillis(options.expiresAt)
  const wakeUp = options.wakeUp
  type Out = Effect.Effect<A, Exclude<E, Polling.Waiting> | Polling.PollingExpired | Polling.PollingStopped>
  const program: Out = Effect.gen(function* () {
    let state: unknown = sched.initial
    let input: Polling.Input = started
    let polls = 0
    while (true) {
      const now = yield* Clock.currentTimeMillis
      const [nextState, , decision] = yield* sched.step(now, input, state)
      state = nextState
      if (ScheduleDecision.isDone(decision)) {
        return yield* Effect.fail(pollingStopped(polls, input._tag === "Started" ? undefined : input))
      }
      const at = Math.max(now, ScheduleIntervals.start(decision.intervals))
      if (at >= end) {
        // No poll can be made before the expiry: give up now, unless a notification may still come (then wait for
        // it until the expiry).
        if (wakeUp === undefined || now >= end) return yield* Effect.fail(pollingExpired(options.expiresAt, polls))
        const woken = yield* Effect.raceFirst(Effect.as(Effect.sleep(Duration.millis(end - now)), false), Effect.as(wakeUp, true))
        if (!woken) return yield* Effect.fail(pollingExpired(options.expiresAt, polls))
      } else if (at > now) {
        const wait = Effect.sleep(Duration.millis(at - now))
        yield* wakeUp === undefined ? wait : Effect.raceFirst(wait, wakeUp)
      }
      polls++
      const result = yield* Effect.either(self)
      if (Either.isRight(result)) {
        yield* Effect.annotateCurrentSpan("oauth2.polling.polls", polls)
        return result.right
      }
      const error = result.left
      if (!isWaiting(error)) return yield* Effect.fail(error as Exclude<E, Polling.Waiting>)
      if (error._tag === "SlowDown") yield* Effect.logDebug("polling: the server asked to slow down")
      input = error
    }
  })
  return program.pipe(
    Effect.withSpan("oauth2.flows.poll", {
      attributes: { "oauth2.polling.interval_ms": Duration.toMillis(interval), "oauth2.polling.expires_at": DateTime.formatIso(options.expiresAt) }
    })
  )
})
