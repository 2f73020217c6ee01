import { describe, expect, it } from "@effect/vitest"
import { Jwt, JwtResponse } from "@oauth2/core"
import { Effect, TestClock } from "effect"
import { CLIENT_ID, encryptJwt, ISSUER, keyPair, NOW, signJwt, unsignedJwt, withPayload } from "./jwtFixtures.js"

const rsa = await keyPair("RS256", "rsa-1")
const keys = { keys: [rsa.publicJwk] }
const options = { issuer: ISSUER, clientId: CLIENT_ID, keys }

const at = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.zipRight(TestClock.setTime(NOW * 1000), self)

describe("JwtResponse.userInfo", () => {
  it.effect("verifies a signed UserInfo answer and decodes its claims", () =>
    Effect.gen(function* () {
      const jwt = yield* Effect.promise(() => signJwt({ sub: "alice", email: "alice@example.com", iss: ISSUER, aud: CLIENT_ID }, rsa))
      const info = yield* at(JwtResponse.userInfo(jwt, { ...options, subject: "alice" }))
      expect(info.sub).toBe("alice")
      expect(info.email).toBe("alice@example.com")
      // iss and aud are optional
      yield* at(JwtResponse.userInfo(yield* Effect.promise(() => signJwt({ sub: "alice" }, rsa)), options))
    })
  )

  it.effect("refuses what an ID token would be refused for, and another subject", () =>
    Effect.gen(function* () {
      const good = yield* Effect.promise(() => signJwt({ sub: "alice" }, rsa))
      const cases = [
        [withPayload(good, { sub: "bob" }), "InvalidSignature"],
        [unsignedJwt({ sub: "alice" }), "AlgorithmNotAllowed"],
        [yield* Effect.promise(() => signJwt({ sub: "alice", iss: "https://evil" }, rsa)), "IssuerMismatch"],
        [yield* Effect.promise(() => signJwt({ sub: "alice", aud: "other" }, rsa)), "AudienceMismatch"],
        [yield* Effect.promise(() => signJwt({ sub: "alice", exp: NOW - 60 }, rsa)), "Expired"],
        [yield* Effect.promise(() => signJwt({ email: "x" }, rsa)), "MissingClaim"],
        [yield* Effect.promise(() => signJwt({ sub: "alice" }, rsa, { jwk: rsa.publicJwk })), "EmbeddedKey"]
      ] as const
      for (const [jwt, reason] of cases) {
        const e = yield* Effect.flip(at(JwtResponse.userInfo(jwt, { ...options, algorithms: ["RS256", "none"] })))
        expect(e).toMatchObject({ _tag: "InvalidJwt", endpoint: "userinfo", reason })
      }
      const other = yield* Effect.flip(at(JwtResponse.userInfo(good, { ...options, subject: "bob" })))
      expect(other).toMatchObject({ _tag: "MismatchingSubject", expected: "bob", received: "alice" })
    })
  )

  it.effect("decrypts an encrypted UserInfo answer", () =>
    Effect.gen(function* () {
      const client = yield* Effect.promise(() => keyPair("RSA-OAEP-256", "enc", { use: "enc" }))
      const jws = yield* Effect.promise(() => signJwt({ sub: "alice" }, rsa))
      const jwe = yield* Effect.promise(() => encryptJwt(jws, client.publicJwk, "RSA-OAEP-256", "A128GCM"))
      const info = yield* at(JwtResponse.userInfo(jwe, { ...options, decryptionKeys: yield* Jwt.decryptionKey(client.privateJwk) }))
      expect(info.sub).toBe("alice")
    })
  )
})

describe("JwtResponse.introspection", () => {
  const body = (overrides: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: CLIENT_ID,
    iat: NOW,
    token_introspection: { active: true, scope: "read", client_id: "c2", sub: "alice", exp: NOW + 60 },
    ...overrides
  })
  const typ = { typ: "token-introspection+jwt" }

  it.effect("verifies an RFC 9701 answer and decodes the introspection response in it", () =>
    Effect.gen(function* () {
      const jwt = yield* Effect.promise(() => signJwt(body(), rsa, typ))
      const answer = yield* at(JwtResponse.introspection(jwt, options))
      expect(answer.active).toBe(true)
      expect(answer.scope).toBe("read")
      expect(answer.sub).toBe("alice")
      const withMediaType = yield* Effect.promise(() => signJwt(body(), rsa, { typ: "application/token-introspection+jwt" }))
      yield* at(JwtResponse.introspection(withMediaType, options))
    })
  )

  it.effect("refuses a wrong typ, iss, aud, iat or a missing token_introspection", () =>
    Effect.gen(function* () {
      const cases = [
        [body(), {}, "UnexpectedType"],
        [body(), { typ: "JWT" }, "UnexpectedType"],
        [body({ iss: undefined }), typ, "MissingClaim"],
        [body({ iss: "https://evil" }), typ, "IssuerMismatch"],
        [body({ aud: undefined }), typ, "MissingClaim"],
        [body({ aud: "other" }), typ, "AudienceMismatch"],
        [body({ iat: undefined }), typ, "MissingClaim"],
        [body({ iat: NOW + 3600 }), typ, "IssuedInFuture"],
        [body({ token_introspection: undefined }), typ, "MissingClaim"]
      ] as const
      for (const [claims, header, reason] of cases) {
        const jwt = yield* Effect.promise(() => signJwt(JSON.parse(JSON.stringify(claims)), rsa, header))
        const e = yield* Effect.flip(at(JwtResponse.introspection(jwt, options)))
        expect(e).toMatchObject({ _tag: "InvalidJwt", endpoint: "introspection", reason })
      }
      const notAnObject = yield* Effect.promise(() => signJwt(body({ token_introspection: "yes" }), rsa, typ))
      expect(yield* Effect.flip(at(JwtResponse.introspection(notAnObject, options)))).toMatchObject({
        _tag: "UnexpectedResponse",
        endpoint: "introspection"
      })
    })
  )
})
