import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { FakeHttp, Fault } from "@oauth2/testing"
import { Effect, Fiber, TestClock } from "effect"

describe("FakeHttp.make: a fake HttpClient", () => {
  it.effect("answers with the function, records each request with its form and TestClock time", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make((request, index) => FakeHttp.json({ index, scope: request.form.get("scope") }, 201, { "x-test": "1" }))
      yield* TestClock.setTime(5_000)
      const response = yield* http.client.execute(
        HttpClientRequest.post("https://as.example.com/token?x=1").pipe(
          HttpClientRequest.setHeader("Authorization", "Basic abc"),
          HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials", scope: "a b" })
        )
      )
      expect(response.status).toBe(201)
      expect(response.headers["x-test"]).toBe("1")
      expect(yield* response.json).toEqual({ index: 0, scope: "a b" })
      expect(http.seen).toHaveLength(1)
      const [seen] = http.seen
      expect(seen!.method).toBe("POST")
      expect(seen!.url).toBe("https://as.example.com/token?x=1")
      expect(seen!.headers.authorization).toBe("Basic abc")
      expect(seen!.body).toBe("grant_type=client_credentials&scope=a+b")
      expect(seen!.form.get("grant_type")).toBe("client_credentials")
      expect(seen!.at).toBe(5_000)
    })
  )

  it.effect("a reset is a RequestError (Transport); an Effect answer runs when the request arrives", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make((_, index) => (index === 0 ? "reset" : Effect.as(Effect.sleep("10 seconds"), FakeHttp.json({ late: true }))))
      const client = yield* Effect.provide(HttpClient.HttpClient, http.layer)
      const error = yield* Effect.flip(client.get("https://as.example.com/a"))
      expect(error).toMatchObject({ _tag: "RequestError", reason: "Transport" })
      const fiber = yield* Effect.fork(Effect.flatMap(client.get("https://as.example.com/b"), (r) => r.json))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(fiber)).toEqual({ late: true })
      expect(http.seen.map((s) => s.url)).toEqual(["https://as.example.com/a", "https://as.example.com/b"])
    })
  )

  it.effect("fromFault answers a canned Fault", () =>
    Effect.gen(function* () {
      const http = FakeHttp.make(() => FakeHttp.fromFault(Fault.oauthError("invalid_client")))
      const response = yield* http.client.get("https://as.example.com/token")
      expect(response.status).toBe(401)
      expect(response.headers["www-authenticate"]).toBe(`Basic realm="test", error="invalid_client"`)
      expect(yield* response.json).toEqual({ error: "invalid_client" })
      const empty = yield* FakeHttp.make(() => FakeHttp.fromFault(Fault.status(503))).client.get("https://as.example.com/token")
      expect(empty.status).toBe(503)
      expect(yield* empty.text).toBe("")
    })
  )
})

describe("FakeHttp.makeFetch: a fake fetch", () => {
  it("answers with the function and records each request", async () => {
    const fake = FakeHttp.makeFetch((request) => FakeHttp.json({ got: request.form.get("a") }))
    const response = await fake.fetch("https://as.example.com/token", { method: "POST", headers: { "Content-Type": "x" }, body: "a=1" })
    expect(await response.json()).toEqual({ got: "1" })
    expect(fake.seen).toEqual([
      { method: "POST", url: "https://as.example.com/token", headers: { "content-type": "x" }, body: "a=1", form: new URLSearchParams("a=1") }
    ])
  })

  it("a reset rejects as undici does; a pending answer is abandoned on abort", async () => {
    const fake = FakeHttp.makeFetch((_, index) => (index === 0 ? "reset" : Effect.never))
    const reset = await fake.fetch("https://as.example.com/a").catch((e: unknown) => e)
    expect(reset).toBeInstanceOf(TypeError)
    expect((reset as TypeError).cause).toMatchObject({ code: "ECONNRESET" })
    const controller = new AbortController()
    const pending = fake.fetch(new URL("https://as.example.com/b"), { signal: controller.signal }).catch((e: unknown) => e)
    controller.abort()
    expect(await pending).toMatchObject({ name: "AbortError" })
    expect(fake.aborted).toEqual(["https://as.example.com/b"])
  })
})
