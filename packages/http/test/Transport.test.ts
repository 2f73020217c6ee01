import { assert, describe, it } from "@effect/vitest"
import { FetchHttpClient } from "@effect/platform"
import { Params } from "@oauth2/core"
import { Transport } from "@oauth2/http"
import * as NodeTransport from "@oauth2/http/NodeTransport"
import { FakeHttp } from "@oauth2/testing"
import { Cause, Context, Duration, Effect, Either, FastCheck as fc, Fiber, Layer, Redacted, Schedule, TestClock } from "effect"
import { EventEmitter } from "node:events"
import { createServer } from "node:http"
import { inspect } from "node:util"
import { gzipSync } from "node:zlib"
import type { AddressInfo } from "node:net"
import type { Dispatcher } from "undici"

const tokenPost = (retry = false): Transport.Request<"token"> => ({
  endpoint: "token",
  method: "POST",
  url: "https://as.example.com/token",
  params: Params.make({ grant_type: "client_credentials", scope: "a b", secret: Redacted.make("s3cr&t é") }),
  headers: { authorization: Redacted.make("Basic xyz") },
  retry
})

/** The in-memory network every implementation runs over: a fake `fetch`. */
const FakeFetch = Context.GenericTag<"FakeFetch", typeof globalThis.fetch>("test/FakeFetch")

/**
 * An undici dispatcher that answers from a `fetch`: the Node.js transport's undici `request` runs for real (its request
 * handler, body stream, abort) over the same in-memory network as the other implementations.
 */
const fetchDispatcher = (fetch: typeof globalThis.fetch): Dispatcher => {
  const dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean => {
    const controller = new AbortController()
    let finished = false
    const finish = (error?: Error) => {
      if (finished) return
      finished = true
      if (error === undefined) handler.onComplete?.([])
      else handler.onError?.(error)
    }
    // backpressure as undici's own clients do it: after onData answers false, wait until the body asks for more
    let wake: (() => void) | undefined
    const resume = () => {
      const w = wake
      wake = undefined
      w?.()
    }
    handler.onConnect?.((reason) => {
      controller.abort()
      resume()
      finish(reason instanceof Error ? reason : new Error("aborted"))
    })
    const headers = new globalThis.Headers()
    const given = options.headers ?? {}
    if (Array.isArray(given)) for (let i = 0; i < given.length; i += 2) headers.append(String(given[i]), String(given[i + 1]))
    else for (const [k, v] of Object.entries(given)) if (v !== undefined) headers.append(k, String(v))
    const init: RequestInit = { method: options.method, headers, signal: controller.signal }
    if (typeof options.body === "string") init.body = options.body
    fetch(new URL(options.path, options.origin).href, init)
      .then(async (response) => {
        if (finished) return
        const raw: Array<Buffer> = []
        response.headers.forEach((value, name) => raw.push(Buffer.from(name), Buffer.from(value)))
        handler.onHeaders?.(response.status, raw, resume, response.statusText)
        if (response.body !== null) {
          const reader = response.body.getReader()
          for (;;) {
            const next = await reader.read()
            if (finished) return void reader.cancel().catch(() => undefined)
            if (next.done) break
            if (handler.onData?.(Buffer.from(next.value)) === false) await new Promise<void>((r) => (wake = r))
          }
        }
        finish()
      })
      .catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))))
    return true
  }
  return Object.assign(new EventEmitter(), { dispatch, close: () => Promise.resolve(), destroy: () => Promise.resolve() }) as unknown as Dispatcher
}

/** Every implementation of the transport: each must pass the same contract. */
const implementations: ReadonlyArray<{
  readonly name: string
  readonly make: (fetch: typeof globalThis.fetch, options?: Transport.Options) => Effect.Effect<Transport.Transport>
}> = [
  { name: "fetch (layerFetch)", make: (fetch, options) => Effect.sync(() => Transport.makeFetch({ ...options, fetch })) },
  {
    name: "undici request (NodeTransport)",
    make: (fetch, options) => Effect.sync(() => NodeTransport.make({ ...options, dispatcher: fetchDispatcher(fetch) }))
  },
  {
    name: "HttpClient (layer)",
    make: (fetch, options) =>
      Effect.map(Transport.make(options).pipe(Effect.provide(FetchHttpClient.layer)), (t) => ({
        ...t,
        // the platform's fetch client reads its `fetch` from the calling fiber
        send: (request) => Effect.provideService(t.send(request), FetchHttpClient.Fetch, fetch)
      }))
  }
]

describe.each(implementations)("Transport contract: $name", (impl) => {
  const fakeClient = (respond: FakeHttp.Respond<FakeHttp.Request>) => {
    const fake = FakeHttp.makeFetch(respond)
    return { ...fake, layer: Layer.succeed(FakeFetch, fake.fetch) }
  }
  const makeTransport = (options?: Transport.Options) => Effect.flatMap(FakeFetch, (fetch) => impl.make(fetch, options))

  const run = <A, E>(
    respond: FakeHttp.Respond<FakeHttp.Request>,
    program: (t: Transport.Transport) => Effect.Effect<A, E>,
    options?: Transport.Options
  ) => {
    const fake = fakeClient(respond)
    return Effect.flatMap(makeTransport(options), program).pipe(
      Effect.provide(fake.layer),
      Effect.map((a) => ({ result: a, seen: fake.seen }))
    )
  }

  it.effect("posts UTF-8 form bodies that ask for JSON", () =>
    Effect.gen(function* () {
      const { result, seen } = yield* run(
        () => FakeHttp.json({ ok: true }),
        (t) => t.send(tokenPost())
      )
      assert.strictEqual(seen.length, 1)
      const s = seen[0]!
      assert.strictEqual(s.method, "POST")
      assert.strictEqual(s.url, "https://as.example.com/token")
      assert.strictEqual(s.headers["content-type"], "application/x-www-form-urlencoded;charset=UTF-8")
      assert.strictEqual(s.headers["accept"], "application/json")
      assert.strictEqual(s.headers["authorization"], "Basic xyz")
      assert.strictEqual(s.body, "grant_type=client_credentials&scope=a+b&secret=s3cr%26t+%C3%A9")
      assert.strictEqual(result.status, 200)
      assert.strictEqual(result.contentType, "application/json")
      assert.deepStrictEqual(Either.getOrThrow(Transport.json("token", result)), { ok: true })
    })
  )

  it.effect("maps a JSON error body to its tag with the status", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        run(
          () => FakeHttp.json({ error: "invalid_client", error_description: "bad secret" }, 401),
          (t) => t.send(tokenPost())
        )
      )
      assert.containSubset(error, { _tag: "InvalidClient", status: 401, description: "bad secret", endpoint: "token" })
    })
  )

  it.effect("maps a WWW-Authenticate bearer challenge", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        run(
          () =>
            new Response("", {
              status: 401,
              headers: { "www-authenticate": 'Bearer realm="x", error="invalid_token", error_description="The access token expired"' }
            }),
          (t) => t.send({ endpoint: "userinfo", method: "GET", url: "https://as.example.com/me", retry: true })
        )
      )
      assert.containSubset(error, { _tag: "InvalidToken", status: 401, description: "The access token expired", endpoint: "userinfo" })
    })
  )

  it.effect("treats a 2xx answer carrying an OAuth error as that error (GitHub's device flow does this)", () =>
    Effect.gen(function* () {
      const pending = yield* Effect.flip(
        run(
          () => FakeHttp.json({ error: "authorization_pending" }),
          (t) => t.send(tokenPost())
        )
      )
      assert.containSubset(pending, { _tag: "AuthorizationPending", status: 200 })
      const revoked = yield* Effect.flip(
        run(
          () => FakeHttp.json({ error: "unsupported_token_type" }),
          (t) => t.send({ ...tokenPost(), endpoint: "revocation" })
        )
      )
      assert.containSubset(revoked, { _tag: "UnsupportedTokenType" })
      // a token answer that happens to have an `error` member is still a token answer
      const { result } = yield* run(
        () => FakeHttp.json({ access_token: "a", token_type: "Bearer", error: "none" }),
        (t) => t.send(tokenPost())
      )
      assert.strictEqual(result.status, 200)
    })
  )

  it.effect("finds the Bearer challenge among several in WWW-Authenticate", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        run(
          () =>
            new Response("", {
              status: 401,
              headers: {
                "www-authenticate": 'Basic realm="api", Bearer realm="api", error="invalid_token", error_description="expired", DPoP algs="ES256"'
              }
            }),
          (t) => t.send({ endpoint: "resource", method: "GET", url: "https://api.example.com/x", retry: false })
        )
      )
      assert.containSubset(error, { _tag: "InvalidToken", description: "expired" })
    })
  )

  it.effect("reads the error of the first Bearer or DPoP challenge that has one; __proto__ is an ordinary parameter", () =>
    Effect.gen(function* () {
      const answer = (challenge: string) => () => new Response("", { status: 401, headers: { "www-authenticate": challenge } })
      const resource = { endpoint: "resource", method: "GET", url: "https://api.example.com/x", retry: false } as const
      const second = yield* Effect.flip(
        run(answer(`DPoP algs="ES256", Bearer realm="api", error="invalid_token", error_description="expired"`), (t) => t.send(resource))
      )
      assert.containSubset(second, { _tag: "InvalidToken", status: 401, description: "expired" })
      const hostile = yield* Effect.flip(
        run(answer(`Bearer __proto__="x", constructor="y", error="insufficient_scope", error_description="needs write"`), (t) => t.send(resource))
      )
      assert.containSubset(hostile, { _tag: "InsufficientScope", status: 401, description: "needs write" })
      assert.strictEqual(({} as Record<string, unknown>)["x"], undefined)
      // no error in any Bearer challenge: not an OAuth error answer
      const none = yield* Effect.flip(run(answer(`Basic realm="api", error="invalid_token", Bearer realm="api"`), (t) => t.send(resource)))
      assert.containSubset(none, { _tag: "UnexpectedResponse", status: 401 })
    })
  )

  it.effect("gives UnexpectedResponse for an HTML error page, with a bounded excerpt", () =>
    Effect.gen(function* () {
      const html = "<html><body>" + "Bad Gateway ".repeat(1000) + "</body></html>"
      const error = yield* Effect.flip(
        run(
          () => new Response(html, { status: 502, headers: { "content-type": "text/html; charset=utf-8" } }),
          (t) => t.send(tokenPost())
        )
      )
      assert.strictEqual(error._tag, "UnexpectedResponse")
      if (error._tag !== "UnexpectedResponse") return
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.contentType, "text/html")
      assert.isAtMost(error.excerpt.length, 1024)
      assert.include(error.excerpt, "Bad Gateway")
    })
  )

  it.effect("gives UnexpectedResponse for an empty error body and for non-object JSON", () =>
    Effect.gen(function* () {
      const empty = yield* Effect.flip(
        run(
          () => new Response(null, { status: 400 }),
          (t) => t.send(tokenPost())
        )
      )
      assert.containSubset(empty, { _tag: "UnexpectedResponse", status: 400 })
      const array = yield* Effect.flip(
        run(
          () => FakeHttp.json(["error"], 400),
          (t) => t.send(tokenPost())
        )
      )
      assert.containSubset(array, { _tag: "UnexpectedResponse", status: 400 })
    })
  )

  it.effect("never follows a redirect", () =>
    Effect.gen(function* () {
      const { seen, error } = yield* Effect.gen(function* () {
        const fake = fakeClient(() => new Response(null, { status: 302, headers: { location: "https://evil.example/token" } }))
        const error = yield* Effect.flip(Effect.flatMap(makeTransport(), (t) => t.send(tokenPost(true))).pipe(Effect.provide(fake.layer)))
        return { seen: fake.seen, error }
      })
      assert.containSubset(error, { _tag: "UnexpectedRedirect", status: 302, location: "https://evil.example/token" })
      assert.strictEqual(seen.length, 1)
    })
  )

  it.effect("refuses an answer over the size limit, declared or streamed", () =>
    Effect.gen(function* () {
      const declared = yield* Effect.flip(
        run(
          () => FakeHttp.json({ pad: "x".repeat(2000) }),
          (t) => t.send(tokenPost()),
          { maxResponseBytes: 1000 }
        )
      )
      assert.containSubset(declared, { _tag: "ResponseTooLarge", limitBytes: 1000 })
      const lengthy = () => new Response("x".repeat(2000), { status: 200, headers: { "content-length": "2000" } })
      assert.containSubset(yield* Effect.flip(run(lengthy, (t) => t.send(tokenPost()), { maxResponseBytes: 1000 })), { _tag: "ResponseTooLarge" })
    })
  )

  it.effect("stops reading an endless body shortly after the limit", () =>
    Effect.gen(function* () {
      let pulled = 0
      // endless as far as a reader within the limit can tell; it ends after 16 MiB so that a reader without a limit
      // gets a (wrong) success quickly instead of hanging the suite
      const chunk = 64 * 1024
      const endless = () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              pulled++
              if (pulled * chunk > 16 * 1024 * 1024) controller.close()
              else controller.enqueue(new Uint8Array(chunk))
            }
          }),
          { status: 200 }
        )
      const streamed = yield* run(endless, (t) => t.send(tokenPost())).pipe(
        // a success would carry the whole body: say how long it was rather than print it
        Effect.map(({ result }) => `read ${result.body.length} characters without a limit`),
        Effect.flip
      )
      assert.containSubset(streamed, { _tag: "ResponseTooLarge", limitBytes: 1024 * 1024 })
      // it stopped reading shortly after the limit instead of holding the whole body
      assert.isAtMost(pulled, (1024 * 1024) / chunk + 3)
    })
  )

  it.effect("times out under the TestClock", () =>
    Effect.gen(function* () {
      const fake = fakeClient(() => Effect.never)
      const fiber = yield* Effect.fork(
        Effect.flatMap(makeTransport({ timeout: "5 seconds" }), (t) => t.send(tokenPost())).pipe(Effect.provide(fake.layer), Effect.flip)
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.containSubset(error, { _tag: "Timeout", timeoutMillis: 5000, endpoint: "token" })
      // the request was aborted, not left running
      assert.deepStrictEqual(fake.aborted, ["https://as.example.com/token"])
    })
  )

  it.effect("interruption aborts the request", () =>
    Effect.gen(function* () {
      const fake = fakeClient(() => Effect.never)
      const fiber = yield* Effect.fork(Effect.flatMap(makeTransport(), (t) => t.send(tokenPost())).pipe(Effect.provide(fake.layer)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(fake.seen.length, 1)
      yield* Fiber.interrupt(fiber)
      assert.deepStrictEqual(fake.aborted, ["https://as.example.com/token"])
    })
  )

  it.effect("retries transient failures of repeatable requests with backoff, and only those", () =>
    Effect.gen(function* () {
      const answers = ["reset", "reset", "reset"] as const
      const fake = fakeClient((_, i) => (i < answers.length ? answers[i]! : FakeHttp.json({ ok: 1 })))
      const fiber = yield* Effect.fork(Effect.flatMap(makeTransport(), (t) => t.send(tokenPost(true))).pipe(Effect.provide(fake.layer)))
      yield* TestClock.adjust("250 millis")
      assert.strictEqual(fake.seen.length, 2)
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(fake.seen.length, 3)
      yield* TestClock.adjust("1 second")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(fake.seen.length, 4)

      const once = fakeClient(() => "reset")
      const error = yield* Effect.flip(Effect.flatMap(makeTransport(), (t) => t.send(tokenPost(false))).pipe(Effect.provide(once.layer)))
      assert.containSubset(error, { _tag: "RequestFailed", reason: "Transport" })
      assert.include(error.message, "ECONNRESET")
      assert.strictEqual(once.seen.length, 1)
    })
  )

  it.effect("honours Retry-After on 503 and 429, and gives up after the policy", () =>
    Effect.gen(function* () {
      const fake = fakeClient((_, i) =>
        i === 0 ? FakeHttp.json({ error: "temporarily_unavailable" }, 503, { "retry-after": "10" }) : FakeHttp.json({ ok: 1 })
      )
      const fiber = yield* Effect.fork(
        Effect.flatMap(makeTransport(), (t) => t.send({ ...tokenPost(true), endpoint: "introspection" })).pipe(Effect.provide(fake.layer))
      )
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(fake.seen.length, 1)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.strictEqual(fake.seen.length, 2)

      const always = fakeClient(() => new Response("busy", { status: 429 }))
      const gaveUp = yield* Effect.fork(
        Effect.flatMap(makeTransport(), (t) => t.send(tokenPost(true))).pipe(Effect.provide(always.layer), Effect.flip)
      )
      yield* TestClock.adjust("1 minute")
      assert.containSubset(yield* Fiber.join(gaveUp), { _tag: "UnexpectedResponse", status: 429 })
      assert.strictEqual(always.seen.length, 4)
    })
  )

  /** The `retryAfter` a retry schedule is given for one 503 answer with this `Retry-After`, the clock at `now`. */
  const retryAfterOf = (header: string, now: number) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(now)
      const inputs: Array<Transport.RetryInput> = []
      // a policy that records what it is given and never retries: no clock to advance
      const retry = Schedule.recurs(0).pipe(Schedule.tapInput((input: Transport.RetryInput) => Effect.sync(() => inputs.push(input))))
      yield* Effect.flip(
        run(
          () => new Response("busy", { status: 503, headers: { "retry-after": header } }),
          (t) => t.send(tokenPost(true)),
          { retry }
        )
      )
      assert.strictEqual(inputs.length, 1)
      return inputs[0]!.retryAfter === undefined ? undefined : Duration.toMillis(inputs[0]!.retryAfter)
    })
  const epochSeconds = fc.integer({ min: 0, max: 4_000_000_000 })

  it.effect.prop(
    "Retry-After in seconds: that long, at most a minute",
    [fc.nat({ max: 10_000_000 }), epochSeconds],
    ([seconds, now]) =>
      Effect.gen(function* () {
        assert.strictEqual(yield* retryAfterOf(String(seconds), now * 1000), Math.min(seconds, 60) * 1000)
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect.prop(
    "Retry-After as an HTTP date: until then, none when past, at most a minute",
    [fc.integer({ min: -1000, max: 1000 }), epochSeconds],
    ([seconds, now]) =>
      Effect.gen(function* () {
        const date = new Date((now + seconds) * 1000).toUTCString()
        assert.strictEqual(yield* retryAfterOf(date, now * 1000), Math.min(Math.max(seconds, 0), 60) * 1000, date)
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect.prop(
    "any other Retry-After is ignored or bounded, never a failure of its own",
    [fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("-1", "1.5", " 7 ", "0x10", "1e3", "Infinity", "Tue, 99 Foo 2024", ""))],
    ([header]) =>
      Effect.gen(function* () {
        // the fetch Headers API refuses some values (control characters): those cannot arrive from a server either
        if (!/^[\t\x20-\x7e]*$/.test(header)) return
        const millis = yield* retryAfterOf(header, 1_700_000_000_000)
        if (millis !== undefined) {
          assert.isAtLeast(millis, 0)
          assert.isAtMost(millis, 60_000)
        }
      }),
    { fastCheck: { numRuns: 30 } }
  )

  it.effect("does not retry a single-use request after a 5xx answer", () =>
    Effect.gen(function* () {
      const fake = fakeClient(() => FakeHttp.json({ error: "server_error" }, 500))
      const error = yield* Effect.flip(Effect.flatMap(makeTransport(), (t) => t.send(tokenPost(false))).pipe(Effect.provide(fake.layer)))
      assert.containSubset(error, { _tag: "ServerError", status: 500 })
      assert.strictEqual(fake.seen.length, 1)
    })
  )

  it.effect("refuses non-https and malformed URLs before sending", () =>
    Effect.gen(function* () {
      const fake = fakeClient(() => FakeHttp.json({}))
      const t = yield* makeTransport().pipe(Effect.provide(fake.layer))
      for (const url of [
        "http://as.example.com/token",
        // look-alike hosts are DNS names, not loopback addresses
        "http://127.evil.com/token",
        "http://127.0.0.1.evil.com/token",
        "http://localhost.evil.com/token",
        "ftp://as.example.com/token",
        "not a url",
        "",
        "https://u:p@as.example.com/t"
      ]) {
        const error = yield* Effect.flip(t.send({ ...tokenPost(), url }))
        assert.containSubset(error, { _tag: "RequestFailed", reason: "InvalidUrl" })
      }
      assert.strictEqual(fake.seen.length, 0)
      assert.isTrue(t.validateUrl("x", "http://127.0.0.1:8080/token")._tag === "Right")
      assert.isTrue(t.validateUrl("x", "http://127.0.0.2:8080/token")._tag === "Right")
      assert.isTrue(t.validateUrl("x", "http://localhost/token")._tag === "Right")
      assert.isTrue(t.validateUrl("x", "http://[::1]:80/token")._tag === "Right")
      const insecure = yield* makeTransport({ allowInsecureHttp: true }).pipe(Effect.provide(fake.layer))
      assert.isTrue(insecure.validateUrl("x", "http://as.internal/token")._tag === "Right")
    })
  )

  it.effect("never renders a secret in an error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        run(
          () => "reset",
          (t) => t.send(tokenPost())
        )
      )
      assert.notInclude(JSON.stringify(error), "s3cr")
      assert.notInclude(JSON.stringify(error), "xyz")
    })
  )
})

/** A fetch that answers `{ ok: true }` and keeps the RequestInit of every call. */
const recordingFetch = () => {
  const inits: Array<RequestInit> = []
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    inits.push(init ?? {})
    return new Response(JSON.stringify({ ok: true }), { headers: { "content-type": "application/json" } })
  }
  return { fetch, inits }
}

describe("Transport over a custom fetch", () => {
  it.effect("keeps the caller's RequestInit (proxy dispatcher, client certificate) and adds redirect: manual", () =>
    Effect.gen(function* () {
      const { fetch, inits } = recordingFetch()
      const dispatcher = { name: "mtls-agent" }
      const TransportMtls = Transport.layer().pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)),
        Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { dispatcher } as RequestInit))
      )
      yield* Transport.send(tokenPost()).pipe(Effect.provide(TransportMtls))
      assert.strictEqual(inits.length, 1)
      assert.strictEqual(inits[0]!.redirect, "manual")
      assert.strictEqual((inits[0] as any).dispatcher, dispatcher)
    })
  )

  it.effect("the fetch transport takes the fetch and RequestInit as options; its own fields win", () =>
    Effect.gen(function* () {
      const { fetch, inits } = recordingFetch()
      const dispatcher = { name: "mtls-agent" }
      const TransportMtls = Transport.layerFetch({ fetch, requestInit: { dispatcher, redirect: "follow", method: "PUT" } as RequestInit })
      yield* Transport.send(tokenPost()).pipe(Effect.provide(TransportMtls))
      assert.strictEqual(inits.length, 1)
      assert.strictEqual(inits[0]!.redirect, "manual")
      assert.strictEqual(inits[0]!.method, "POST")
      assert.strictEqual((inits[0] as any).dispatcher, dispatcher)
    })
  )
})

describe.each([
  { name: "fetch (layerFetch)", layerOf: (options: Transport.Options) => Transport.layerFetch(options) },
  { name: "undici request (NodeTransport)", layerOf: (options: Transport.Options) => NodeTransport.layer(options) },
  { name: "HttpClient (layer)", layerOf: (options: Transport.Options) => Transport.layer(options).pipe(Layer.provide(FetchHttpClient.layer)) }
])("Transport over real fetch: $name", ({ layerOf }) => {
  const TransportLive = layerOf({ timeout: Duration.seconds(10) })
  const withServer = <A, E>(handler: Parameters<typeof createServer>[1], use: (base: string) => Effect.Effect<A, E, Transport.Transport>) =>
    Effect.acquireUseRelease(
      Effect.async<ReturnType<typeof createServer>>((resume) => {
        const server = createServer(handler)
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).pipe(Effect.provide(TransportLive)),
      (server) =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )

  it.live("does not follow redirects with fetch", () =>
    withServer(
      (req, res) => {
        if (req.url === "/token") res.writeHead(307, { location: "/elsewhere" }).end()
        else res.writeHead(200, { "content-type": "application/json" }).end("{}")
      },
      (base) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(Transport.send({ ...tokenPost(), url: `${base}/token` }))
          assert.containSubset(error, { _tag: "UnexpectedRedirect", status: 307, location: "/elsewhere" })
        })
    )
  )

  it.live("stops reading a chunked body past the limit", () =>
    withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        const chunk = "x".repeat(64 * 1024)
        let sent = 0
        const write = () => {
          while (sent < 64 && res.write(chunk)) sent++
          if (sent < 64) res.once("drain", write)
          else res.end()
        }
        write()
      },
      (base) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(Transport.send({ ...tokenPost(), url: `${base}/token` }))
          assert.containSubset(error, { _tag: "ResponseTooLarge" })
        })
    )
  )

  it.live("maps a refused connection to RequestFailed, with the socket error code", () =>
    Effect.gen(function* () {
      // a port that was free a moment ago: nothing listens there
      const port = yield* Effect.async<number>((resume) => {
        const server = createServer()
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo
          server.close(() => resume(Effect.succeed(port)))
        })
      })
      const error = yield* Effect.flip(Transport.send({ ...tokenPost(), url: `http://127.0.0.1:${port}/token` }))
      assert.containSubset(error, { _tag: "RequestFailed", reason: "Transport" })
      assert.include(error.message, "ECONNREFUSED")
      // the fetch error is kept as cause; the socket error, with its code, is in its cause chain
      assert.instanceOf(error, Error)
      assert.instanceOf(error.cause, Error)
      const codes: Array<unknown> = []
      for (let c: unknown = error.cause; c instanceof Error; c = c.cause) codes.push((c as { code?: unknown }).code)
      assert.include(codes, "ECONNREFUSED")
      // the request (its secret parameter, its Authorization header) is never part of the error
      for (const shown of [String(error), JSON.stringify(error), inspect(error, { depth: 8 }), Cause.pretty(Cause.fail(error))]) {
        assert.notInclude(shown, "s3cr")
        assert.notInclude(shown, "xyz")
      }
    }).pipe(Effect.provide(TransportLive))
  )

  it.live("reads the exact bytes of chunked and Content-Length answers (UTF-8 split across chunks)", () => {
    const text = JSON.stringify({ access_token: "é€😀".repeat(3000), token_type: "Bearer" })
    const bytes = Buffer.from(text, "utf8")
    return withServer(
      (req, res) => {
        if (req.url === "/length") return res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length }).end(bytes)
        res.writeHead(200, { "content-type": "application/json" })
        // odd-sized chunks cut multi-byte characters in half
        for (let i = 0; i < bytes.length; i += 1001) res.write(bytes.subarray(i, i + 1001))
        res.end()
      },
      (base) =>
        Effect.gen(function* () {
          for (const path of ["/length", "/chunked"]) {
            const response = yield* Transport.send({ ...tokenPost(), url: `${base}${path}` })
            assert.strictEqual(response.body, text)
            assert.strictEqual(response.headers["content-type"], "application/json")
            assert.strictEqual(response.contentType, "application/json")
          }
        })
    )
  })

  it.live("stops at the limit on a decompressed body (a gzip bomb), whatever its compressed length", () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20))
    return withServer(
      (_req, res) => res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": bomb.length }).end(bomb),
      (base) =>
        Effect.gen(function* () {
          assert.isBelow(bomb.length, 64 * 1024)
          const error = yield* Effect.flip(Transport.send({ ...tokenPost(), url: `${base}/token` }))
          assert.containSubset(error, { _tag: "ResponseTooLarge", limitBytes: 1024 * 1024 })
        })
    )
  })

  it.live("stops reading an endless chunked body shortly after the limit", () => {
    let written = 0
    return withServer(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        const chunk = Buffer.alloc(16 * 1024, 0x20)
        // endless, but bounded for the test's sake: a reader that never stops reads all 48 MiB (about a second) and
        // gets a wrong success, which fails the test instead of hanging it
        const bound = 48 * 1024 * 1024
        const write = () => {
          while (written < bound && !res.destroyed && res.write(chunk)) written += chunk.length
          if (written < bound && !res.destroyed) res.once("drain", write)
          else if (!res.destroyed) res.end()
        }
        res.on("close", () => undefined)
        write()
      },
      (base) =>
        Effect.gen(function* () {
          const error = yield* Transport.send({ ...tokenPost(), url: `${base}/token` }).pipe(
            // a success would carry the whole body: say how long it was rather than print it
            Effect.map((response) => `read ${response.body.length} characters without a limit`),
            // and a bound in time: a reader that stalls fails here, well before the test's own 30 s limit
            Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => "the read did not stop within 20 s" }),
            Effect.flip
          )
          assert.containSubset(error, { _tag: "ResponseTooLarge" })
          // the connection was dropped: what the server managed to write is bounded by socket buffers, not the body
          assert.isBelow(written, 32 * 1024 * 1024)
        })
    )
  })

  it.live("times out on the live clock and drops the connection", () => {
    let closed = false
    return withServer(
      (req, res) => {
        res.on("close", () => (closed = true))
        req.resume()
      },
      (base) =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(
            Transport.send({ ...tokenPost(), url: `${base}/token` }).pipe(Effect.provide(layerOf({ timeout: "300 millis", retry: false })))
          )
          assert.containSubset(error, { _tag: "Timeout", timeoutMillis: 300 })
          // real time on a loaded machine: wait up to 20 s (the test's own limit is 30 s), checking every 20 ms
          for (let i = 0; i < 1000 && !closed; i++) yield* Effect.sleep("20 millis")
          assert.isTrue(closed)
        })
    )
  })

  it.live("interruption aborts the request on the wire", () => {
    let received = false
    let closed = false
    return withServer(
      (req, res) => {
        // never answers; notices when the client goes away
        received = true
        res.on("close", () => (closed = true))
        req.resume()
      },
      (base) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Transport.send({ ...tokenPost(), url: `${base}/token` }))
          // real time on a loaded machine: up to 10 s for each wait (the test's own limit is 30 s)
          for (let i = 0; i < 500 && !received; i++) yield* Effect.sleep("20 millis")
          assert.isTrue(received)
          yield* Fiber.interrupt(fiber)
          for (let i = 0; i < 500 && !closed; i++) yield* Effect.sleep("20 millis")
          assert.isTrue(closed)
        })
    )
  })
})
