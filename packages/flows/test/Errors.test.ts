import { assert, describe, it } from "@effect/vitest"
import { OAuthError } from "@oauth2/core"
import { ApiClient, Polling, TokenSource } from "@oauth2/flows"
import { ErrorLaws, FakeHttp } from "@oauth2/testing"
import * as Cause from "effect/Cause"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"

const secret = "SECRET-VALUE-1234"

const pending: Effect.Effect<never, OAuthError.OAuthErrorOf<"authorization_pending">> = Effect.fail(
  OAuthError.make("token", { error: "authorization_pending" }) as OAuthError.OAuthErrorOf<"authorization_pending">
)

const pollingErrors = async (): Promise<ReadonlyArray<Polling.PollingError>> => {
  const expired = await Effect.runPromise(
    Effect.flip(pending.pipe(Polling.poll({ interval: Duration.seconds(5), expiresAt: DateTime.unsafeMake(0) })))
  )
  const stopped = await Effect.runPromise(
    Effect.flip(pending.pipe(Polling.poll({ schedule: Schedule.recurs(1), expiresAt: DateTime.unsafeMake(8_000_000_000_000) })))
  )
  return [expired, stopped] as ReadonlyArray<Polling.PollingError>
}

const apiErrors = async (): Promise<ReadonlyArray<ApiClient.ApiClientError>> => {
  const http = FakeHttp.make((request) => (request.url.endsWith("/reset") ? "reset" : FakeHttp.json({ error: "not found" }, 404)))
  const made = ApiClient.makeWith(http.client, { baseUrl: "https://api.example.com" })
  if (Either.isLeft(made)) return assert.fail("expected a client")
  const api = made.right
  const invalidPath = await Effect.runPromise(Effect.flip(api.get("../admin")))
  const unexpectedStatus = await Effect.runPromise(Effect.flip(api.get("users/1")))
  const apiError = await Effect.runPromise(Effect.flip(api.get("reset")))
  const invalidBaseUrl = Either.flip(ApiClient.makeWith(http.client, { baseUrl: "ftp://api.example.com" }))
  if (Either.isLeft(invalidBaseUrl)) return assert.fail("expected InvalidBaseUrl")
  return [invalidPath, unexpectedStatus, apiError, invalidBaseUrl.right] as ReadonlyArray<ApiClient.ApiClientError>
}

describe("flows errors are Effect errors", () => {
  it("TokenUnavailable, every reason, with the refused refresh's answer as cause", async () => {
    const refused = OAuthError.make("token", { error: "invalid_grant", status: 400 })
    const errors = [
      TokenSource.tokenUnavailable("NoGrant"),
      TokenSource.tokenUnavailable("NotRenewable"),
      TokenSource.tokenUnavailable("RefreshRefused", refused)
    ]
    for (const error of errors) {
      await ErrorLaws.check(error)
      assert.isTrue(TokenSource.isTokenUnavailable(error))
      assert.isFalse(Polling.isPollingError(error))
    }
    assert.strictEqual(errors[2]!.cause, refused)
    assert.isUndefined(errors[0]!.cause)
    assert.include(Cause.pretty(Cause.fail(errors[2]!), { renderErrorCause: true }), "InvalidGrant: token endpoint answered 'invalid_grant'")
    assert.isFalse(TokenSource.isTokenUnavailable({ _tag: "TokenUnavailable", reason: "NoGrant", message: "m" }))
  })

  it("PollingExpired and PollingStopped", async () => {
    const errors = await pollingErrors()
    assert.deepStrictEqual(
      errors.map((e) => e._tag),
      ["PollingExpired", "PollingStopped"]
    )
    for (const error of errors) {
      await ErrorLaws.check(error)
      assert.isTrue(Polling.isPollingError(error))
      assert.isFalse(ApiClient.isApiClientError(error))
    }
    assert.containSubset(errors[0], { _tag: "PollingExpired", polls: 0 })
    assert.containSubset(errors[1], { _tag: "PollingStopped", polls: 1, last: { _tag: "AuthorizationPending" } })
    assert.isFalse(Polling.isPollingError({ _tag: "PollingStopped", polls: 0, message: "m" }))
  })

  it("the ApiClient errors: InvalidPath, UnexpectedStatus, ApiError (with the fetch error as cause), InvalidBaseUrl", async () => {
    const errors = await apiErrors()
    assert.deepStrictEqual(
      errors.map((e) => e._tag),
      ["InvalidPath", "UnexpectedStatus", "ApiError", "InvalidBaseUrl"]
    )
    for (const error of errors) {
      await ErrorLaws.check(error)
      assert.isTrue(ApiClient.isApiClientError(error))
      assert.isFalse(TokenSource.isTokenUnavailable(error))
    }
    assert.containSubset(errors[1], { _tag: "UnexpectedStatus", status: 404, url: "https://api.example.com/users/1" })
    const apiError = errors[2] as ApiClient.ApiError
    assert.containSubset(apiError, { _tag: "ApiError", reason: "Transport" })
    assert.instanceOf(apiError.cause, Error)
    assert.isFalse(ApiClient.isApiClientError({ _tag: "InvalidPath", path: "..", message: "m" }))
  })

  it("catchTag narrows Polling.poll's union as before", async () => {
    const program = pending.pipe(
      Polling.poll({ interval: Duration.seconds(5), expiresAt: DateTime.unsafeMake(0) }),
      Effect.catchTag("PollingExpired", (e) => Effect.succeed(e.polls))
    )
    const _narrowed: Effect.Effect<number, Polling.PollingStopped> = program
    assert.strictEqual(await Effect.runPromise(program), 0)
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        return yield* TokenSource.tokenUnavailable("NoGrant")
      }).pipe(Effect.catchTag("TokenUnavailable", (e) => Effect.succeed(e.reason)))
    )
    assert.deepStrictEqual(exit, Exit.succeed("NoGrant"))
  })

  it("a secret in a cause is rendered redacted", () => {
    ErrorLaws.rendersWithout(TokenSource.tokenUnavailable("RefreshRefused", { refreshToken: Redacted.make(secret) }), secret)
  })
})
