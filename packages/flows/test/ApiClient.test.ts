import { HttpBody } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { ApiClient, TokenSource } from "@oauth2/flows"
import type { Bearer } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Effect, Either, Fiber, Schema, TestClock } from "effect"
import { clientLayer, tokenAnswer } from "./support.js"

const withApi = <A, E>(
  respond: (seen: FakeHttp.ClientRequest, index: number) => Response | "reset",
  options: ApiClient.Options,
  use: (api: ApiClient.ApiClient, seen: ReadonlyArray<FakeHttp.ClientRequest>) => Effect.Effect<A, E>
) => {
  const http = FakeHttp.make(respond)
  return ApiClient.make(options).pipe(
    Effect.orDie,
    Effect.flatMap((api) => use(api, http.seen)),
    Effect.provide(http.layer)
  )
}

const ok = () => FakeHttp.json({ ok: true })

describe("ApiClient paths", () => {
  it.effect("joins the base URL and the path, with or without slashes, encoding each segment", () =>
    withApi(ok, { baseUrl: "https://api.example.com/root" }, (api, seen) =>
      Effect.gen(function* () {
        yield* api.get("resource/foo")
        yield* api.get("/resource/foo")
        yield* api.get(["users", 1234, "details"])
        yield* api.get(["users", "auth0|42", "a/b c?d#e"])
        yield* api.get("users/ä ö/")
        yield* api.get()
        expect(seen.map((s) => s.url)).toEqual([
          "https://api.example.com/root/resource/foo",
          "https://api.example.com/root/resource/foo",
          "https://api.example.com/root/users/1234/details",
          "https://api.example.com/root/users/auth0%7C42/a%2Fb%20c%3Fd%23e",
          "https://api.example.com/root/users/%C3%A4%20%C3%B6/",
          "https://api.example.com/root/"
        ])
      })
    )
  )

  it.effect("a path never leaves the base URL: '..', absolute URLs, '//host', '?', empty segments are refused", () =>
    withApi(ok, { baseUrl: "https://api.example.com/root/" }, (api, seen) =>
      Effect.gen(function* () {
        for (const path of [
          "..",
          "../admin",
          "a/../../b",
          "./a",
          "https://evil.example/x",
          "//evil.example/x",
          "a//b",
          "a?x=1",
          "a#frag",
          ["a", ".."],
          ["", "a"],
          [".", "a"]
        ] as const) {
          const error = yield* Effect.flip(api.get(path))
          expect(error._tag, String(path)).toBe("InvalidPath")
        }
        // encoded forms stay inside: a backslash or %2e%2e are just characters of a segment
        yield* api.get("a\\..\\b")
        yield* api.get("%2e%2e/x")
        expect(seen.map((s) => s.url)).toEqual(["https://api.example.com/root/a%5C..%5Cb", "https://api.example.com/root/%252e%252e/x"])
        for (const s of seen) expect(new URL(s.url).pathname.startsWith("/root/")).toBe(true)
      })
    )
  )

  it.effect("a sub-resource client: at(path)", () =>
    withApi(ok, { baseUrl: "https://api.example.com/v2" }, (api, seen) =>
      Effect.gen(function* () {
        const users = api.pipe(ApiClient.at("users"))
        expect(users.baseUrl).toBe("https://api.example.com/v2/users/")
        yield* users.get("42")
        yield* ApiClient.at(users, ["auth0|1", "roles"]).get()
        const bad = ApiClient.at(api, "..")
        expect((yield* Effect.flip(bad.get("x")))._tag).toBe("InvalidPath")
        expect(seen.map((s) => s.url)).toEqual(["https://api.example.com/v2/users/42", "https://api.example.com/v2/users/auth0%7C1/roles/"])
      })
    )
  )

  it("refuses a base URL that is not an absolute http(s) URL without query", () => {
    const http = FakeHttp.make(ok)
    for (const baseUrl of ["api.example.com", "ftp://api.example.com", "https://api.example.com/?x=1", "https://u:p@api.example.com/"]) {
      const made = ApiClient.makeWith(http.client, { baseUrl })
      expect(Either.isLeft(made), baseUrl).toBe(true)
      if (Either.isLeft(made)) expect(made.left._tag).toBe("InvalidBaseUrl")
    }
  })
})

describe("ApiClient requests", () => {
  it.effect("asks for JSON, sends JSON bodies, query parameters and headers", () =>
    withApi(ok, { baseUrl: "https://api.example.com", headers: { "x-client": "flows" } }, (api, seen) =>
      Effect.gen(function* () {
        const response = yield* api.post("users", { json: { name: "alice" }, urlParams: { page: 2 }, headers: { "x-request": "1" } })
        expect(yield* ApiClient.json(response)).toEqual({ ok: true })
        yield* api.put("form", { body: HttpBody.urlParams([["a", "1"]] as never) })
        expect(seen[0]).toMatchObject({
          method: "POST",
          url: "https://api.example.com/users?page=2",
          body: `{"name":"alice"}`
        })
        expect(seen[0]!.headers).toMatchObject({
          accept: "application/json",
          "content-type": "application/json",
          "x-client": "flows",
          "x-request": "1"
        })
        expect(seen[1]!.headers["content-type"]).toBe("application/x-www-form-urlencoded")
        yield* api.get("report", { headers: { accept: "text/csv", "x-client": "report" } })
        expect(seen[2]!.headers).toMatchObject({ accept: "text/csv", "x-client": "report" })
      })
    )
  )

  it.effect("filters statuses by default, with a bounded excerpt; per client and per request it can be switched off", () =>
    Effect.gen(function* () {
      const notFound = () => FakeHttp.json({ error: "not found", padding: "x".repeat(5000) }, 404)
      yield* withApi(notFound, { baseUrl: "https://api.example.com" }, (api) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(api.get("users/1", { urlParams: { secret: "s" } }))
          expect(error).toMatchObject({ _tag: "UnexpectedStatus", status: 404, method: "GET", url: "https://api.example.com/users/1" })
          if (error._tag === "UnexpectedStatus") {
            expect(error.excerpt.startsWith(`{"error":"not found"`)).toBe(true)
            expect(error.excerpt.length).toBeLessThanOrEqual(1024)
          }
          const answered = yield* api.get("users/1", { filterStatus: false })
          expect(answered.status).toBe(404)
        })
      )
      yield* withApi(notFound, { baseUrl: "https://api.example.com", filterStatus: false }, (api) =>
        Effect.gen(function* () {
          expect((yield* api.get("users/1")).status).toBe(404)
          expect((yield* Effect.flip(api.get("users/1", { filterStatus: true })))._tag).toBe("UnexpectedStatus")
        })
      )
    })
  )

  it.effect("maps transport failures and bad JSON to ApiError", () =>
    Effect.gen(function* () {
      yield* withApi(
        () => "reset",
        { baseUrl: "https://api.example.com" },
        (api) =>
          Effect.gen(function* () {
            expect(yield* Effect.flip(api.get("a"))).toMatchObject({ _tag: "ApiError", reason: "Transport", url: "https://api.example.com/a" })
          })
      )
      yield* withApi(
        () => new Response("<html>", { status: 200 }),
        { baseUrl: "https://api.example.com" },
        (api) =>
          Effect.gen(function* () {
            const error = yield* Effect.flip(Effect.flatMap(api.get("a"), ApiClient.json))
            expect(error).toMatchObject({ _tag: "ApiError", reason: "Decode" })
          })
      )
      const circular: Record<string, unknown> = {}
      circular.self = circular
      yield* withApi(ok, { baseUrl: "https://api.example.com" }, (api, seen) =>
        Effect.gen(function* () {
          expect(yield* Effect.flip(api.post("a", { json: circular }))).toMatchObject({ _tag: "ApiError", reason: "Encode" })
          expect(seen.length).toBe(0)
        })
      )
    })
  )

  it.effect("decodes with a schema", () =>
    withApi(
      () => FakeHttp.json({ user_id: "u1", email: 3 }),
      { baseUrl: "https://api.example.com" },
      (api) =>
        Effect.gen(function* () {
          const User = Schema.Struct({ user_id: Schema.String })
          expect(yield* Effect.flatMap(api.get("u"), ApiClient.schemaJson(User))).toEqual({ user_id: "u1" })
          const Strict = Schema.Struct({ email: Schema.String })
          expect(yield* Effect.flip(Effect.flatMap(api.get("u"), ApiClient.schemaJson(Strict)))).toMatchObject({ _tag: "ApiError", reason: "Decode" })
        })
    )
  )

  it.effect("with a token source: bearer header, and its errors pass through", () =>
    Effect.gen(function* () {
      const as = FakeHttp.make(() => tokenAnswer())
      const http = FakeHttp.make(ok)
      const result = yield* Effect.gen(function* () {
        const source = yield* TokenSource.make({ grant: TokenRequest.clientCredentials({ audience: "https://api.example.com/" }) })
        const api = yield* ApiClient.make({ baseUrl: "https://api.example.com", tokenSource: source })
        return yield* api.get("me")
      }).pipe(Effect.scoped, Effect.provide(http.layer), Effect.provide(clientLayer(as)))
      expect(result.status).toBe(200)
      expect(http.seen[0]!.headers.authorization).toMatch(/^Bearer AT-/)
      expect(as.seen[0]!.form.get("audience")).toBe("https://api.example.com/")
    })
  )
})

describe("ApiClient: cleartext, timeout, query encoding, absolute URLs (issue 13)", () => {
  const withSourceApi = <A, E>(
    respond: (seen: FakeHttp.ClientRequest, index: number) => Response | "reset" | Effect.Effect<Response>,
    options: ApiClient.Options,
    use: (
      api: ApiClient.ApiClient<TokenSource.TokenSourceError | Bearer.ExpiredAccessToken>,
      seen: ReadonlyArray<FakeHttp.ClientRequest>
    ) => Effect.Effect<A, E>
  ) => {
    const as = FakeHttp.make(() => tokenAnswer())
    const http = FakeHttp.make(respond)
    return Effect.gen(function* () {
      const source = yield* TokenSource.make({ grant: TokenRequest.clientCredentials() })
      const api = yield* ApiClient.make({ ...options, tokenSource: source })
      return yield* use(api, http.seen)
    }).pipe(Effect.scoped, Effect.provide(http.layer), Effect.provide(clientLayer(as)))
  }

  it.effect("a token source on a plain http base URL off loopback is refused, unless allowInsecureHttp", () =>
    Effect.gen(function* () {
      const refused = yield* Effect.flip(withSourceApi(ok, { baseUrl: "http://api.example.com" }, (api) => api.get("me")))
      expect(refused).toMatchObject({ _tag: "InvalidBaseUrl" })
      // look-alike hosts are DNS names, not loopback addresses
      for (const baseUrl of ["http://127.evil.com", "http://localhost.evil.com"]) {
        expect(yield* Effect.flip(withSourceApi(ok, { baseUrl }, (api) => api.get("me")))).toMatchObject({ _tag: "InvalidBaseUrl" })
      }
      const seen = yield* withSourceApi(ok, { baseUrl: "http://api.example.com", allowInsecureHttp: true }, (api, seen) =>
        Effect.as(api.get("me"), seen)
      )
      expect(seen[0]!.headers.authorization).toMatch(/^Bearer /)
      const loopback = yield* withSourceApi(ok, { baseUrl: "http://127.0.0.1:8080" }, (api, seen) => Effect.as(api.get("me"), seen))
      expect(loopback.length).toBe(1)
    })
  )

  it.effect("a timeout per client and per request: ApiError (Timeout)", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => Effect.as(Effect.sleep("10 seconds"), FakeHttp.json({ ok: true })))
      const api = yield* Effect.orDie(ApiClient.make({ baseUrl: "https://api.example.com", timeout: "5 seconds" })).pipe(Effect.provide(http.layer))
      const fiber = yield* Effect.fork(Effect.flip(api.get("slow")))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ApiError", reason: "Timeout" })
      const fiber2 = yield* Effect.fork(Effect.flip(api.get("slow", { timeout: "1 second" })))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber2)).toMatchObject({ _tag: "ApiError", reason: "Timeout" })
    })
  )

  it.effect("booleans and absent values in query strings: chosen per client", () =>
    Effect.gen(function* () {
      const params = { a: true, b: false, c: null, d: undefined, e: "x" }
      const byDefault = yield* withApi(ok, { baseUrl: "https://api.example.com" }, (api, seen) =>
        Effect.as(api.get("q", { urlParams: params }), seen)
      )
      expect(new URL(byDefault[0]!.url).search).toBe("?a=true&b=false&e=x")
      const numeric = yield* withApi(ok, { baseUrl: "https://api.example.com", query: { booleans: "1/0", absent: "empty" } }, (api, seen) =>
        Effect.as(api.get("q", { urlParams: params }), seen)
      )
      expect(new URL(numeric[0]!.url).search).toBe("?a=1&b=0&c=&d=&e=x")
      const presence = yield* withApi(ok, { baseUrl: "https://api.example.com", query: { booleans: "presence" } }, (api, seen) =>
        Effect.as(api.get("q", { urlParams: params }), seen)
      )
      expect(new URL(presence[0]!.url).search).toBe("?a=&e=x")
    })
  )

  it.effect("an absolute URL on the base URL's origin is called as is (a next-page link); another origin is refused", () =>
    withSourceApi(ok, { baseUrl: "https://api.example.com/v1" }, (api, seen) =>
      Effect.gen(function* () {
        yield* api.get(new URL("https://api.example.com/v1/users?page=2"))
        yield* api.get("https://api.example.com/other?cursor=abc", { urlParams: { limit: 5 } })
        expect(seen.map((s) => s.url)).toEqual(["https://api.example.com/v1/users?page=2", "https://api.example.com/other?cursor=abc&limit=5"])
        expect(seen[0]!.headers.authorization).toMatch(/^Bearer /)
        for (const other of ["https://evil.example.com/steal", "http://api.example.com/v1/users", "https://api.example.com:8443/x"]) {
          expect(yield* Effect.flip(api.get(other))).toMatchObject({ _tag: "InvalidPath" })
        }
        expect(seen.length).toBe(2)
      })
    )
  )
})
