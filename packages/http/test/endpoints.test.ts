/**
 * Every endpoint of the client service fed good answers, every standard error code and malformed answers: each gives
 * the right typed error, and nothing dies.
 */
import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, OAuthError, TokenRequest } from "@oauth2/core"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Cause, Effect, Exit, Layer, Logger, Redacted } from "effect"
import { advanceUntilDone } from "./clock.js"

const endpoints = {
  issuer: "https://as.example.com",
  authorizationEndpoint: "https://as.example.com/authorize",
  tokenEndpoint: "https://as.example.com/token",
  revocationEndpoint: "https://as.example.com/revoke",
  introspectionEndpoint: "https://as.example.com/introspect",
  userinfoEndpoint: "https://as.example.com/userinfo",
  pushedAuthorizationRequestEndpoint: "https://as.example.com/par",
  deviceAuthorizationEndpoint: "https://as.example.com/device",
  backchannelAuthenticationEndpoint: "https://as.example.com/bc",
  jwksUri: "https://as.example.com/jwks"
}
const SECRET = "client-SECRET-value"

interface Case {
  readonly endpoint: OAuthError.Endpoint
  readonly good: unknown
  readonly run: (client: OAuthClient.OAuthClient) => Effect.Effect<unknown, unknown>
}

const pending = AuthorizationRequest.make({
  authorizationEndpoint: endpoints.authorizationEndpoint,
  clientId: "c",
  redirectUri: "https://app.example.com/cb"
})

const cases: ReadonlyArray<Case> = [
  { endpoint: "token", good: { access_token: "AT", token_type: "Bearer" }, run: (c) => c.token(TokenRequest.authorizationCode({ code: "CODE" })) },
  { endpoint: "revocation", good: {}, run: (c) => c.revoke({ token: "RT", tokenTypeHint: "refresh_token" }) },
  { endpoint: "introspection", good: { active: false }, run: (c) => c.introspect({ token: "AT" }) },
  { endpoint: "userinfo", good: { sub: "alice" }, run: (c) => c.userinfo("AT") },
  {
    endpoint: "pushed_authorization",
    good: { request_uri: "urn:x", expires_in: 60 },
    run: (c) => Effect.flatMap(pending, (p) => c.pushedAuthorization(p))
  },
  {
    endpoint: "device_authorization",
    good: { device_code: "D", user_code: "U", verification_uri: "https://as.example.com/d", expires_in: 60 },
    run: (c) => c.deviceAuthorization()
  },
  {
    endpoint: "backchannel_authentication",
    good: { auth_req_id: "R", expires_in: 60 },
    run: (c) => c.backchannelAuthentication({ scope: "openid", loginHint: "alice" })
  },
  { endpoint: "jwks", good: { keys: [] }, run: (c) => c.jwks() }
]

const call = (c: Case, respond: FakeHttp.Respond<FakeHttp.ClientRequest>, options: Transport.Options = { retry: false }) => {
  const fake = FakeHttp.make(respond)
  // client_secret_post: the secret travels in the body, where a careless error would pick it up
  return ClientAuth.clientSecretPost({ clientId: "c", clientSecret: Redacted.make(SECRET) }).pipe(
    Effect.flatMap((auth) => OAuthClient.make({ endpoints, auth })),
    Effect.flatMap(c.run),
    Effect.provide(Transport.layer(options).pipe(Layer.provide(fake.layer))),
    Effect.exit,
    Effect.map((exit) => ({ exit, seen: fake.seen }))
  )
}

/** The failure of an exit that must be a typed failure, never a defect or an interruption. */
const failureOf = (exit: Exit.Exit<unknown, unknown>): any => {
  expect(Exit.isFailure(exit), "expected a failure").toBe(true)
  if (Exit.isSuccess(exit)) return undefined
  expect(Cause.isDie(exit.cause), `died: ${Cause.pretty(exit.cause)}`).toBe(false)
  return Cause.failureOption(exit.cause).pipe((o) => (o._tag === "Some" ? o.value : expect.unreachable(Cause.pretty(exit.cause))))
}

describe.each(cases)("$endpoint endpoint", (c) => {
  it.effect("succeeds on a good answer", () =>
    Effect.gen(function* () {
      const { exit } = yield* call(c, () => FakeHttp.json(c.good, c.endpoint === "pushed_authorization" ? 201 : 200))
      expect(Exit.isSuccess(exit), Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toBe(true)
    })
  )

  it.effect("maps every standard error code of the endpoint to its tag", () =>
    Effect.gen(function* () {
      for (const code of OAuthError.endpointCodes[c.endpoint]) {
        const { exit } = yield* call(c, () => FakeHttp.json({ error: code, error_description: "d" }, 400))
        const error = failureOf(exit)
        expect(error).toMatchObject({ _tag: OAuthError.make(c.endpoint, { error: code })._tag, error: code, status: 400, endpoint: c.endpoint })
        expect(error._tag).not.toBe("UnknownError")
      }
      const { exit } = yield* call(c, () => FakeHttp.json({ error: "vendor_specific" }, 400))
      expect(failureOf(exit)).toMatchObject({ _tag: "UnknownError", error: "vendor_specific" })
    })
  )

  const malformed: ReadonlyArray<[string, () => Response | "reset", string]> = [
    [
      "an HTML error page",
      () => new Response("<html><body>Oops</body></html>", { status: 500, headers: { "content-type": "text/html" } }),
      "UnexpectedResponse"
    ],
    [
      "an HTML page with status 200",
      () => new Response("<html>login</html>", { status: 200, headers: { "content-type": "text/html" } }),
      "UnexpectedResponse"
    ],
    ["an empty 400", () => new Response("", { status: 400 }), "UnexpectedResponse"],
    ["a JSON array", () => FakeHttp.json([1, 2, 3]), "UnexpectedResponse"],
    ["a JSON string", () => FakeHttp.json("hello"), "UnexpectedResponse"],
    [
      "wrong field types",
      () =>
        FakeHttp.json({ access_token: 1, active: "yes", sub: 5, request_uri: 7, device_code: [], auth_req_id: {}, keys: "x", expires_in: "soon" }),
      "UnexpectedResponse"
    ],
    ["an oversized body", () => FakeHttp.json({ pad: "x".repeat(2 * 1024 * 1024) }), "ResponseTooLarge"],
    ["a redirect", () => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }), "UnexpectedRedirect"],
    ["a connection reset", () => "reset", "RequestFailed"]
  ]
  for (const [name, respond, tag] of malformed) {
    // revocation ignores the body of a 2xx answer (RFC 7009 2.2)
    if (c.endpoint === "revocation" && ["an HTML page with status 200", "a JSON array", "a JSON string", "wrong field types"].includes(name)) continue
    it.effect(`gives ${tag} for ${name}`, () =>
      Effect.gen(function* () {
        const { exit } = yield* call(c, respond)
        expect(failureOf(exit)).toMatchObject({ _tag: tag })
      })
    )
  }

  it.effect("gives Timeout when the server never answers", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(call(c, () => Effect.never as any))
      // some calls do real async work (PKCE hashing) before the request starts its timer: advance, with real pauses,
      // until it fires
      const { exit } = yield* advanceUntilDone(fiber, "1 second")
      expect(failureOf(exit)).toMatchObject({ _tag: "Timeout", endpoint: c.endpoint })
    })
  )

  it.effect("never shows the client secret in a rendered error or log line", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.make(({ message, cause }) => lines.push(`${String(message)} ${Cause.pretty(cause)}`))
      for (const respond of [
        () => FakeHttp.json({ error: "invalid_client" }, 401),
        () => "reset" as const,
        () => new Response("<html/>", { status: 502 })
      ]) {
        const { exit } = yield* call(c, respond)
        const error = failureOf(exit)
        yield* Effect.logError("call failed", error).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        lines.push(JSON.stringify(error), String(error), Cause.pretty(Cause.fail(error)))
      }
      for (const line of lines) expect(line).not.toContain(SECRET)
    })
  )
})
