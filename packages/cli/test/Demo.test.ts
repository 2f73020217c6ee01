import { describe, expect, it } from "@effect/vitest"
import { Demo } from "@oauth2/cli"
import { Effect } from "effect"

describe("Demo", () => {
  it.live(
    "runs every flow against the embedded server, all passing",
    () =>
      Effect.gen(function* () {
        const rows = yield* Demo.rows
        const failed = rows.filter((r) => !r.ok)
        expect(failed, JSON.stringify(failed)).toEqual([])
        const flows = rows.map((r) => r.flow)
        for (const expected of [
          "discovery",
          "client_credentials (private_key_jwt)",
          "authorization_code + PKCE + ID token",
          "encrypted ID token (JWE)",
          "request object (JAR) over PAR",
          "refresh_token",
          "device authorization",
          "CIBA (poll mode)",
          "token exchange",
          "JWT bearer",
          "introspection",
          "userinfo",
          "revocation",
          "pushed authorization (PAR)",
          "client_credentials + DPoP (RFC 9449)",
          "client_credentials + mTLS (RFC 8705)",
          "FAPI 2.0 login (PAR, PKCE, private_key_jwt, mTLS)",
          "dynamic client registration (RFC 7591, 7592)",
          "protected resource: 401 -> RFC 9728 -> code",
          "logout: RP-initiated + back-channel",
          "client_credentials shared through Redis (2 processes, 1 token)"
        ]) {
          expect(flows).toContain(expected)
        }
        expect(rows.find((r) => r.flow === "client_credentials + DPoP (RFC 9449)")?.result).toMatch(/^token_type DPoP, bound to key /)
        // two real processes of 100 fibers each, one token request seen by the server, one token (CI installs redis-server)
        const shared = rows.find((r) => r.flow === "client_credentials shared through Redis (2 processes, 1 token)")
        expect(shared).toMatchObject({ ok: true, result: "2 processes x 100 fibers -> 1 token request, same token" })
        expect(shared?.skipped).toBeUndefined()
        // the table never shows a token
        const table = Demo.render(rows)
        expect(table).toMatch(/\d+ passed, 0 failed$/)
        expect(table).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/)
      }),
    60_000
  )

  it("renders failures", () => {
    const table = Demo.render([
      { flow: "a", ok: true, result: "fine", lifetime: "1h", scopes: "x", millis: 3 },
      { flow: "b", ok: false, result: "InvalidClient: nope", millis: 5 }
    ])
    expect(table).toContain("FAILED  InvalidClient: nope")
    expect(table.split("\n").at(-1)).toBe("1 passed, 1 failed")
  })

  it("renders skipped rows apart, not as failures", () => {
    const table = Demo.render([
      { flow: "a", ok: true, result: "fine", millis: 3 },
      { flow: "b", ok: true, skipped: true, result: "redis-server is not installed", millis: 1 }
    ])
    expect(table).toContain("skipped  redis-server is not installed")
    expect(table.split("\n").at(-1)).toBe("1 passed, 1 skipped, 0 failed")
  })
})
