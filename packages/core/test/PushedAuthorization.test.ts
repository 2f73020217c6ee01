import { assert, describe, it } from "@effect/vitest"
import { PushedAuthorization } from "@oauth2/core"
import { DateTime, Effect, Exit, TestClock } from "effect"
import * as fc from "fast-check"

const requestUri = "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c"

describe("PushedAuthorization.decode", () => {
  it.effect("decodes request_uri with an absolute expiry from the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2025-03-01T08:00:00Z")))
      const par = yield* PushedAuthorization.decode({ request_uri: requestUri, expires_in: 60, x: [1] })
      assert.strictEqual(par.requestUri, requestUri)
      assert.strictEqual(DateTime.formatIso(par.expiresAt), "2025-03-01T08:01:00.000Z")
      assert.deepStrictEqual(par.extra, { x: [1] })
      assert.isFalse(yield* PushedAuthorization.isExpired(par))
      yield* TestClock.adjust("1 minute")
      assert.isTrue(yield* PushedAuthorization.isExpired(par))
    })
  )

  it.effect("tolerates a numeric string expires_in", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(0)
      const par = yield* PushedAuthorization.decode({ request_uri: requestUri, expires_in: "90" })
      assert.strictEqual(DateTime.toEpochMillis(par.expiresAt), 90_000)
    })
  )

  it.effect("requires request_uri and expires_in with valid values", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ expires_in: 60 }, "request_uri"],
        [{ request_uri: "", expires_in: 60 }, "request_uri"],
        [{ request_uri: 5, expires_in: 60 }, "request_uri"],
        [{ request_uri: requestUri }, "expires_in"],
        [{ request_uri: requestUri, expires_in: -60 }, "expires_in"],
        [{ request_uri: requestUri, expires_in: 60.5 }, "expires_in"],
        [{ request_uri: requestUri, expires_in: "sixty" }, "expires_in"],
        [{ request_uri: requestUri, expires_in: true }, "expires_in"]
      ]
      for (const [input, field] of cases) {
        const error = yield* Effect.flip(PushedAuthorization.decode(input, { status: 201 }))
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.strictEqual(error.endpoint, "pushed_authorization")
        assert.strictEqual(error.status, 201)
        assert.include(error.reason, field)
      }
      for (const input of ["<!doctype html>", "", null, [], 1.5]) {
        assert.strictEqual((yield* Effect.flip(PushedAuthorization.decode(input)))._tag, "UnexpectedResponse")
      }
    })
  )

  it.effect.prop(
    "never throws or dies on any JSON value",
    [fc.oneof(fc.jsonValue(), fc.record({ request_uri: fc.jsonValue(), expires_in: fc.oneof(fc.jsonValue(), fc.double()) }, { requiredKeys: [] }))],
    ([input]) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(PushedAuthorization.decode(input))
        if (Exit.isFailure(exit)) assert.strictEqual(exit.cause._tag, "Fail")
      })
  )
})
