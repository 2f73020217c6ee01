import { assert, describe, it } from "@effect/vitest"
import { UserInfo } from "@oauth2/core"
import { DateTime, Either } from "effect"
import * as fc from "fast-check"

const jane = {
  sub: "248289761001",
  name: "Jane Doe",
  given_name: "Jane",
  family_name: "Doe",
  preferred_username: "j.doe",
  email: "janedoe@example.com",
  email_verified: true,
  picture: "http://example.com/janedoe/me.jpg",
  phone_number: "+1 (604) 555-1234;ext=5678",
  phone_number_verified: false,
  address: { street_address: "1234 Hollywood Blvd.", locality: "Los Angeles", postal_code: "90210", country: "US" },
  updated_at: 1311280970,
  "https://example.com/roles": ["admin"]
}

describe("UserInfo.decode", () => {
  it("decodes standard claims into camelCase and keeps every claim", () => {
    const info = Either.getOrThrow(UserInfo.decode(jane))
    assert.strictEqual(info.sub, "248289761001")
    assert.strictEqual(info.name, "Jane Doe")
    assert.strictEqual(info.givenName, "Jane")
    assert.strictEqual(info.familyName, "Doe")
    assert.strictEqual(info.preferredUsername, "j.doe")
    assert.strictEqual(info.emailVerified, true)
    assert.strictEqual(info.phoneNumberVerified, false)
    assert.deepStrictEqual(info.address, { streetAddress: "1234 Hollywood Blvd.", locality: "Los Angeles", postalCode: "90210", country: "US" })
    assert.strictEqual(DateTime.toEpochMillis(info.updatedAt!), 1311280970_000)
    assert.deepStrictEqual(info.claims, jane)
    assert.deepStrictEqual(info.claims["https://example.com/roles"], ["admin"])
  })

  it("types claims loosely: odd types are left out of the typed view, kept in claims", () => {
    const info = Either.getOrThrow(
      UserInfo.decode({
        sub: "u",
        name: 42,
        email_verified: "true",
        phone_number_verified: "nope",
        updated_at: "2021-03-04T05:06:07.000Z",
        address: "somewhere"
      })
    )
    assert.notProperty(info, "name")
    assert.strictEqual(info.emailVerified, true)
    assert.notProperty(info, "phoneNumberVerified")
    assert.strictEqual(DateTime.formatIso(info.updatedAt!), "2021-03-04T05:06:07.000Z")
    assert.notProperty(info, "address")
    assert.strictEqual(info.claims.name, 42)
    assert.strictEqual(Either.getOrThrow(UserInfo.decode({ sub: "u", email_verified: "false" })).emailVerified, false)
    assert.notProperty(Either.getOrThrow(UserInfo.decode({ sub: "u", updated_at: -5 })), "updatedAt")
    assert.notProperty(Either.getOrThrow(UserInfo.decode({ sub: "u", updated_at: 1e300 })), "updatedAt")
  })

  it("requires a non-empty string sub", () => {
    for (const input of [{}, { sub: "" }, { sub: 123 }, { sub: null }, { name: "x" }]) {
      const result = UserInfo.decode(input)
      assert.isTrue(Either.isLeft(result) && result.left._tag === "UnexpectedResponse" && result.left.reason.includes("sub"), JSON.stringify(input))
    }
    for (const input of ["<html/>", "", null, [], 7, "eyJhbGciOiJSUzI1NiJ9.e30.sig"]) {
      const result = UserInfo.decode(input, { status: 200, contentType: "application/jwt" })
      assert.isTrue(Either.isLeft(result) && result.left._tag === "UnexpectedResponse" && result.left.endpoint === "userinfo")
    }
  })

  it("checks the subject against the expected one", () => {
    const info = Either.getOrThrow(UserInfo.decode(jane))
    assert.isTrue(Either.isRight(UserInfo.checkSubject(info, "248289761001")))
    const mismatch = UserInfo.checkSubject("248289761002")(info)
    assert.isTrue(Either.isLeft(mismatch))
    if (Either.isLeft(mismatch)) {
      assert.strictEqual(mismatch.left._tag, "MismatchingSubject")
      assert.strictEqual(mismatch.left.expected, "248289761002")
      assert.strictEqual(mismatch.left.received, "248289761001")
    }
  })

  it.prop(
    "round-trips through encode",
    [
      fc
        .record({ sub: fc.string({ minLength: 1 }) })
        .chain((base) => fc.dictionary(fc.string(), fc.jsonValue()).map((rest) => ({ ...rest, ...base })))
    ],
    ([body]) => {
      const decoded = Either.getOrThrow(UserInfo.decode(body))
      assert.deepStrictEqual(UserInfo.encode(decoded), body)
      assert.deepStrictEqual(Either.getOrThrow(UserInfo.decode(UserInfo.encode(decoded))), decoded)
    }
  )

  it.prop(
    "never throws on any JSON value",
    [
      fc.oneof(
        fc.jsonValue(),
        fc.dictionary(fc.constantFrom("sub", "name", "email_verified", "updated_at", "address", "phone_number_verified"), fc.jsonValue())
      )
    ],
    ([body]) => {
      const result = UserInfo.decode(body)
      if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "UnexpectedResponse")
    }
  )
})
