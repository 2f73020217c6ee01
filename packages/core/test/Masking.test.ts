import { describe, expect, it } from "@effect/vitest"
import { BearerToken, OAuthError } from "@oauth2/core"
import { Cause, Effect, FastCheck as fc } from "effect"

const SECRET = "S3CR3T-VALUE-xyz"

/** Every place a secret could leak from an UnexpectedResponse. */
const leaks = (e: OAuthError.UnexpectedResponse): string =>
  [e.excerpt, e.message, e.reason, Cause.pretty(Cause.fail(e)), JSON.stringify(e)].join("\n")

describe("UnexpectedResponse excerpt masking (issue 13 item 10)", () => {
  const bodies: ReadonlyArray<readonly [string, string]> = [
    ["camelCase JSON", `{"accessToken":"${SECRET}","refreshToken":"${SECRET}"}`],
    ["mixed case JSON", `{"Access_Token":"${SECRET}"}`],
    ["kebab JSON", `{"access-token":"${SECRET}"}`],
    ["single-quoted text", `{'access_token':'${SECRET}'}`],
    ["XML", `<response><access_token>${SECRET}</access_token></response>`],
    ["truncated JSON with an array", `{"access_token":["${SECRET}"],`],
    ["JSON-escaped key", `{"access\\u005ftoken":"${SECRET}"}`],
    ["JSON-escaped key, truncated", `{"access\\u005ftoken":"${SECRET}", "x": `],
    ["form-encoded escaped key", `access%5Ftoken=${SECRET}&token_type=bearer`],
    ["form-encoded", `token_type=bearer&access_token=${SECRET}`],
    ["YAML", `token_type: bearer\nclient_secret: ${SECRET}\n`],
    ["YAML quoted", `client_secret: "${SECRET}"`],
    ["escaped JSON in JSON text", `{"body":"{\\"access_token\\":\\"${SECRET}\\"}"`],
    ["unquoted key", `{access_token: ${SECRET}}`],
    ["spaces around", `{ "refresh_token" : "${SECRET}" , "x": 1`],
    // a '%' just before an escaped name must not swallow its first letters when decoded
    ["a '%' before a JSON-escaped name in a form", `%device\\u005fcode=${SECRET}&a=b`],
    ["a '%4' before a JSON-escaped name", `%4access\\u005ftoken=${SECRET}&a=b`],
    ["a '%4' before a percent-escaped name", `%4access%5Ftoken=${SECRET}&a=b`]
  ]
  for (const [name, body] of bodies) {
    it(`masks a secret in ${name}`, () => {
      const e = OAuthError.unexpectedResponse("token", "bad", body, { status: 200, contentType: "text/plain" })
      expect(leaks(e)).not.toContain(SECRET)
    })
  }

  it("masks secrets in parsed values whatever the key spelling", () => {
    const e = OAuthError.unexpectedResponse("token", "bad", {
      accessToken: SECRET,
      nested: { Refresh_Token: [SECRET], "client-secret": { v: SECRET } }
    })
    expect(leaks(e)).not.toContain(SECRET)
    expect(e.excerpt).toContain("nested")
  })

  it("keeps the useful parts of a body", () => {
    const e = OAuthError.unexpectedResponse("token", "bad", `{"error":"weird","token_type":"Bearer","access_token":"${SECRET}"}`)
    expect(e.excerpt).toContain("weird")
    expect(e.excerpt).toContain("Bearer")
    const html = OAuthError.unexpectedResponse("token", "bad", "<html><p>Service Unavailable</p><code>503</code></html>")
    expect(html.excerpt).toContain("Service Unavailable")
  })

  const secretKeys = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code_verifier",
    "device_code",
    "password",
    "subject_token",
    "client_assertion"
  ]
  const spelling = (key: string) =>
    fc.tuple(fc.constantFrom("snake", "camel", "kebab", "upper", "pascal", "mixed"), fc.boolean()).map(([style, escape]) => {
      const parts = key.split("_")
      let k =
        style === "snake"
          ? key
          : style === "camel"
            ? parts[0] +
              parts
                .slice(1)
                .map((p) => p[0]!.toUpperCase() + p.slice(1))
                .join("")
            : style === "kebab"
              ? parts.join("-")
              : style === "upper"
                ? key.toUpperCase()
                : style === "pascal"
                  ? parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join("")
                  : parts.map((p, i) => (i % 2 === 0 ? p.toUpperCase() : p)).join("_")
      if (escape && k.includes("_")) k = k.replace("_", "\\u005f")
      return k
    })
  const format = (key: string, value: string) =>
    fc.constantFrom(
      `{"${key}":"${value}"}`,
      `{"${key}": "${value}", "x": 1`,
      `{'${key}': '${value}'}`,
      `<${key}>${value}</${key}>`,
      `${key}=${value}&a=b`,
      `a=b&${key.replace(/\\u005f/g, "%5F")}=${value}`,
      `${key}: ${value}\nnext: 1`,
      `{"${key}":["${value}"],`,
      `[{"${key}" : "${value}"`
    )

  it("property: no secret key spelling or format leaks the value", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...secretKeys).chain(spelling),
        fc.stringMatching(/^[A-Za-z0-9._~-]{8,40}$/).map((s) => `Zq9${s}`),
        fc.string({ maxLength: 20 }),
        (key, value, prefix) =>
          fc.assert(
            fc.property(format(key, value), (body) => {
              const e = OAuthError.unexpectedResponse("token", "bad", prefix.replace(/[{}"'<>=:&\\[\]]/g, "") + body)
              return !leaks(e).includes(value)
            }),
            { numRuns: 9 }
          ) === undefined
      ),
      { numRuns: 200 }
    )
  })
})

describe("excerpt masking properties", () => {
  const secretKeys = [
    "access_token",
    "refreshToken",
    "ID-Token",
    "client_secret",
    "code_verifier",
    "DEVICE_CODE",
    "password",
    "subject_token",
    "client_assertion",
    "my_api_key",
    "privateKey"
  ]
  const secretArb = fc.stringMatching(/^[A-Za-z0-9._~-]{12,40}$/).map((s) => `Zq9${s}`)
  /** A JSON value with a secret member somewhere inside (at any depth, in objects and arrays). */
  const withSecret = (secret: string): fc.Arbitrary<unknown> =>
    fc.letrec<{ tree: unknown }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc
          .record({
            key: fc.constantFrom(...secretKeys),
            value: fc.constantFrom<unknown>(secret, [secret], { v: secret }, `Bearer ${secret}`),
            other: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })
          })
          .map(({ key, other, value }) => ({ ...other, [key]: value })),
        fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), tie("tree")).map(([k, v]) => ({ error: "x", [k]: v })),
        fc.tuple(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), tie("tree")).map(([before, v]) => [...before, v])
      )
    })).tree

  const shows = (e: OAuthError.UnexpectedResponse, secret: string) => leaks(e).includes(secret)

  it.prop(
    "a secret member anywhere in a parsed body is never shown",
    [secretArb.chain((secret) => fc.tuple(fc.constant(secret), withSecret(secret)))],
    ([[secret, body]]) => {
      expect(shows(OAuthError.unexpectedResponse("token", "bad", body), secret)).toBe(false)
    }
  )

  it.prop(
    "nor anywhere in the same body as JSON text",
    [secretArb.chain((secret) => fc.tuple(fc.constant(secret), withSecret(secret)))],
    ([[secret, body]]) => {
      expect(shows(OAuthError.unexpectedResponse("token", "bad", JSON.stringify(body)), secret)).toBe(false)
    }
  )

  it.prop(
    "nor in that text cut anywhere after the secret's name (a truncated answer)",
    [secretArb.chain((secret) => fc.tuple(fc.constant(secret), withSecret(secret), fc.nat()))],
    ([[secret, body, at]]) => {
      const text = JSON.stringify(body)
      const cut = text.slice(0, text.indexOf(secret) + secret.length + (at % 8))
      expect(shows(OAuthError.unexpectedResponse("token", "bad", cut), secret)).toBe(false)
    }
  )

  it.prop(
    "a short body without secrets is shown as it is",
    [fc.dictionary(fc.stringMatching(/^(error|status|detail|info)_[a-z]{1,5}$/), fc.stringMatching(/^[A-Za-z0-9 .,-]{0,20}$/), { maxKeys: 5 })],
    ([body]) => {
      const e = OAuthError.unexpectedResponse("token", "bad", JSON.stringify(body))
      expect(e.excerpt).toBe(JSON.stringify(body))
    }
  )
})

describe("control characters from servers (issue 13 item 11)", () => {
  const evil = 'bad\r\nlevel=info msg="forged"\u001b[31m\u0000\u2028end'
  const clean = (s: string | undefined) => {
    expect(s).toBeDefined()
    expect(s!).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
  }

  it("escapes CR, LF, ESC in error_description and error_uri", () => {
    const e = OAuthError.fromBody("token", { error: "invalid_grant", error_description: evil, error_uri: `https://e/${evil}` }, { status: 400 })!
    clean(e.message)
    clean(e.description)
    clean(e.uri)
    expect(e.message).toContain("forged")
    expect(Cause.pretty(Cause.fail(e))).not.toContain("\r\nlevel")
  })

  it("escapes control characters in the error code", () => {
    const e = OAuthError.make("token", { error: `x${evil}` })
    clean(e.message)
    clean(e.error)
  })

  it("escapes control characters in UnexpectedResponse fields", () => {
    const e = OAuthError.unexpectedResponse("token", `reason ${evil}`, `body ${evil}`, { status: 500, contentType: `text/html${evil}` })
    clean(e.message)
    clean(e.reason)
    clean(e.excerpt)
    clean(e.contentType)
  })

  it.effect("escapes a server's token_type in the decode failure", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(BearerToken.decode({ access_token: "a", token_type: `Mac${evil}` }))
      clean(e.message)
    })
  )

  it("property: no message built from server text has a control character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (code, description, uri) => {
        const e = OAuthError.fromBody("token", { error: code || "x", error_description: description, error_uri: uri })!
        const u = OAuthError.unexpectedResponse("userinfo", description, uri, { status: 200, contentType: code })
        return [e.message, e.error, e.description ?? "", e.uri ?? "", u.message, u.excerpt, u.reason].every(
          (s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s)
        )
      })
    )
  })
})
