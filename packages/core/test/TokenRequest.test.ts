import { describe, expect, it } from "@effect/vitest"
import { BearerToken, IdToken, Params, TokenRequest } from "@oauth2/core"
import { DateTime, Either, Redacted } from "effect"

const encode = (r: TokenRequest.TokenRequest) => Params.encode(TokenRequest.toParams(r))
const token = BearerToken.make({ accessToken: "AT", refreshToken: "RT", idToken: "ID", issuedAt: DateTime.unsafeMake(0) })

describe("TokenRequest", () => {
  it("client_credentials with scope list, repeated resource and audience; empty parameters not sent", () => {
    expect(encode(TokenRequest.clientCredentials())).toBe("grant_type=client_credentials")
    expect(encode(TokenRequest.clientCredentials({ scope: ["a", "b"], resource: ["https://r1", "https://r2"], audience: "aud" }))).toBe(
      "grant_type=client_credentials&scope=a+b&resource=https%3A%2F%2Fr1&resource=https%3A%2F%2Fr2&audience=aud"
    )
    expect(encode(TokenRequest.clientCredentials({ scope: "", resource: [], extra: { x: undefined, y: "" } }))).toBe("grant_type=client_credentials")
  })

  it("authorization_code", () => {
    expect(
      encode(TokenRequest.authorizationCode({ code: "C", redirectUri: "https://app/cb", codeVerifier: Redacted.make("V"), resource: "https://r" }))
    ).toBe("grant_type=authorization_code&code=C&redirect_uri=https%3A%2F%2Fapp%2Fcb&code_verifier=V&resource=https%3A%2F%2Fr")
  })

  it("refresh_token from a string or a BearerToken, refused without one", () => {
    expect(encode(Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: "RT", scope: ["a"] })))).toBe(
      "grant_type=refresh_token&refresh_token=RT&scope=a"
    )
    expect(encode(Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: token })))).toBe("grant_type=refresh_token&refresh_token=RT")
    const none = TokenRequest.refreshToken({ refreshToken: BearerToken.make({ accessToken: "AT", issuedAt: DateTime.unsafeMake(0) }) })
    expect(Either.isLeft(none) && none.left._tag).toBe("InvalidArgument")
    expect(Either.isLeft(TokenRequest.refreshToken({ refreshToken: "" }))).toBe(true)
  })

  it("device_code, CIBA, JWT bearer, password and custom grants", () => {
    expect(encode(TokenRequest.deviceCode({ deviceCode: "D" }))).toBe(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=D"
    )
    expect(encode(TokenRequest.ciba({ authReqId: "R" }))).toBe("grant_type=urn%3Aopenid%3Aparams%3Agrant-type%3Aciba&auth_req_id=R")
    expect(encode(TokenRequest.jwtBearer({ assertion: "J", scope: "s" }))).toBe(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=J&scope=s"
    )
    expect(encode(TokenRequest.password({ username: "u", password: "p w" }))).toBe("grant_type=password&username=u&password=p+w")
    expect(encode(TokenRequest.custom("urn:x", { a: ["1", "2"], b: undefined }))).toBe("grant_type=urn%3Ax&a=1&a=2")
  })

  it("extra parameters are sent, but never replace reserved ones (issue 13 item 7)", () => {
    expect(encode(TokenRequest.clientCredentials({ scope: "a", extra: { scope: "b", foo: "bar" } }))).toBe(
      "grant_type=client_credentials&scope=a&foo=bar"
    )
    expect(Either.isLeft(TokenRequest.params(TokenRequest.clientCredentials({ scope: "a", extra: { scope: "b" } })))).toBe(true)
  })

  it("keeps every secret redacted until encoded", () => {
    const requests = [
      TokenRequest.authorizationCode({ code: "SECRET1", codeVerifier: "SECRET2" }),
      Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: "SECRET3" })),
      TokenRequest.deviceCode({ deviceCode: "SECRET4" }),
      TokenRequest.ciba({ authReqId: "SECRET5" }),
      TokenRequest.password({ username: "u", password: "SECRET6" }),
      TokenRequest.jwtBearer({ assertion: "SECRET7" }),
      Either.getOrThrow(TokenRequest.tokenExchange({ subjectToken: "SECRET8", subjectTokenType: "jwt" }))
    ]
    for (const r of requests) {
      expect(JSON.stringify(r)).not.toContain("SECRET")
      expect(JSON.stringify(TokenRequest.toParams(r))).not.toContain("SECRET")
    }
  })

  it("says which requests are repeatable", () => {
    expect(TokenRequest.isRepeatable(TokenRequest.clientCredentials())).toBe(true)
    expect(TokenRequest.isRepeatable(TokenRequest.authorizationCode({ code: "c" }))).toBe(false)
    expect(TokenRequest.isRepeatable(TokenRequest.deviceCode({ deviceCode: "d" }))).toBe(false)
  })
})

describe("TokenRequest.tokenExchange", () => {
  const params = (r: Either.Either<TokenRequest.TokenExchange, unknown>) =>
    Object.fromEntries(TokenRequest.toParams(Either.getOrThrow(r)).map(([k, v]) => [k, Params.unwrap(v)]))

  it("expands every short token type name", () => {
    for (const [short, urn] of Object.entries(TokenRequest.TokenType)) {
      expect(params(TokenRequest.tokenExchange({ subjectToken: "t", subjectTokenType: short, requestedTokenType: short }))).toMatchObject({
        subject_token_type: urn,
        requested_token_type: urn
      })
    }
    expect(TokenRequest.TokenType.saml2).toBe("urn:ietf:params:oauth:token-type:saml2")
  })

  it("passes URIs through and refuses unknown short names", () => {
    expect(params(TokenRequest.tokenExchange({ subjectToken: "t", subjectTokenType: "urn:example:custom" }))).toMatchObject({
      subject_token_type: "urn:example:custom"
    })
    const bad = TokenRequest.tokenExchange({ subjectToken: "t", subjectTokenType: "acces_token" })
    expect(Either.isLeft(bad) && bad.left).toMatchObject({ _tag: "InvalidArgument", argument: "subjectTokenType" })
  })

  it("infers the types from a BearerToken and an IdToken", () => {
    expect(params(TokenRequest.tokenExchange({ subjectToken: token, actorToken: IdToken.make("ACTOR") }))).toEqual({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "AT",
      subject_token_type: TokenRequest.TokenType.access_token,
      actor_token: "ACTOR",
      actor_token_type: TokenRequest.TokenType.id_token
    })
    expect(params(TokenRequest.tokenExchange({ subjectToken: token, subjectTokenType: "refresh_token" }))).toMatchObject({ subject_token: "RT" })
    expect(params(TokenRequest.tokenExchange({ subjectToken: token, subjectTokenType: "id_token" }))).toMatchObject({ subject_token: "ID" })
  })

  it("says clearly when a type cannot be inferred", () => {
    const raw = TokenRequest.tokenExchange({ subjectToken: "opaque" })
    expect(Either.isLeft(raw) && raw.left).toMatchObject({ _tag: "InvalidArgument", argument: "subjectTokenType" })
    expect(Either.isLeft(raw) && raw.left.message).toMatch(/cannot infer/)
    const actor = TokenRequest.tokenExchange({ subjectToken: token, actorToken: "opaque" })
    expect(Either.isLeft(actor) && actor.left).toMatchObject({ argument: "actorTokenType" })
    const lonelyType = TokenRequest.tokenExchange({ subjectToken: token, actorTokenType: "jwt" })
    expect(Either.isLeft(lonelyType) && lonelyType.left).toMatchObject({ argument: "actorTokenType" })
    const noRefresh = TokenRequest.tokenExchange({
      subjectToken: BearerToken.make({ accessToken: "a", issuedAt: DateTime.unsafeMake(0) }),
      subjectTokenType: "refresh_token"
    })
    expect(Either.isLeft(noRefresh)).toBe(true)
  })

  it("sends scope, resource and audience", () => {
    const r = TokenRequest.tokenExchange({ subjectToken: token, scope: ["a", "b"], resource: ["https://r"], audience: ["x", "y"] })
    expect(Params.encode(TokenRequest.toParams(Either.getOrThrow(r)))).toContain("scope=a+b&resource=https%3A%2F%2Fr&audience=x&audience=y")
  })
})
