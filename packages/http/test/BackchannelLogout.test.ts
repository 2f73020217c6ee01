/**
 * Back-channel logout: the POST handler (as a web handler: no network), the replay cache under TestClock, and the
 * validation with the client's issuer, id and keys.
 */
import { HttpApp } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import type { LogoutToken } from "@oauth2/core"
import { BackchannelLogout, OAuthClient, Transport } from "@oauth2/http"
import { DateTime, Effect, Layer, TestClock } from "effect"
import { keyPair, sign } from "./jwtFixtures.js"

const ISSUER = "https://as.example.com"
const CLIENT_ID = "client-1"
const rsa = await keyPair("RS256", "rsa-1")
const other = await keyPair("RS256", "rsa-1")

const ClientLive = OAuthClient.layer({
  clientId: CLIENT_ID,
  clientSecret: "a-client-secret-that-is-long-enough!",
  endpoints: { issuer: ISSUER, tokenEndpoint: `${ISSUER}/token` },
  jwks: { keys: [rsa.publicJwk] }
}).pipe(Layer.provide(Transport.layerFetch({ retry: false })))

const nowSeconds = () => Math.floor(Date.now() / 1000)

const logoutToken = (overrides: Record<string, unknown> = {}, key = rsa, header: Record<string, unknown> = { typ: "logout+jwt" }) => {
  const iat = nowSeconds()
  const claims: Record<string, unknown> = {
    iss: ISSUER,
    aud: CLIENT_ID,
    iat,
    exp: iat + 120,
    jti: `jti-${Math.random()}`,
    sub: "alice",
    sid: "sid-1",
    events: { "http://schemas.openid.net/event/backchannel-logout": {} }
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete claims[k]
    else claims[k] = v
  }
  return sign(claims, key, header)
}

/** The handler as a web handler, with the claims its hook received. */
const makeHandler = (onLogout?: (claims: LogoutToken.Claims) => Effect.Effect<void, string>) =>
  Effect.gen(function* () {
    const ended: Array<LogoutToken.Claims> = []
    const app = yield* BackchannelLogout.handler({
      onLogout: onLogout ?? ((claims) => Effect.sync(() => void ended.push(claims)))
    })
    return { web: HttpApp.toWebHandler(app), ended }
  }).pipe(Effect.provide(Layer.merge(ClientLive, BackchannelLogout.layerMemory())))

const post = (web: (request: Request) => Promise<Response>, body: string, contentType = "application/x-www-form-urlencoded") =>
  Effect.promise(async () => {
    const response = await web(
      new Request("http://rp.example/backchannel-logout", { method: "POST", headers: { "content-type": contentType }, body })
    )
    return { status: response.status, cacheControl: response.headers.get("cache-control"), body: await response.text() }
  })

describe("BackchannelLogout.handler", () => {
  it.live("answers 200 and ends the sessions for a valid token; a replay is 400", () =>
    Effect.gen(function* () {
      const { web, ended } = yield* makeHandler()
      const token = yield* logoutToken()
      const ok = yield* post(web, new URLSearchParams({ logout_token: token }).toString())
      expect(ok).toEqual({ status: 200, cacheControl: "no-store", body: "" })
      expect(ended.map((c) => [c.sub, c.sid])).toEqual([["alice", "sid-1"]])
      const replay = yield* post(web, new URLSearchParams({ logout_token: token }).toString())
      expect(replay.status).toBe(400)
      expect(replay.cacheControl).toBe("no-store")
      expect(JSON.parse(replay.body)).toMatchObject({ error: "invalid_request" })
      expect(JSON.parse(replay.body).error_description).toContain("Replayed")
      expect(ended).toHaveLength(1)
    })
  )

  it.live("answers 400 for a refused token, a bad body, and 405 for another method", () =>
    Effect.gen(function* () {
      const { web, ended } = yield* makeHandler()
      const cases: ReadonlyArray<readonly [string, string]> = [
        [new URLSearchParams({ logout_token: yield* logoutToken({ nonce: "n" }) }).toString(), "NonceForbidden"],
        [new URLSearchParams({ logout_token: yield* logoutToken({ iss: "https://evil.example.com" }) }).toString(), "IssuerMismatch"],
        [new URLSearchParams({ logout_token: yield* logoutToken({}, other) }).toString(), "InvalidSignature"],
        [new URLSearchParams({ logout_token: yield* logoutToken({ events: undefined }) }).toString(), "MissingClaim"],
        ["", "'logout_token' is missing"],
        [`logout_token=${yield* logoutToken()}&logout_token=${yield* logoutToken()}`, "repeated"]
      ]
      for (const [body, expected] of cases) {
        const answer = yield* post(web, body)
        expect(answer.status).toBe(400)
        expect(answer.cacheControl).toBe("no-store")
        expect(JSON.parse(answer.body).error_description).toContain(expected)
      }
      const huge = yield* post(web, `logout_token=${"a".repeat(70_000)}`)
      expect(huge.status).toBe(400)
      expect(JSON.parse(huge.body).error_description).toContain("larger than")
      const json = yield* post(web, JSON.stringify({ logout_token: yield* logoutToken() }), "application/json")
      expect(json.status).toBe(400)
      const get = yield* Effect.promise(() => web(new Request("http://rp.example/backchannel-logout")))
      expect(get.status).toBe(405)
      expect(get.headers.get("allow")).toBe("POST")
      expect(ended).toHaveLength(0)
    })
  )

  it.live("a failing hook answers 400 and forgets the jti, so that the server's retry is accepted", () =>
    Effect.gen(function* () {
      let attempts = 0
      const { web } = yield* makeHandler(() => (++attempts === 1 ? Effect.fail("the session store is down") : Effect.void))
      const body = new URLSearchParams({ logout_token: yield* logoutToken() }).toString()
      expect((yield* post(web, body)).status).toBe(400)
      expect((yield* post(web, body)).status).toBe(200)
      expect(attempts).toBe(2)
    })
  )
})

describe("BackchannelLogout.validate", () => {
  it.live("uses the client's issuer, id and keys, and refuses a replayed jti", () =>
    Effect.gen(function* () {
      const token = yield* logoutToken({ sid: undefined })
      const claims = yield* BackchannelLogout.validate(token)
      expect(claims).toMatchObject({ iss: ISSUER, sub: "alice", aud: [CLIENT_ID] })
      const replay = yield* Effect.flip(BackchannelLogout.validate(token))
      expect(replay).toMatchObject({ _tag: "InvalidLogoutToken", reason: "Replayed", claim: "jti" })
      const aud = yield* Effect.flip(BackchannelLogout.validate(yield* logoutToken({ aud: "someone-else" })))
      expect(aud).toMatchObject({ _tag: "InvalidLogoutToken", reason: "AudienceMismatch" })
    }).pipe(Effect.provide(Layer.merge(ClientLive, BackchannelLogout.layerMemory())))
  )
})

describe("BackchannelLogout.makeMemory", () => {
  it.effect("remembers a key until its time, then forgets it", () =>
    Effect.gen(function* () {
      const cache = yield* BackchannelLogout.makeMemory()
      const until = DateTime.unsafeMake(60_000)
      expect(yield* cache.remember("a", until)).toBe(true)
      expect(yield* cache.remember("a", until)).toBe(false)
      yield* TestClock.setTime(60_001)
      expect(yield* cache.remember("a", DateTime.unsafeMake(120_000))).toBe(true)
      yield* cache.forget("a")
      expect(yield* cache.remember("a", DateTime.unsafeMake(120_000))).toBe(true)
    })
  )

  it.effect("stays within its capacity: expired keys go first, then new keys are refused (fail closed)", () =>
    Effect.gen(function* () {
      const cache = yield* BackchannelLogout.makeMemory({ capacity: 3 })
      yield* cache.remember("old", DateTime.unsafeMake(10))
      yield* cache.remember("b", DateTime.unsafeMake(100_000))
      yield* cache.remember("c", DateTime.unsafeMake(100_000))
      yield* TestClock.setTime(1000)
      expect(yield* cache.remember("d", DateTime.unsafeMake(100_000))).toBe(true)
      expect(yield* cache.size).toBe(3)
      // the expired one went; b, c, d are still known
      expect(yield* cache.remember("c", DateTime.unsafeMake(100_000))).toBe(false)
      // full of live keys: a new key is refused and no live key is dropped (b, the oldest, is still a replay)
      expect(yield* cache.remember("e", DateTime.unsafeMake(100_000))).toBe(false)
      expect(yield* cache.size).toBe(3)
      expect(yield* cache.remember("b", DateTime.unsafeMake(100_000))).toBe(false)
      expect(yield* cache.remember("e", DateTime.unsafeMake(100_000))).toBe(false)
      // once the keys expire, there is room again
      yield* TestClock.setTime(100_001)
      expect(yield* cache.remember("e", DateTime.unsafeMake(200_000))).toBe(true)
      expect(yield* cache.size).toBe(1)
      expect(yield* cache.remember("b", DateTime.unsafeMake(200_000))).toBe(true)
    })
  )
})

describe("BackchannelLogout.validate with a full replay cache", () => {
  it.live("refuses a fresh token instead of forgetting a remembered one; a remembered token stays a replay", () =>
    Effect.gen(function* () {
      const first = yield* logoutToken()
      expect(yield* BackchannelLogout.validate(first)).toMatchObject({ sub: "alice" })
      // capacity 1, now full of a live key: a fresh token is refused with a message saying why
      const fresh = yield* Effect.flip(BackchannelLogout.validate(yield* logoutToken()))
      expect(fresh).toMatchObject({ _tag: "InvalidLogoutToken", reason: "Replayed", claim: "jti" })
      expect(fresh.message).toContain("replay cache is full")
      const replay = yield* Effect.flip(BackchannelLogout.validate(first))
      expect(replay).toMatchObject({ _tag: "InvalidLogoutToken", reason: "Replayed" })
      expect(replay.message).toContain("seen before")
    }).pipe(Effect.provide(Layer.merge(ClientLive, BackchannelLogout.layerMemory({ capacity: 1 }))))
  )
})
