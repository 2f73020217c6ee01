import { assert, describe, it } from "@effect/vitest"
import { DeviceAuthorization, Params } from "@oauth2/core"
import { DateTime, Duration, Effect, Either, Exit, Redacted, TestClock } from "effect"
import * as fc from "fast-check"

const t0 = DateTime.unsafeMake("2025-01-01T00:00:00Z")
const body = {
  device_code: "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
  user_code: "WDJB-MJHT",
  verification_uri: "https://example.com/device",
  verification_uri_complete: "https://example.com/device?user_code=WDJB-MJHT",
  expires_in: 1800,
  interval: 5
}

const failure = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(effect)
    assert.isTrue(Exit.isFailure(exit))
    const error = yield* Effect.flip(effect)
    return error
  })

describe("DeviceAuthorization.params", () => {
  it("builds scope, resources and extra parameters in order", () => {
    const params = Either.getOrThrow(
      DeviceAuthorization.params({ scope: ["openid", "profile"], resource: ["https://api.a", "https://api.b"], extra: { audience: "x" } })
    )
    assert.strictEqual(Params.encode(params), "scope=openid+profile&resource=https%3A%2F%2Fapi.a&resource=https%3A%2F%2Fapi.b&audience=x")
    assert.deepStrictEqual(Either.getOrThrow(DeviceAuthorization.params()), [])
    assert.strictEqual(Params.encode(Either.getOrThrow(DeviceAuthorization.params({ scope: " a  b " }))), "scope=a+b")
  })

  it("refuses bad resources and extra parameters that redefine standard ones", () => {
    const bad = [
      DeviceAuthorization.params({ resource: "api" }),
      DeviceAuthorization.params({ resource: "https://api#frag" }),
      DeviceAuthorization.params({ extra: { scope: "x" } }),
      DeviceAuthorization.params({ extra: { client_id: "x" } }),
      DeviceAuthorization.params({ extra: { client_assertion: "x" } })
    ]
    for (const result of bad) assert.isTrue(Either.isLeft(result) && result.left._tag === "InvalidArgument")
  })
})

describe("DeviceAuthorization.decode", () => {
  it.effect("decodes a standard response with an absolute expiry from the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(t0))
      const response = yield* DeviceAuthorization.decode({ ...body, vendor_field: { a: 1 } })
      assert.strictEqual(Redacted.value(response.deviceCode), body.device_code)
      assert.strictEqual(response.userCode, "WDJB-MJHT")
      assert.strictEqual(response.verificationUri, "https://example.com/device")
      assert.strictEqual(response.verificationUriComplete, "https://example.com/device?user_code=WDJB-MJHT")
      assert.strictEqual(DateTime.formatIso(response.expiresAt), "2025-01-01T00:30:00.000Z")
      assert.isTrue(Duration.equals(response.interval, Duration.seconds(5)))
      assert.deepStrictEqual(response.extra, { vendor_field: { a: 1 } })
      assert.strictEqual(DeviceAuthorization.userUri(response), body.verification_uri_complete)
      assert.notInclude(String(response.deviceCode), body.device_code)
      assert.notInclude(JSON.stringify(response), body.device_code)
    })
  )

  it.effect("defaults the interval to 5 seconds and accepts verification_url and numeric strings", () =>
    Effect.gen(function* () {
      const response = yield* DeviceAuthorization.decode({
        device_code: "dc",
        user_code: "uc",
        verification_url: "https://www.google.com/device",
        expires_in: "1800"
      })
      assert.isTrue(Duration.equals(response.interval, DeviceAuthorization.defaultInterval))
      assert.strictEqual(Duration.toSeconds(response.interval), 5)
      assert.strictEqual(response.verificationUri, "https://www.google.com/device")
      assert.notProperty(response, "verificationUriComplete")
      assert.deepStrictEqual(response.extra, {})
      assert.strictEqual(DeviceAuthorization.userUri(response), "https://www.google.com/device")
      const slow = yield* DeviceAuthorization.decode({ ...body, interval: "10" })
      assert.strictEqual(Duration.toSeconds(slow.interval), 10)
      assert.strictEqual(Duration.toSeconds((yield* DeviceAuthorization.decode({ ...body, interval: null })).interval), 5)
      // a zero interval would mean polling back-to-back: the default applies
      assert.strictEqual(Duration.toSeconds((yield* DeviceAuthorization.decode({ ...body, interval: 0 })).interval), 5)
    })
  )

  it.effect("tracks expiry with the clock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(t0))
      const response = yield* DeviceAuthorization.decode({ ...body, expires_in: 60 })
      assert.isFalse(yield* DeviceAuthorization.isExpired(response))
      yield* TestClock.adjust("59 seconds")
      assert.isFalse(yield* DeviceAuthorization.isExpired(response))
      yield* TestClock.adjust("1 second")
      assert.isTrue(yield* DeviceAuthorization.isExpired(response))
      // decoded later, expires later
      const later = yield* DeviceAuthorization.decode({ ...body, expires_in: 60 })
      assert.strictEqual(DateTime.distance(response.expiresAt, later.expiresAt), 60_000)
    })
  )

  it.effect("refuses missing or invalid members, naming them but not the device code", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ ...body, expires_in: undefined }, "expires_in"],
        [{ ...body, expires_in: -1 }, "expires_in"],
        [{ ...body, expires_in: 1.5 }, "expires_in"],
        [{ ...body, expires_in: "1e3" }, "expires_in"],
        [{ ...body, expires_in: "-5" }, "expires_in"],
        [{ ...body, expires_in: Infinity }, "expires_in"],
        [{ ...body, expires_in: Number.NaN }, "expires_in"],
        [{ ...body, expires_in: 1e300 }, "expires_in"],
        [{ ...body, expires_in: 9_007_199_254_740_991 }, "expires_in"],
        [{ ...body, interval: -5 }, "interval"],
        [{ ...body, interval: "fast" }, "interval"],
        [{ ...body, interval: 0.5 }, "interval"],
        [{ ...body, device_code: undefined }, "device_code"],
        [{ ...body, device_code: 42 }, "device_code"],
        [{ ...body, user_code: "" }, "user_code"],
        [{ ...body, verification_uri: undefined }, "verification_uri"],
        [{ ...body, verification_uri: "javascript:alert(1)" }, "verification_uri"],
        [{ ...body, verification_uri: "/device" }, "verification_uri"],
        [{ ...body, verification_uri_complete: "data:text/html,hi" }, "verification_uri_complete"]
      ]
      for (const [input, field] of cases) {
        const error = yield* failure(DeviceAuthorization.decode(input))
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.strictEqual(error.endpoint, "device_authorization")
        assert.include(error.reason, field, JSON.stringify(input))
        assert.notInclude(error.message, body.device_code)
        assert.notInclude(error.excerpt, body.device_code)
      }
    })
  )

  it.effect("refuses bodies that are not JSON objects", () =>
    Effect.gen(function* () {
      for (const input of ["<html>oops</html>", "", null, [body], 1, "x".repeat(100_000)]) {
        const error = yield* failure(DeviceAuthorization.decode(input, { status: 200, contentType: "text/html" }))
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.isAtMost(error.excerpt.length, 1024)
      }
    })
  )

  it.effect.prop("never throws or dies on any JSON value", [fc.jsonValue()], ([input]) =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(DeviceAuthorization.decode(input))
      if (Exit.isFailure(exit)) {
        assert.isTrue(exit.cause._tag === "Fail", "a typed failure, not a defect")
      }
    })
  )

  it.effect.prop(
    "never throws or dies on objects with the standard member names",
    [
      fc.record(
        {
          device_code: fc.jsonValue(),
          user_code: fc.jsonValue(),
          verification_uri: fc.oneof(fc.webUrl(), fc.jsonValue()),
          expires_in: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.jsonValue()),
          interval: fc.oneof(fc.integer(), fc.double(), fc.string())
        },
        { requiredKeys: [] }
      )
    ],
    ([input]) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(DeviceAuthorization.decode(input))
        if (Exit.isFailure(exit)) assert.strictEqual(exit.cause._tag, "Fail")
      })
  )
})
