import { assert, describe, it } from "@effect/vitest"
import { BackchannelAuthentication, Params } from "@oauth2/core"
import { DateTime, Duration, Effect, Either, Exit, Redacted, TestClock } from "effect"
import * as fc from "fast-check"

const encode = (result: Either.Either<Params.Params, unknown>) => Params.encode(Either.getOrThrow(result))
const argumentOf = (result: Either.Either<Params.Params, { readonly _tag: string; readonly argument?: string }>) =>
  Either.isLeft(result) && result.left._tag === "InvalidArgument" ? result.left.argument : undefined

describe("BackchannelAuthentication.params", () => {
  it("builds every standard parameter, secrets kept redacted", () => {
    const params = Either.getOrThrow(
      BackchannelAuthentication.params({
        scope: ["openid", "email"],
        loginHint: "user@example.com",
        bindingMessage: "W4SCT",
        userCode: Redacted.make("1234"),
        requestedExpiry: 120,
        clientNotificationToken: Redacted.make("8d67dc78-7faa-4d41-aabd-67707b374255"),
        acrValues: ["urn:mace:incommon:iap:silver", "loa3"],
        extra: { resource: "https://api.example" }
      })
    )
    assert.strictEqual(
      Params.encode(params),
      "scope=openid+email&client_notification_token=8d67dc78-7faa-4d41-aabd-67707b374255" +
        "&acr_values=urn%3Amace%3Aincommon%3Aiap%3Asilver+loa3&login_hint=user%40example.com&binding_message=W4SCT" +
        "&user_code=1234&requested_expiry=120&resource=https%3A%2F%2Fapi.example"
    )
    assert.isTrue(Redacted.isRedacted(Params.getAll(params, "user_code")[0]))
    assert.isTrue(Redacted.isRedacted(Params.getAll(params, "client_notification_token")[0]))
  })

  it("accepts each hint alone", () => {
    assert.strictEqual(
      encode(BackchannelAuthentication.params({ scope: "openid", loginHintToken: Redacted.make("eyJ") })),
      "scope=openid&login_hint_token=eyJ"
    )
    assert.strictEqual(encode(BackchannelAuthentication.params({ scope: "openid", idTokenHint: "eyJ.x.y" })), "scope=openid&id_token_hint=eyJ.x.y")
    assert.strictEqual(
      encode(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", requestedExpiry: Duration.minutes(2) })),
      "scope=openid&login_hint=u&requested_expiry=120"
    )
  })

  it("requires the openid scope", () => {
    for (const scope of ["email profile", "", [], ["openidx"], "OPENID"]) {
      assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope, loginHint: "u" })), "scope", JSON.stringify(scope))
    }
  })

  it("requires exactly one hint", () => {
    assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope: "openid" })), "loginHint")
    assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "" })), "loginHint")
    assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", idTokenHint: "t" })), "loginHint")
    assert.strictEqual(
      argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", loginHintToken: Redacted.make("t"), idTokenHint: "t" })),
      "loginHint"
    )
    assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHintToken: Redacted.make("") })), "loginHint")
  })

  it("refuses a requested expiry that is not a positive whole number of seconds", () => {
    for (const requestedExpiry of [0, -1, 1.5, Number.NaN, Infinity, Duration.millis(1500), Duration.infinity]) {
      assert.strictEqual(argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", requestedExpiry })), "requestedExpiry")
    }
  })

  it("refuses extra parameters that redefine standard ones", () => {
    assert.strictEqual(
      argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", extra: { login_hint: "v" } })),
      "extra.login_hint"
    )
    assert.strictEqual(
      argumentOf(BackchannelAuthentication.params({ scope: "openid", loginHint: "u", extra: { client_secret: "s" } })),
      "extra.client_secret"
    )
  })
})

describe("BackchannelAuthentication.decode", () => {
  it.effect("decodes an acknowledgement with an absolute expiry", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.unsafeMake("2025-06-01T12:00:00Z")))
      const ack = yield* BackchannelAuthentication.decode({
        auth_req_id: "1c266114-a1be-4252-8ad1-04986c5b9ac1",
        expires_in: 120,
        interval: 2,
        custom: "x"
      })
      assert.strictEqual(Redacted.value(ack.authReqId), "1c266114-a1be-4252-8ad1-04986c5b9ac1")
      assert.strictEqual(DateTime.formatIso(ack.expiresAt), "2025-06-01T12:02:00.000Z")
      assert.strictEqual(Duration.toSeconds(ack.interval), 2)
      assert.deepStrictEqual(ack.extra, { custom: "x" })
      assert.notInclude(JSON.stringify(ack), "1c266114")
      yield* TestClock.adjust("119 seconds")
      assert.isFalse(yield* BackchannelAuthentication.isExpired(ack))
      yield* TestClock.adjust("1 second")
      assert.isTrue(yield* BackchannelAuthentication.isExpired(ack))
    })
  )

  it.effect("defaults the interval to 5 seconds and accepts numeric strings", () =>
    Effect.gen(function* () {
      const ack = yield* BackchannelAuthentication.decode({ auth_req_id: "id", expires_in: "600" })
      assert.strictEqual(Duration.toSeconds(ack.interval), 5)
      assert.isTrue(Duration.equals(ack.interval, BackchannelAuthentication.defaultInterval))
    })
  )

  it.effect("refuses missing or invalid members without showing the auth_req_id", () =>
    Effect.gen(function* () {
      const secret = "1c266114-a1be-4252-8ad1-04986c5b9ac1"
      const cases: ReadonlyArray<readonly [unknown, string]> = [
        [{ auth_req_id: secret }, "expires_in"],
        [{ auth_req_id: secret, expires_in: -120 }, "expires_in"],
        [{ auth_req_id: secret, expires_in: 1e300 }, "expires_in"],
        [{ auth_req_id: secret, expires_in: 120, interval: -1 }, "interval"],
        [{ auth_req_id: secret, expires_in: 120, interval: "2.5" }, "interval"],
        [{ expires_in: 120 }, "auth_req_id"],
        [{ auth_req_id: 12, expires_in: 120 }, "auth_req_id"],
        [{ auth_req_id: "", expires_in: 120 }, "auth_req_id"]
      ]
      for (const [input, field] of cases) {
        const error = yield* Effect.flip(BackchannelAuthentication.decode(input))
        assert.strictEqual(error._tag, "UnexpectedResponse")
        assert.strictEqual(error.endpoint, "backchannel_authentication")
        assert.include(error.reason, field)
        assert.notInclude(error.message + error.excerpt, secret)
      }
      for (const input of ["<html/>", "", null, [], 0]) {
        const error = yield* Effect.flip(BackchannelAuthentication.decode(input))
        assert.strictEqual(error._tag, "UnexpectedResponse")
      }
    })
  )

  it.effect.prop(
    "never throws or dies on any JSON value",
    [
      fc.oneof(fc.jsonValue(), fc.record({ auth_req_id: fc.jsonValue(), expires_in: fc.jsonValue(), interval: fc.jsonValue() }, { requiredKeys: [] }))
    ],
    ([input]) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(BackchannelAuthentication.decode(input))
        if (Exit.isFailure(exit)) assert.strictEqual(exit.cause._tag, "Fail")
      })
  )
})
