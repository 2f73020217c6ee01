import { assert, describe, it } from "@effect/vitest"
import { Pkce } from "@oauth2/core"
import { Effect, Either, FastCheck as fc, Redacted } from "effect"
import { createHash } from "node:crypto"

const rfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
const rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
const verifierArb = fc.array(fc.constantFrom(...unreserved.split("")), { minLength: 43, maxLength: 128 }).map((cs) => cs.join(""))

describe("Pkce", () => {
  describe("RFC 7636 Appendix B", () => {
    it.effect("derives the S256 challenge of the example verifier", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* Pkce.challenge(rfcVerifier, "S256"), rfcChallenge)
        assert.strictEqual(yield* Pkce.challenge(rfcVerifier), rfcChallenge)
        assert.strictEqual(yield* Pkce.challenge(Redacted.make(rfcVerifier)), rfcChallenge)
      })
    )

    it.effect("make with the example verifier", () =>
      Effect.gen(function* () {
        const pkce = yield* Pkce.make({ verifier: rfcVerifier })
        assert.strictEqual(pkce.codeChallenge, rfcChallenge)
        assert.strictEqual(pkce.codeChallengeMethod, "S256")
        assert.strictEqual(Redacted.value(pkce.codeVerifier), rfcVerifier)
      })
    )
  })

  it.effect("plain challenge is the verifier", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* Pkce.challenge(rfcVerifier, "plain"), rfcVerifier)
      const pkce = yield* Pkce.make({ method: "plain", verifier: rfcVerifier })
      assert.strictEqual(pkce.codeChallenge, rfcVerifier)
      assert.strictEqual(pkce.codeChallengeMethod, "plain")
    })
  )

  it.effect.prop("S256 matches node:crypto for any valid verifier", [verifierArb], ([v]) =>
    Effect.gen(function* () {
      const expected = createHash("sha256").update(v, "ascii").digest("base64url")
      assert.strictEqual(yield* Pkce.challenge(v, "S256"), expected)
    })
  )

  describe("generateVerifier", () => {
    it.effect("defaults to 43 base64url characters from 32 bytes", () =>
      Effect.gen(function* () {
        const a = Redacted.value(yield* Pkce.generateVerifier())
        const b = Redacted.value(yield* Pkce.generateVerifier())
        assert.strictEqual(a.length, 43)
        assert.match(a, /^[A-Za-z0-9_-]{43}$/)
        assert.notStrictEqual(a, b)
        assert.isTrue(Pkce.isVerifier(a))
      })
    )

    it.effect.prop("any length from 43 to 128", [fc.integer({ min: 43, max: 128 })], ([n]) =>
      Effect.gen(function* () {
        const v = Redacted.value(yield* Pkce.generateVerifier(n))
        assert.strictEqual(v.length, n)
        assert.isTrue(Pkce.isVerifier(v))
      })
    )

    it.effect("refuses lengths out of range with InvalidArgument", () =>
      Effect.gen(function* () {
        for (const n of [0, 42, 129, 1e9, 43.5, Number.NaN, -1]) {
          const error = yield* Effect.flip(Pkce.generateVerifier(n))
          assert.strictEqual(error._tag, "InvalidArgument")
          assert.strictEqual(error.argument, "length")
        }
        const wrongType = yield* Effect.flip(Pkce.generateVerifier("50" as any))
        assert.strictEqual(wrongType._tag, "InvalidArgument")
      })
    )

    it("is redacted when printed", () => {
      const v = Effect.runSync(Pkce.generateVerifier())
      assert.strictEqual(String(v), "<redacted>")
      assert.strictEqual(JSON.stringify({ v }), `{"v":"<redacted>"}`)
    })
  })

  describe("validateVerifier", () => {
    it("accepts 43 and 128 characters of the unreserved set", () => {
      const min = "a".repeat(43)
      const max = unreserved + unreserved.slice(0, 128 - unreserved.length)
      assert.strictEqual(max.length, 128)
      for (const v of [min, max, rfcVerifier]) {
        const result = Pkce.validateVerifier(v)
        assert.isTrue(Either.isRight(result))
        if (Either.isRight(result)) assert.strictEqual(Redacted.value(result.right), v)
      }
    })

    it("keeps a Redacted verifier as the same value", () => {
      const r = Redacted.make(rfcVerifier)
      const result = Pkce.validateVerifier(r)
      assert.isTrue(Either.isRight(result) && result.right === r)
    })

    it("refuses wrong lengths, characters and types without echoing the value", () => {
      const bad: Array<unknown> = [
        "",
        "a".repeat(42),
        "a".repeat(129),
        "a".repeat(1_000_000),
        "a".repeat(42) + "+",
        "a".repeat(42) + "/",
        "a".repeat(42) + "=",
        "a".repeat(42) + " ",
        "a".repeat(42) + "é",
        "a".repeat(42) + "\n",
        Redacted.make("short"),
        42,
        null,
        undefined,
        { verifier: rfcVerifier }
      ]
      for (const v of bad) {
        const result = Pkce.validateVerifier(v as string)
        assert.isTrue(Either.isLeft(result), `accepted ${String(v).slice(0, 20)}`)
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "InvalidArgument")
          assert.strictEqual(result.left.argument, "codeVerifier")
          assert.notInclude(result.left.message, "aaaaaaaa")
        }
      }
    })

    it.prop("isVerifier agrees with validateVerifier on any string", [fc.string({ maxLength: 140 })], ([s]) => {
      assert.strictEqual(Pkce.isVerifier(s), Either.isRight(Pkce.validateVerifier(s)))
    })

    it.prop("accepts every string of the grammar", [verifierArb], ([v]) => {
      assert.isTrue(Either.isRight(Pkce.validateVerifier(v)))
    })
  })

  describe("challenge and make", () => {
    it.effect("refuse a bad verifier or method", () =>
      Effect.gen(function* () {
        const short = yield* Effect.flip(Pkce.challenge("abc", "S256"))
        assert.strictEqual(short.argument, "codeVerifier")
        const method = yield* Effect.flip(Pkce.challenge(rfcVerifier, "s256" as any))
        assert.strictEqual(method.argument, "codeChallengeMethod")
        const makeMethod = yield* Effect.flip(Pkce.make({ method: "SHA256" as any }))
        assert.strictEqual(makeMethod.argument, "codeChallengeMethod")
        const both = yield* Effect.flip(Pkce.make({ verifier: rfcVerifier, length: 50 }))
        assert.strictEqual(both.argument, "length")
        const length = yield* Effect.flip(Pkce.make({ length: 10 }))
        assert.strictEqual(length.argument, "length")
      })
    )

    it.effect("make generates a verifier of the chosen length and its challenge", () =>
      Effect.gen(function* () {
        const pkce = yield* Pkce.make({ length: 100 })
        const v = Redacted.value(pkce.codeVerifier)
        assert.strictEqual(v.length, 100)
        assert.strictEqual(pkce.codeChallenge, createHash("sha256").update(v).digest("base64url"))
      })
    )

    it("exposes the RFC limits and methods", () => {
      assert.strictEqual(Pkce.minLength, 43)
      assert.strictEqual(Pkce.maxLength, 128)
      assert.deepStrictEqual([...Pkce.methods], ["S256", "plain"])
      assert.isTrue(Pkce.isMethod("S256"))
      assert.isFalse(Pkce.isMethod("s256"))
    })
  })
})
