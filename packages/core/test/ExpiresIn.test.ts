import { describe, expect, it } from "@effect/vitest"
import { BackchannelAuthentication, BearerToken, DeviceAuthorization, PushedAuthorization } from "@oauth2/core"
import { DateTime, Effect, TestContext } from "effect"
import * as fc from "fast-check"

// One rule for `expires_in` wherever it is sent (RFC 6749 5.1 and A.14, RFC 8628 3.2, CIBA 7.3, RFC 9126 2.2):
// a non-negative whole number of seconds, as a JSON number or a string of digits.
const outcome = (effect: Effect.Effect<{ readonly expiresAt?: DateTime.Utc | undefined }, { readonly reason: string }>) =>
  Effect.runSync(
    Effect.match(effect, {
      onFailure: (error) => ({ failed: error.reason.includes("expires_in") }),
      onSuccess: (answer) => ({ expiresAt: answer.expiresAt === undefined ? undefined : DateTime.toEpochMillis(answer.expiresAt) })
    }).pipe(Effect.provide(TestContext.TestContext)) // the clock at 0
  )

const everyEndpoint = (expiresIn: unknown) => [
  outcome(BearerToken.decodeAt({ access_token: "a", token_type: "Bearer", expires_in: expiresIn }, DateTime.unsafeMake(0))),
  outcome(DeviceAuthorization.decode({ device_code: "d", user_code: "u", verification_uri: "https://as.example/device", expires_in: expiresIn })),
  outcome(BackchannelAuthentication.decode({ auth_req_id: "r", expires_in: expiresIn })),
  outcome(PushedAuthorization.decode({ request_uri: "urn:r", expires_in: expiresIn }))
]

describe("expires_in", () => {
  const samples: ReadonlyArray<readonly [unknown, number | "refused"]> = [
    [0, 0],
    [60, 60_000],
    ["60", 60_000],
    ["0060", 60_000],
    [3600.0, 3_600_000],
    [59.5, "refused"],
    ["59.5", "refused"],
    [" 60 ", "refused"],
    ["6e1", "refused"],
    ["+60", "refused"],
    ["-60", "refused"],
    [-1, "refused"],
    [Number.NaN, "refused"],
    [Number.POSITIVE_INFINITY, "refused"],
    [1e300, "refused"],
    // eslint-disable-next-line no-loss-of-precision -- on purpose: 2^53 + 1 is read as 2^53, past the safe integers
    [9_007_199_254_740_993, "refused"],
    ["12345678901234567", "refused"],
    [9_000_000_000_000, "refused"], // whole, but past the last representable date
    [true, "refused"],
    [[60], "refused"],
    [{}, "refused"]
  ]
  for (const [value, expected] of samples) {
    it(`every endpoint ${expected === "refused" ? "refuses" : "accepts"} ${JSON.stringify(value) ?? String(value)}`, () => {
      for (const result of everyEndpoint(value)) {
        expect(result).toEqual(expected === "refused" ? { failed: true } : { expiresAt: expected })
      }
    })
  }

  // (absent or null differ by design: optional in a token answer, RFC 6749 5.1; required in the others)
  it.prop(
    "is decided alike by the token, device, CIBA and PAR answers",
    [fc.oneof(fc.integer(), fc.double(), fc.stringMatching(/^\s?[-+]?[0-9]{0,18}(\.[0-9])?\s?$/), fc.jsonValue()).filter((v) => v !== null)],
    ([value]) => {
      const [token, ...others] = everyEndpoint(value)
      for (const other of others) expect(other).toEqual(token)
    }
  )
})
