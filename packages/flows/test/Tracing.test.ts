import { describe, expect, it } from "@effect/vitest"
import { TokenRequest } from "@oauth2/core"
import { Grants, TokenSource } from "@oauth2/flows"
import { FakeHttp } from "@oauth2/testing"
import { Effect, Fiber, TestClock, Tracer } from "effect"
import { clientLayer, endpoints, oauthError, tokenAnswer } from "./support.js"

interface Recorded {
  readonly name: string
  readonly attributes: ReadonlyMap<string, unknown>
}

/** Runs `self` with a tracer that records every span (the default tracer's spans, with their attributes). */
const recording = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.tracerWith((base) => {
    const spans: Array<Recorded> = []
    const tracer = Tracer.make({
      context: base.context,
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      }
    })
    return Effect.map(Effect.withTracer(self, tracer), (a) => ({ result: a, spans }))
  })

describe("tracing", () => {
  it.effect("each flow step is a span, and no secret is in any attribute", () =>
    Effect.gen(function* () {
      let polls = 0
      const http = FakeHttp.make((seen) => {
        if (seen.url === endpoints.deviceAuthorizationEndpoint) {
          return FakeHttp.json({ device_code: "DC-secret", user_code: "WDJB", verification_uri: "https://as.example.com/d", expires_in: 600 })
        }
        if (seen.form.get("grant_type") === "urn:ietf:params:oauth:grant-type:device_code") {
          return polls++ === 0 ? oauthError("authorization_pending") : tokenAnswer({ refresh_token: "RT-secret" })
        }
        return tokenAnswer({ refresh_token: "RT-secret" })
      })
      const program = Effect.gen(function* () {
        const flow = yield* Grants.deviceFlow({ scope: "openid" })
        const token = yield* flow.token
        yield* Grants.clientCredentials({ scope: "read" })
        const source = yield* TokenSource.make({ token, grant: TokenRequest.clientCredentials() })
        yield* source.renew
        return token
      }).pipe(Effect.scoped, Effect.provide(clientLayer(http)))
      const fiber = yield* Effect.fork(recording(program))
      yield* TestClock.adjust("1 minute")
      const { spans } = yield* Fiber.join(fiber)
      const names = spans.map((s) => s.name)
      for (const name of [
        "oauth2.flows.device_authorization",
        "oauth2.flows.device_code",
        "oauth2.flows.poll",
        "oauth2.flows.client_credentials",
        "oauth2.token_source.renew",
        "oauth2.token"
      ]) {
        expect(names).toContain(name)
      }
      const client = spans.find((s) => s.name === "oauth2.flows.client_credentials")!
      expect(client.attributes.get("oauth2.scope")).toBe("read")
      const renew = spans.find((s) => s.name === "oauth2.token_source.renew")!
      expect(renew.attributes.get("oauth2.renewal")).toBe("refresh")
      const attributes = JSON.stringify(spans.map((s) => [...s.attributes.entries()]))
      for (const secret of ["DC-secret", "RT-secret", "AT-", "secret"]) expect(attributes).not.toContain(secret)
    })
  )
})
