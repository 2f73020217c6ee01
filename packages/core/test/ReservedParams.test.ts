import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, BackchannelAuthentication, DeviceAuthorization, Introspection, Params, Revocation, TokenRequest } from "@oauth2/core"
import { Effect, Either, FastCheck as fc } from "effect"

const refusedWith = (r: Either.Either<unknown, { readonly _tag: string; readonly argument: string }>, argument: string) => {
  expect(Either.isLeft(r), `expected a refusal of ${argument}`).toBe(true)
  if (Either.isLeft(r)) {
    expect(r.left._tag).toBe("InvalidArgument")
    expect(r.left.argument).toBe(argument)
  }
}

describe("extra parameters cannot override reserved ones (issue 13 item 7)", () => {
  const grants = (extra: TokenRequest.Extra): ReadonlyArray<TokenRequest.TokenRequest> => [
    TokenRequest.clientCredentials({ scope: "a", extra }),
    TokenRequest.authorizationCode({ code: "C", redirectUri: "https://app/cb", codeVerifier: "V", extra }),
    Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: "RT", extra })),
    TokenRequest.deviceCode({ deviceCode: "DC", extra }),
    TokenRequest.ciba({ authReqId: "AR", extra }),
    Either.getOrThrow(TokenRequest.tokenExchange({ subjectToken: "ST", subjectTokenType: "jwt", extra })),
    TokenRequest.jwtBearer({ assertion: "A", extra }),
    TokenRequest.password({ username: "u", password: "p", extra }),
    TokenRequest.custom("urn:example:grant", extra)
  ]

  it("TokenRequest.params refuses an extra grant_type for every grant", () => {
    for (const request of grants({ grant_type: "password" })) refusedWith(TokenRequest.params(request), "extra.grant_type")
  })

  it("TokenRequest.toParams never lets an extra grant_type through", () => {
    for (const request of grants({ grant_type: "password", foo: "bar" })) {
      const params = TokenRequest.toParams(request)
      expect(Params.getAll(params, "grant_type")).toEqual([TokenRequest.grantTypeOf(request)])
      expect(Params.get(params, "foo")).toBe("bar")
    }
  })

  it("TokenRequest.params refuses each grant's own parameters and client authentication ones in extra", () => {
    const own: ReadonlyArray<readonly [TokenRequest.TokenRequest, string]> = [
      [TokenRequest.clientCredentials({ extra: { scope: "b" } }), "scope"],
      [TokenRequest.clientCredentials({ extra: { audience: "x" } }), "audience"],
      [TokenRequest.authorizationCode({ code: "C", extra: { code: "other" } }), "code"],
      [TokenRequest.authorizationCode({ code: "C", extra: { redirect_uri: "https://evil/cb" } }), "redirect_uri"],
      [TokenRequest.authorizationCode({ code: "C", extra: { code_verifier: "x" } }), "code_verifier"],
      [Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: "RT", extra: { refresh_token: "x" } })), "refresh_token"],
      [TokenRequest.deviceCode({ deviceCode: "DC", extra: { device_code: "x" } }), "device_code"],
      [TokenRequest.ciba({ authReqId: "AR", extra: { auth_req_id: "x" } }), "auth_req_id"],
      [
        Either.getOrThrow(TokenRequest.tokenExchange({ subjectToken: "ST", subjectTokenType: "jwt", extra: { subject_token_type: "x" } })),
        "subject_token_type"
      ],
      [TokenRequest.jwtBearer({ assertion: "A", extra: { assertion: "x" } }), "assertion"],
      [TokenRequest.password({ username: "u", password: "p", extra: { username: "admin" } }), "username"],
      [TokenRequest.clientCredentials({ extra: { client_secret: "x" } }), "client_secret"],
      [TokenRequest.custom("urn:x", { client_assertion: "x" }), "client_assertion"]
    ]
    for (const [request, name] of own) refusedWith(TokenRequest.params(request), `extra.${name}`)
  })

  it("TokenRequest.params accepts other extra parameters and matches toParams", () => {
    for (const request of grants({ foo: "bar", resource_hint: "x" })) {
      const params = TokenRequest.params(request)
      expect(Either.isRight(params)).toBe(true)
      if (Either.isRight(params)) expect(Params.encode(params.right)).toBe(Params.encode(TokenRequest.toParams(request)))
    }
  })

  const extraName = fc.stringMatching(/^x_[a-z0-9_]{1,10}$/)
  const extraValue = fc.oneof(fc.fullUnicodeString({ maxLength: 12 }), fc.constantFrom("", "a b", "+&="))
  const grantIndex = fc.nat({ max: grants({}).length - 1 })
  const form = (params: Params.Params) => [...new URLSearchParams(Params.encode(params))]

  it.prop(
    "any other extra parameter follows the grant's own parameters, every non-empty value in order",
    [grantIndex, fc.dictionary(extraName, fc.oneof(extraValue, fc.array(extraValue, { maxLength: 3 })), { maxKeys: 4 })],
    ([i, extra]) => {
      const params = TokenRequest.params(grants(extra)[i]!)
      expect(Either.isRight(params)).toBe(true)
      if (Either.isLeft(params)) return
      const own = form(TokenRequest.toParams(grants({})[i]!))
      const extras = Object.entries(extra).flatMap(([name, v]) => (typeof v === "string" ? [v] : v).filter((x) => x.length > 0).map((x) => [name, x]))
      expect(form(params.right)).toEqual([...own, ...extras])
      expect(Params.encode(params.right)).toBe(Params.encode(TokenRequest.toParams(grants(extra)[i]!)))
    }
  )

  it.prop(
    "an extra parameter named like one the grant sends, or a client authentication one, is refused by name",
    [grantIndex, fc.dictionary(extraName, extraValue, { maxKeys: 3 }), fc.nat()],
    ([i, extra, pick]) => {
      const reserved = [
        ...new Set([
          ...TokenRequest.toParams(grants({})[i]!).map(([name]) => name),
          "client_id",
          "client_secret",
          "client_assertion",
          "client_assertion_type"
        ])
      ]
      const name = reserved[pick % reserved.length]!
      refusedWith(TokenRequest.params(grants({ ...extra, [name]: "x" })[i]!), `extra.${name}`)
    }
  )

  it("device, CIBA, introspection and revocation builders refuse reserved extras", () => {
    refusedWith(DeviceAuthorization.params({ scope: "a", extra: { scope: "b" } }), "extra.scope")
    refusedWith(DeviceAuthorization.params({ extra: { client_id: "other" } }), "extra.client_id")
    refusedWith(DeviceAuthorization.params({ extra: { resource: "https://r" } }), "extra.resource")
    const ciba = { scope: "openid", loginHint: "u" } as const
    refusedWith(BackchannelAuthentication.params({ ...ciba, extra: { login_hint: "admin" } }), "extra.login_hint")
    refusedWith(BackchannelAuthentication.params({ ...ciba, extra: { scope: "openid admin" } }), "extra.scope")
    refusedWith(BackchannelAuthentication.params({ ...ciba, extra: { binding_message: "x" } }), "extra.binding_message")
    refusedWith(Introspection.params({ token: "t", extra: { token: "other" } }), "extra.token")
    refusedWith(Introspection.params({ token: "t", extra: { token_type_hint: "x" } }), "extra.token_type_hint")
    refusedWith(Revocation.params({ token: "t", extra: { token: "other" } }), "extra.token")
    refusedWith(Revocation.accessToken("t", { token_type_hint: "refresh_token" }), "extra.token_type_hint")
    refusedWith(Revocation.refreshToken("t", { client_secret: "x" }), "extra.client_secret")
  })

  it.effect("authorization requests refuse reserved extraParams (also for PAR, which sends the same parameters)", () =>
    Effect.gen(function* () {
      const base = { authorizationEndpoint: "https://as.example.com/authorize", clientId: "c" }
      for (const name of [
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "code_verifier",
        "request",
        "request_uri",
        "resource"
      ]) {
        const error = yield* Effect.flip(AuthorizationRequest.make({ ...base, extraParams: { [name]: "x" } }))
        expect(error._tag).toBe("InvalidArgument")
      }
    })
  )
})

describe("redirect URI policy (issue 13 item 8)", () => {
  const base = { authorizationEndpoint: "https://as.example.com/authorize", clientId: "c" }
  const refused = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "blob:https://app.example.com/1234",
    "about:blank",
    "/cb",
    "cb",
    "//app.example.com/cb",
    "https://app.example.com/cb#frag",
    "https://app.example.com/cb#",
    "http://app.example.com/cb",
    "http://127.0.0.1.evil.com/cb",
    "http://127.evil.com/cb",
    "http://localhost.evil.com/cb",
    "myapp:/cb",
    "myapp://cb",
    "com.example.app:/cb#x",
    "https://user:pass@app.example.com/cb",
    ""
  ]
  const accepted = [
    "https://app.example.com/cb",
    "https://app.example.com/cb?x=1",
    "http://127.0.0.1:8080/cb",
    "http://127.0.0.2:8080/cb",
    "http://localhost/cb",
    "http://[::1]:3000/cb",
    "com.example.app:/oauth2redirect",
    "com.example.app:/cb"
  ]

  it.effect("AuthorizationRequest.make refuses dangerous or ambiguous redirect URIs with InvalidArgument", () =>
    Effect.gen(function* () {
      for (const redirectUri of refused) {
        const exit = yield* Effect.either(AuthorizationRequest.make({ ...base, redirectUri }))
        expect(Either.isLeft(exit), redirectUri).toBe(true)
        if (Either.isLeft(exit)) {
          expect(exit.left._tag).toBe("InvalidArgument")
          expect(exit.left.argument).toBe("redirectUri")
        }
      }
    })
  )

  it.effect("AuthorizationRequest.make accepts https, loopback http and private-use schemes", () =>
    Effect.gen(function* () {
      for (const redirectUri of accepted) {
        const request = yield* AuthorizationRequest.make({ ...base, redirectUri })
        expect(request.redirectUri).toBe(redirectUri)
      }
    })
  )

  it.effect("AuthorizationRequest.restore refuses a serialized request with a dangerous redirect URI", () =>
    Effect.gen(function* () {
      const request = yield* AuthorizationRequest.make({ ...base, redirectUri: "https://app.example.com/cb" })
      const json = JSON.parse(Buffer.from(AuthorizationRequest.serialize(request), "base64url").toString("utf8"))
      json.p = json.p.map(([n, v]: [string, string]) => [n, n === "redirect_uri" ? "javascript:alert(1)" : v])
      const forged = Buffer.from(JSON.stringify(json), "utf8").toString("base64url")
      expect(Either.isLeft(AuthorizationRequest.restore(forged))).toBe(true)
    })
  )

  it("TokenRequest.params refuses an authorization code redemption with a dangerous redirect URI", () => {
    for (const redirectUri of ["javascript:alert(1)", "data:,x", "/cb", "http://app.example.com/cb"]) {
      refusedWith(TokenRequest.params(TokenRequest.authorizationCode({ code: "C", redirectUri })), "redirectUri")
    }
    for (const redirectUri of accepted) {
      expect(Either.isRight(TokenRequest.params(TokenRequest.authorizationCode({ code: "C", redirectUri })))).toBe(true)
    }
  })
})
