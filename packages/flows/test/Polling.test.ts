import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { Grants, Polling } from "@oauth2/flows"
import { OAuthClient } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Clock, Duration, Effect, Either, Fiber, Redacted, Schedule, TestClock } from "effect"
import * as fc from "fast-check"
import { clientLayer, endpoints, oauthError, tokenAnswer, tokenRequests } from "./support.js"

type Script = ReadonlyArray<"pending" | "slow_down" | "success" | "denied" | "expired" | "server_error">

const answerFor = (step: Script[number] | undefined): Response => {
  switch (step) {
    case undefined:
    case "pending":
      return oauthError("authorization_pending")
    case "slow_down":
      return oauthError("slow_down")
    case "success":
      return tokenAnswer({ refresh_token: "RT" })
    case "denied":
      return oauthError("access_denied")
    case "expired":
      return oauthError("expired_token")
    case "server_error":
      return oauthError("server_error", 500)
  }
}

/** A server whose device authorization answers `expires_in` (and `interval` if given), then polls follow `script`. */
const deviceServer = (script: Script, expiresIn: number, interval?: number) => {
  let polls = 0
  return FakeHttp.make((seen) => {
    if (seen.url === endpoints.deviceAuthorizationEndpoint) {
      return FakeHttp.json({
        device_code: "DC-secret",
        user_code: "WDJB-MJHT",
        verification_uri: "https://as.example.com/activate",
        expires_in: expiresIn,
        ...(interval === undefined ? {} : { interval })
      })
    }
    return answerFor(script[polls++])
  })
}

/** Runs a device flow under the test clock; answers its outcome, the times of the polls and when it ended. */
const runDevice = (script: Script, expiresIn: number, interval?: number, poll?: Grants.PollOptions) =>
  Effect.gen(function* () {
    const http = deviceServer(script, expiresIn, interval)
    const start = yield* Clock.currentTimeMillis
    const program = Effect.gen(function* () {
      const flow = yield* Grants.deviceFlow({ scope: "openid", ...(poll === undefined ? {} : { poll }) })
      const outcome = yield* Effect.either(flow.token)
      const end = yield* Clock.currentTimeMillis
      return { outcome, end: end - start }
    }).pipe(Effect.provide(clientLayer(http)))
    const fiber = yield* Effect.fork(program)
    yield* TestClock.adjust(Duration.seconds(expiresIn + 3600))
    const { outcome, end } = yield* Fiber.join(fiber)
    const polls = tokenRequests(http.seen).map((s: FakeHttp.ClientRequest) => (s.at - start) / 1000)
    return { outcome, end: end / 1000, polls, seen: http.seen }
  })

describe("Polling.poll (device flow, RFC 8628 3.5)", () => {
  it.effect("waits 5 s before each poll when the server sent no interval, until the user answers", () =>
    Effect.gen(function* () {
      const { outcome, polls, seen } = yield* runDevice(["pending", "pending", "success"], 600)
      expect(polls).toEqual([5, 10, 15])
      expect(Either.isRight(outcome)).toBe(true)
      const poll = tokenRequests(seen)[0]!
      expect(poll.form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:device_code")
      expect(poll.form.get("device_code")).toBe("DC-secret")
    })
  )

  it.effect("starts at the server's interval", () =>
    Effect.gen(function* () {
      const { polls } = yield* runDevice(["pending", "success"], 600, 3)
      expect(polls).toEqual([3, 6])
    })
  )

  it.effect("adds 5 s on every slow_down, for that poll and all later ones", () =>
    Effect.gen(function* () {
      const { polls, outcome } = yield* runDevice(["pending", "slow_down", "pending", "slow_down", "pending", "success"], 600)
      // waits: 5, 5, 10, 10, 15, 15
      expect(polls).toEqual([5, 10, 20, 30, 45, 60])
      expect(Either.isRight(outcome)).toBe(true)
    })
  )

  it.effect("stops at once on access_denied, expired_token and any other error", () =>
    Effect.gen(function* () {
      for (const [step, tag] of [
        ["denied", "AccessDenied"],
        ["expired", "ExpiredToken"],
        ["server_error", "ServerError"]
      ] as const) {
        const { outcome, polls } = yield* runDevice(["pending", step, "success"], 600)
        expect(polls).toEqual([5, 10])
        expect(Either.isLeft(outcome)).toBe(true)
        if (Either.isLeft(outcome)) expect(outcome.left._tag).toBe(tag)
      }
    })
  )

  it.effect("gives up with PollingExpired when no poll can be made before the expiry, without waiting", () =>
    Effect.gen(function* () {
      const { outcome, polls, end } = yield* runDevice([], 12)
      expect(polls).toEqual([5, 10]) // a poll at 15 s would be after the expiry at 12 s
      expect(end).toBe(10)
      expect(Either.isLeft(outcome)).toBe(true)
      if (Either.isLeft(outcome)) expect(outcome.left).toMatchObject({ _tag: "PollingExpired", polls: 2 })
    })
  )

  it.effect("never polls at the expiry instant", () =>
    Effect.gen(function* () {
      const { polls } = yield* runDevice([], 15)
      expect(polls).toEqual([5, 10])
    })
  )

  it.effect("takes a user schedule (here a fixed 1 s) and stops with PollingStopped when it ends", () =>
    Effect.gen(function* () {
      const schedule = Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(3)))
      const { polls, outcome } = yield* runDevice([], 600, undefined, { schedule })
      expect(polls).toEqual([1, 2, 3])
      expect(Either.isLeft(outcome)).toBe(true)
      if (Either.isLeft(outcome)) expect(outcome.left).toMatchObject({ _tag: "PollingStopped", polls: 3, last: { _tag: "AuthorizationPending" } })
    })
  )

  it.effect("a schedule built from the server's interval: capped and jittered upwards only", () =>
    Effect.gen(function* () {
      const capped = (interval: Duration.Duration) =>
        Polling.schedule({ interval }).pipe(Schedule.modifyDelay((d) => Duration.min(d, Duration.seconds(12))))
      const { polls } = yield* runDevice(["slow_down", "slow_down", "slow_down", "success"], 600, 4, { schedule: capped })
      // 4, then 9, 12 (capped from 14), 12 (capped from 19)
      expect(polls).toEqual([4, 13, 25, 37])
    })
  )

  it.effect("passes extra parameters to each poll", () =>
    Effect.gen(function* () {
      const { seen } = yield* runDevice(["success"], 600, undefined, { extra: { resource: "https://api.example.com" } })
      expect(tokenRequests(seen)[0]!.form.get("resource")).toBe("https://api.example.com")
    })
  )

  it.effect("interrupting the fiber stops the polling", () =>
    Effect.gen(function* () {
      const http = deviceServer([], 600)
      const fiber = yield* Effect.fork(Effect.flatMap(Grants.deviceFlow(), (flow) => flow.token).pipe(Effect.provide(clientLayer(http))))
      yield* TestClock.adjust("11 seconds")
      expect(tokenRequests(http.seen).length).toBe(2)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 minutes")
      expect(tokenRequests(http.seen).length).toBe(2)
    })
  )

  it.effect("Polling.schedule with Effect.retry and Polling.deadline: polls at once, then by the schedule, until the expiry", () =>
    Effect.gen(function* () {
      const http = deviceServer(["pending", "slow_down"], 30)
      const program = Effect.gen(function* () {
        const client = yield* OAuthClient.OAuthClient
        const authorization = yield* client.deviceAuthorization({ scope: "openid" })
        return yield* client
          .token(TokenRequest.deviceCode({ deviceCode: authorization.deviceCode }))
          .pipe(Effect.retry(Polling.schedule({ interval: authorization.interval }).pipe(Polling.deadline(authorization.expiresAt))))
      }).pipe(Effect.provide(clientLayer(http)))
      const fiber = yield* Effect.fork(Effect.either(program))
      yield* TestClock.adjust("1 hour")
      const outcome = yield* Fiber.join(fiber)
      // polls at 0, 5 (pending), 15 (slow_down: +5), 25; 35 would be after the expiry at 30
      expect(tokenRequests(http.seen).map((s) => s.at / 1000)).toEqual([0, 5, 15, 25])
      expect(Either.isLeft(outcome)).toBe(true)
      if (Either.isLeft(outcome)) expect(outcome.left._tag).toBe("AuthorizationPending")
    })
  )

  it.effect("the default schedule stops on anything but Started, AuthorizationPending and SlowDown", () =>
    Effect.gen(function* () {
      const driver = yield* Schedule.driver(Polling.schedule({ interval: "2 seconds" }))
      const fiber = yield* Effect.fork(
        Effect.gen(function* () {
          const outs: Array<number> = []
          outs.push(Duration.toSeconds(yield* driver.next(Polling.started)))
          outs.push(Duration.toSeconds(yield* driver.next({ _tag: "SlowDown" })))
          outs.push(Duration.toSeconds(yield* driver.next({ _tag: "AuthorizationPending" })))
          const stopped = yield* Effect.either(driver.next({ _tag: "AccessDenied" }))
          return { outs, stopped: Either.isLeft(stopped) }
        })
      )
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({ outs: [2, 7, 7], stopped: true })
    })
  )
})

/** The model of RFC 8628 3.5 the implementation must follow. */
const model = (script: Script, expiresIn: number, interval: number) => {
  const polls: Array<number> = []
  let t = 0
  let current = interval
  for (let k = 0; ; k++) {
    if (t + current >= expiresIn) return { polls, end: t, outcome: "PollingExpired" }
    t += current
    polls.push(t)
    const step = script[k] ?? "pending"
    if (step === "success") return { polls, end: t, outcome: "success" }
    if (step === "denied") return { polls, end: t, outcome: "AccessDenied" }
    if (step === "expired") return { polls, end: t, outcome: "ExpiredToken" }
    if (step === "server_error") return { polls, end: t, outcome: "ServerError" }
    if (step === "slow_down") current += 5
  }
}

describe("Polling property: any sequence of answers", () => {
  const step = fc.constantFrom("pending", "slow_down", "success", "denied", "expired") as fc.Arbitrary<Script[number]>
  it.effect.prop(
    "the outcome, every poll time and the total wait follow RFC 8628 3.5",
    {
      script: fc.array(
        fc.oneof({ weight: 6, arbitrary: fc.constantFrom("pending", "slow_down") as fc.Arbitrary<Script[number]> }, { weight: 1, arbitrary: step }),
        { maxLength: 20 }
      ),
      expiresIn: fc.integer({ min: 1, max: 400 }),
      interval: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined })
    },
    ({ script, expiresIn, interval }) =>
      Effect.gen(function* () {
        const expected = model(script, expiresIn, interval ?? 5)
        const { outcome, polls, end } = yield* runDevice(script, expiresIn, interval)
        expect(polls).toEqual(expected.polls)
        expect(end).toBe(expected.end) // the total wait
        expect(Either.isRight(outcome) ? "success" : outcome.left._tag).toBe(expected.outcome)
      }),
    { fastCheck: { numRuns: 60 } }
  )
})

describe("CIBA polling and the ping hook", () => {
  const cibaServer = (script: Script) => {
    let polls = 0
    return FakeHttp.make((seen) => {
      if (seen.url === endpoints.backchannelAuthenticationEndpoint) return FakeHttp.json({ auth_req_id: "ARI-secret", expires_in: 120, interval: 10 })
      return answerFor(script[polls++])
    })
  }

  it.effect("polls with the auth_req_id at the server's interval", () =>
    Effect.gen(function* () {
      const http = cibaServer(["pending", "success"])
      const fiber = yield* Effect.fork(
        Effect.flatMap(Grants.cibaFlow({ scope: "openid", loginHint: "alice" }), (flow) => flow.token).pipe(Effect.provide(clientLayer(http)))
      )
      yield* TestClock.adjust("1 minute")
      const token = yield* Fiber.join(fiber)
      expect(Redacted.value(token.accessToken)).toMatch(/^AT-/)
      const polls = tokenRequests(http.seen)
      expect(polls.map((s) => s.at / 1000)).toEqual([10, 20])
      expect(polls[0]!.form.get("grant_type")).toBe("urn:openid:params:grant-type:ciba")
      expect(polls[0]!.form.get("auth_req_id")).toBe("ARI-secret")
      expect(http.seen[0]!.form.get("login_hint")).toBe("alice")
    })
  )

  it.effect("a ping notification for this auth_req_id polls at once; another one is ignored", () =>
    Effect.gen(function* () {
      const http = cibaServer(["pending", "success"])
      const flow = yield* Grants.cibaFlow({ scope: "openid", loginHint: "alice" }).pipe(Effect.provide(clientLayer(http)))
      const poller = yield* Effect.fork(flow.token)
      yield* TestClock.adjust("10 seconds") // first poll: pending
      expect(yield* flow.notify("someone-else")).toBe(false)
      yield* TestClock.adjust("3 seconds")
      expect(tokenRequests(http.seen).length).toBe(1)
      expect(yield* flow.notify(Redacted.make("ARI-secret"))).toBe(true)
      yield* Fiber.join(poller)
      expect(tokenRequests(http.seen).map((s) => s.at / 1000)).toEqual([10, 13])
    })
  )
})
