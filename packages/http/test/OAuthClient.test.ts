import { describe, expect, it } from "@effect/vitest"
import { AuthorizationRequest, BearerToken, ServerMetadata, TokenRequest } from "@oauth2/core"
import { ClientAuth, Dpop, Fapi2, OAuthClient, Transport } from "@oauth2/http"
import { FakeHttp } from "@oauth2/testing"
import { Clock, DateTime, Effect, Either, Layer, Redacted, TestClock } from "effect"
import * as jose from "jose"
import { advanceUntilDone } from "./clock.js"

/** What was sent: method, URL, headers and body (not the parsed form or the arrival time the fake adds). */
const onTheWire = ({ body, headers, method, url }: FakeHttp.ClientRequest) => ({ method, url, headers, body })

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

const withClient = <A, E>(
  respond: (seen: FakeHttp.ClientRequest, index: number) => Response | "reset",
  use: (client: OAuthClient.OAuthClient) => Effect.Effect<A, E>,
  options: OAuthClient.Options = { endpoints, clientId: "client 1", clientSecret: Redacted.make("s3cret:+é") }
) => {
  const fake = FakeHttp.make(respond)
  return OAuthClient.make(options).pipe(
    Effect.flatMap(use),
    Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer))),
    Effect.map((result) => ({ result, seen: fake.seen }))
  )
}

const tokenAnswer = { access_token: "AT", token_type: "Bearer", expires_in: 60, refresh_token: "RT", scope: "a" }
const basic = `Basic ${btoa("client+1:s3cret%3A%2B%C3%A9")}`

describe("OAuthClient endpoints (exact bytes)", () => {
  it.effect("token: an extra parameter redefining a reserved one is refused before anything is sent", () =>
    Effect.gen(function* () {
      const { result, seen } = yield* withClient(
        () => FakeHttp.json(tokenAnswer),
        (c) => Effect.flip(c.token(TokenRequest.clientCredentials({ scope: "a", extra: { grant_type: "password" } })))
      )
      expect(result).toMatchObject({ _tag: "InvalidArgument" })
      expect(seen.length).toBe(0)
    })
  )

  it.effect("token: client_credentials with client_secret_basic", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_000)
      const { result, seen } = yield* withClient(
        () => FakeHttp.json(tokenAnswer),
        (c) => c.token(TokenRequest.clientCredentials({ scope: "a" }))
      )
      expect(onTheWire(seen[0]!)).toEqual({
        method: "POST",
        url: "https://as.example.com/token",
        headers: {
          accept: "application/json",
          authorization: basic,
          "content-length": "37",
          "content-type": "application/x-www-form-urlencoded;charset=UTF-8"
        },
        body: "grant_type=client_credentials&scope=a"
      })
      expect(Redacted.value(result.accessToken)).toBe("AT")
      expect(DateTime.toEpochMillis(result.expiresAt!)).toBe(61_000)
    })
  )

  it.effect("token: authorization_code, refresh and device code are never retried", () =>
    Effect.gen(function* () {
      for (const request of [
        TokenRequest.authorizationCode({ code: "C", redirectUri: "https://app/cb", codeVerifier: "V".repeat(43) }),
        Either.getOrThrow(TokenRequest.refreshToken({ refreshToken: "RT" })),
        TokenRequest.deviceCode({ deviceCode: "D" }),
        TokenRequest.ciba({ authReqId: "R" })
      ]) {
        const { seen } = yield* Effect.either(
          withClient(
            () => "reset",
            (c) => c.token(request)
          )
        ).pipe(
          Effect.map(() => ({ seen: [] as Array<FakeHttp.ClientRequest> })),
          Effect.orElseSucceed(() => ({ seen: [] as Array<FakeHttp.ClientRequest> }))
        )
        expect(seen.length).toBeLessThanOrEqual(1)
      }
      const fake = FakeHttp.make(() => "reset")
      const error = yield* Effect.flip(
        OAuthClient.make({ endpoints, clientId: "c" }).pipe(
          Effect.flatMap((c) => c.token(TokenRequest.authorizationCode({ code: "C" }))),
          Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer)))
        )
      )
      expect(error).toMatchObject({ _tag: "RequestFailed" })
      expect(fake.seen.length).toBe(1)
    })
  )

  it.effect("token: an ordinary grant refuses a token answer whose token_type is not Bearer (DPoP, MAC, N_A)", () =>
    Effect.gen(function* () {
      const requests: ReadonlyArray<readonly [string, (c: OAuthClient.OAuthClient) => Effect.Effect<unknown, unknown>]> = [
        ["client_credentials", (c) => c.token(TokenRequest.clientCredentials({ scope: "a" }))],
        [
          "authorization_code",
          (c) => c.token(TokenRequest.authorizationCode({ code: "C", redirectUri: "https://app/cb", codeVerifier: "V".repeat(43) }))
        ],
        ["refresh_token", (c) => c.refresh(BearerToken.make({ accessToken: "old", refreshToken: "RT", issuedAt: DateTime.unsafeMake(0) }))],
        ["device_code", (c) => c.token(TokenRequest.deviceCode({ deviceCode: "D" }))],
        ["ciba", (c) => c.token(TokenRequest.ciba({ authReqId: "R" }))],
        ["password", (c) => c.token(TokenRequest.password({ username: "u", password: "p" }))],
        ["jwt-bearer", (c) => c.token(TokenRequest.jwtBearer({ assertion: "A" }))]
      ]
      for (const [grant, call] of requests) {
        for (const tokenType of ["MAC", "N_A"]) {
          const error = yield* Effect.flip(withClient(() => FakeHttp.json({ ...tokenAnswer, token_type: tokenType }), call))
          expect(error, `${grant} with token_type ${tokenType}`).toMatchObject({ _tag: "UnexpectedResponse", endpoint: "token" })
          expect((error as { readonly reason: string }).reason).toContain(`token_type is '${tokenType}'`)
        }
        // a DPoP-bound token to a request without a proof (no Dpop service): its own typed error (issue 10)
        for (const tokenType of ["DPoP", "dpop"]) {
          const error = yield* Effect.flip(withClient(() => FakeHttp.json({ ...tokenAnswer, token_type: tokenType }), call))
          expect(error, `${grant} with token_type ${tokenType}`).toMatchObject({ _tag: "DpopRequired", endpoint: "token" })
        }
        // Bearer in any case is accepted
        for (const tokenType of ["Bearer", "bearer", "BEARER"])
          yield* withClient(() => FakeHttp.json({ ...tokenAnswer, token_type: tokenType }), call)
      }
    })
  )

  it.effect("token: error answers keep their tag; token exchange accepts N_A", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({ error: "invalid_grant", error_description: "used" }, 400),
          (c) => c.token(TokenRequest.deviceCode({ deviceCode: "D" }))
        )
      )
      expect(error).toMatchObject({ _tag: "InvalidGrant", status: 400, description: "used", endpoint: "token" })
      const { result } = yield* withClient(
        () => FakeHttp.json({ access_token: "X", token_type: "N_A", issued_token_type: "urn:ietf:params:oauth:token-type:jwt" }),
        (c) => Effect.flatMap(TokenRequest.tokenExchange({ subjectToken: "S", subjectTokenType: "jwt" }), (r) => c.token(r))
      )
      expect(result.issuedTokenType).toBe("urn:ietf:params:oauth:token-type:jwt")
    })
  )

  it.effect("revocation with token_type_hint", () =>
    Effect.gen(function* () {
      const { seen } = yield* withClient(
        () => new Response(null, { status: 200 }),
        (c) => c.revoke({ token: Redacted.make("RT"), tokenTypeHint: "refresh_token" })
      )
      expect(seen[0]).toMatchObject({ method: "POST", url: endpoints.revocationEndpoint, body: "token=RT&token_type_hint=refresh_token" })
      expect(seen[0]!.headers.authorization).toBe(basic)
    })
  )

  it.effect("introspection", () =>
    Effect.gen(function* () {
      const { result, seen } = yield* withClient(
        () => FakeHttp.json({ active: true, scope: "a b", client_id: "client 1", exp: 1000 }),
        (c) => c.introspect({ token: "AT", tokenTypeHint: "access_token" })
      )
      expect(seen[0]).toMatchObject({ url: endpoints.introspectionEndpoint, body: "token=AT&token_type_hint=access_token" })
      expect(result.active).toBe(true)
    })
  )

  it.effect("userinfo with a bearer header, and the sub check", () =>
    Effect.gen(function* () {
      const token = BearerToken.make({ accessToken: "AT", issuedAt: DateTime.unsafeMake(0) })
      const { result, seen } = yield* withClient(
        () => FakeHttp.json({ sub: "alice", email: "a@example.com" }),
        (c) => c.userinfo(token, { subject: "alice" })
      )
      expect(onTheWire(seen[0]!)).toEqual({
        method: "GET",
        url: endpoints.userinfoEndpoint,
        headers: { accept: "application/json", authorization: "Bearer AT" },
        body: ""
      })
      expect(result.sub).toBe("alice")
      const mismatch = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({ sub: "mallory" }),
          (c) => c.userinfo("AT", { subject: "alice" })
        )
      )
      expect(mismatch._tag).toBe("MismatchingSubject")
    })
  )

  it.effect("pushed authorization returns a request_uri request", () =>
    Effect.gen(function* () {
      const pending = yield* AuthorizationRequest.make({
        authorizationEndpoint: endpoints.authorizationEndpoint,
        clientId: "client 1",
        redirectUri: "https://app/cb",
        state: "st",
        nonce: "no",
        codeVerifier: "v".repeat(43)
      })
      const { result, seen } = yield* withClient(
        () => FakeHttp.json({ request_uri: "urn:ietf:params:oauth:request_uri:abc", expires_in: 60 }, 201),
        (c) => c.pushedAuthorization(pending)
      )
      const body = new URLSearchParams(seen[0]!.body)
      // RFC 9126 2.1: the pushed request carries every authorization request parameter, client_id included, once
      expect(body.getAll("client_id")).toStrictEqual(["client 1"])
      expect(body.get("redirect_uri")).toBe("https://app/cb")
      expect(body.get("code_challenge_method")).toBe("S256")
      expect(result.requestUri).toBe("urn:ietf:params:oauth:request_uri:abc")
      const url = new URL(result.url)
      expect([...url.searchParams.keys()].sort()).toEqual(["client_id", "request_uri"])
    })
  )

  it.effect("device authorization and CIBA", () =>
    Effect.gen(function* () {
      const { result, seen } = yield* withClient(
        () => FakeHttp.json({ device_code: "D", user_code: "U", verification_uri: "https://as.example.com/device", expires_in: 600 }),
        (c) => c.deviceAuthorization({ scope: ["openid", "offline_access"] })
      )
      expect(seen[0]).toMatchObject({ url: endpoints.deviceAuthorizationEndpoint, body: "scope=openid+offline_access" })
      expect(result.userCode).toBe("U")
      const ciba = yield* withClient(
        () => FakeHttp.json({ auth_req_id: "R", expires_in: 120, interval: 2 }),
        (c) => c.backchannelAuthentication({ scope: "openid", loginHint: "alice", bindingMessage: "W4SCT" })
      )
      expect(ciba.seen[0]).toMatchObject({
        url: endpoints.backchannelAuthenticationEndpoint,
        body: "scope=openid&login_hint=alice&binding_message=W4SCT"
      })
      expect(Redacted.value(ciba.result.authReqId)).toBe("R")
    })
  )

  it.effect("an endpoint the server does not have is a typed error naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          (c) => c.introspect({ token: "t" }),
          { endpoints: { tokenEndpoint: endpoints.tokenEndpoint }, clientId: "c" }
        )
      )
      expect(error).toMatchObject({ _tag: "EndpointNotSupported", endpoint: "introspection" })
    })
  )

  it.effect("refuses bad configurations", () =>
    Effect.gen(function* () {
      const auth = yield* ClientAuth.none({ clientId: "c" })
      const both = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          () => Effect.void,
          { endpoints, auth, clientId: "c" }
        )
      )
      expect(both).toMatchObject({ _tag: "InvalidConfiguration", field: "auth" })
      const neither = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          () => Effect.void,
          { endpoints }
        )
      )
      expect(neither).toMatchObject({ _tag: "InvalidConfiguration", field: "clientId" })
      const insecure = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          () => Effect.void,
          { endpoints: { tokenEndpoint: "http://as.example.com/token" }, clientId: "c" }
        )
      )
      expect(insecure).toMatchObject({ _tag: "InvalidConfiguration", field: "tokenEndpoint" })
      const malformed = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          () => Effect.void,
          { endpoints: { tokenEndpoint: "javascript:alert(1)" }, clientId: "c" }
        )
      )
      expect(malformed).toMatchObject({ _tag: "InvalidConfiguration" })
      // a value refused by a core function keeps its InvalidArgument (and the argument's name) as the cause
      const badKey = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({}),
          () => Effect.void,
          { endpoints, clientId: "c", decryptionKey: "not a key" }
        )
      )
      expect(badKey).toMatchObject({ _tag: "InvalidConfiguration", field: "decryptionKey", cause: { _tag: "InvalidArgument" } })
      expect(typeof (badKey._tag === "InvalidConfiguration" ? badKey.cause?.argument : undefined)).toBe("string")
      const badIssuer = yield* Effect.flip(
        OAuthClient.discover({ issuer: "ftp://as.example.com" }).pipe(
          Effect.provide(Transport.layer().pipe(Layer.provide(FakeHttp.make(() => FakeHttp.json({})).layer)))
        )
      )
      expect(badIssuer).toMatchObject({ _tag: "InvalidConfiguration", field: "issuer", cause: { _tag: "InvalidArgument" } })
    })
  )

  it.effect("never renders the client secret or a token in an error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        withClient(
          () => FakeHttp.json({ ...tokenAnswer, expires_in: -1 }),
          (c) => c.token(TokenRequest.password({ username: "u", password: "PASSWORD" }))
        )
      )
      const rendered = JSON.stringify(error) + String(error)
      for (const secret of ["s3cret", "PASSWORD", '"AT"', "RT"]) expect(rendered).not.toContain(secret)
    })
  )
})

describe("OAuthClient token answers", () => {
  it.effect("keeps the refresh token when the server sends no new one, and the requested scope when it sends none", () =>
    Effect.gen(function* () {
      const { result } = yield* withClient(
        () => FakeHttp.json({ access_token: "AT2", token_type: "Bearer", expires_in: 60 }),
        (c) => Effect.flatMap(TokenRequest.refreshToken({ refreshToken: "RT-OLD", scope: "read write" }), (r) => c.token(r))
      )
      expect(Redacted.value(result.refreshToken!)).toBe("RT-OLD")
      expect(result.scope).toBe("read write")
      const { result: granted } = yield* withClient(
        () => FakeHttp.json({ ...tokenAnswer, scope: "read" }),
        (c) => c.token(TokenRequest.clientCredentials({ scope: "read write" }))
      )
      expect(granted.scope).toBe("read")
    })
  )

  it.effect("a retried request carries a fresh client assertion (new jti)", () =>
    Effect.gen(function* () {
      const { privateKey, publicKey } = yield* Effect.promise(() => jose.generateKeyPair("ES256", { extractable: true }))
      const jwk = { ...(yield* Effect.promise(() => jose.exportJWK(privateKey))), kid: "k1", alg: "ES256" }
      const auth = yield* ClientAuth.privateKeyJwt({ clientId: "c", privateKey: jwk })
      const fake = FakeHttp.make((_, i) => (i === 0 ? FakeHttp.json({ error: "temporarily_unavailable" }, 503) : FakeHttp.json(tokenAnswer)))
      const fiber = yield* Effect.fork(
        OAuthClient.make({ endpoints, auth }).pipe(
          Effect.flatMap((c) => c.token(TokenRequest.clientCredentials())),
          Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer)))
        )
      )
      // signing runs on WebCrypto (real async work) before the retry's sleep starts: a single adjust can come too early
      // on a loaded machine, so the TestClock is advanced in small steps, with a real pause, until the fiber is done
      yield* advanceUntilDone(fiber, "100 millis")
      expect(fake.seen.length).toBe(2)
      const now = new Date(yield* Clock.currentTimeMillis)
      const jtis = yield* Effect.forEach(fake.seen, (seen) =>
        Effect.promise(
          async () =>
            (await jose.jwtVerify(new URLSearchParams(seen.body).get("client_assertion")!, publicKey, { currentDate: now, clockTolerance: 120 }))
              .payload.jti
        )
      )
      expect(jtis[0]).not.toBe(jtis[1])
    })
  )
})

describe("OAuthClient JWKS cache", () => {
  const jwks = (kids: ReadonlyArray<string>) => FakeHttp.json({ keys: kids.map((kid) => ({ kty: "EC", crv: "P-256", x: "x", y: "y", kid })) })

  it.effect("fetches once, refetches on an unknown kid no more often than the cooldown", () =>
    Effect.gen(function* () {
      let rotation = ["k1"]
      const fake = FakeHttp.make(() => jwks(rotation))
      const client = yield* OAuthClient.make({ endpoints, clientId: "c", jwksCooldown: "30 seconds" }).pipe(
        Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer)))
      )
      yield* client.jwks()
      yield* client.jwks({ kid: "k1" })
      expect(fake.seen.length).toBe(1)
      rotation = ["k1", "k2"]
      // the first fetch starts no cooldown: a key published right after it is found by one refetch
      const fresh = yield* client.jwks({ kid: "k2" })
      expect(fake.seen.length).toBe(2)
      expect(fresh.keys.map((k) => k.kid)).toStrictEqual(["k1", "k2"])
      rotation = ["k1", "k2", "k3"]
      // within the cooldown after that refetch an unknown kid does not refetch
      const stale = yield* client.jwks({ kid: "k3" })
      expect(fake.seen.length).toBe(2)
      expect(stale.keys.map((k) => k.kid)).toStrictEqual(["k1", "k2"])
      yield* TestClock.adjust("30 seconds")
      yield* client.jwks({ kid: "k3" })
      expect(fake.seen.length).toBe(3)
      // concurrent lookups of another unknown kid after the cooldown cause one fetch
      yield* TestClock.adjust("30 seconds")
      yield* Effect.all(
        Array.from({ length: 50 }, () => client.jwks({ kid: "k4" })),
        { concurrency: "unbounded" }
      )
      expect(fake.seen.length).toBe(4)
    })
  )

  it.effect("concurrent first lookups of an unknown kid cause one fetch", () =>
    Effect.gen(function* () {
      const fake = FakeHttp.make(() => jwks(["k1"]))
      const client = yield* OAuthClient.make({ endpoints, clientId: "c" }).pipe(Effect.provide(Transport.layer().pipe(Layer.provide(fake.layer))))
      yield* Effect.all(
        Array.from({ length: 20 }, () => client.jwks({ kid: "k9" })),
        { concurrency: "unbounded" }
      )
      expect(fake.seen.length).toBe(1)
    })
  )

  it.effect("refuses a malformed key set", () =>
    Effect.gen(function* () {
      for (const body of [{}, { keys: "nope" }, { keys: [{ kid: "x" }] }, []]) {
        const error = yield* Effect.flip(
          withClient(
            () => FakeHttp.json(body),
            (c) => c.jwks()
          )
        )
        expect(error).toMatchObject({ _tag: "UnexpectedResponse", endpoint: "jwks" })
      }
    })
  )
})

describe("Fapi2: signed UserInfo answers", () => {
  it.effect("held to the profile's algorithms (RS256 refused) without requiring a JWT answer", () =>
    Effect.gen(function* () {
      const rsa = yield* Effect.promise(() => jose.generateKeyPair("RS256", { extractable: true }))
      const ps = yield* Effect.promise(() => jose.generateKeyPair("PS256", { extractable: true }))
      const es = yield* Effect.promise(() => jose.generateKeyPair("ES256", { extractable: true }))
      const jwks = {
        keys: [
          { ...(yield* Effect.promise(() => jose.exportJWK(rsa.publicKey))), kid: "rsa", alg: "RS256", use: "sig" },
          { ...(yield* Effect.promise(() => jose.exportJWK(ps.publicKey))), kid: "ps", alg: "PS256", use: "sig" }
        ]
      }
      const metadata = yield* ServerMetadata.decode(
        {
          issuer: endpoints.issuer,
          authorization_endpoint: endpoints.authorizationEndpoint,
          token_endpoint: endpoints.tokenEndpoint,
          userinfo_endpoint: endpoints.userinfoEndpoint,
          pushed_authorization_request_endpoint: endpoints.pushedAuthorizationRequestEndpoint,
          authorization_response_iss_parameter_supported: true,
          code_challenge_methods_supported: ["S256"],
          userinfo_signing_alg_values_supported: ["RS256", "PS256"]
        },
        { issuer: endpoints.issuer }
      )
      const auth = yield* ClientAuth.privateKeyJwt({
        clientId: "fapi",
        privateKey: { ...(yield* Effect.promise(() => jose.exportJWK(es.privateKey))), kid: "es" },
        audience: "issuer"
      })
      const signed = (alg: string, kid: string, key: jose.CryptoKey) =>
        Effect.promise(() =>
          new jose.SignJWT({ sub: "alice" }).setProtectedHeader({ alg, kid }).setIssuer(endpoints.issuer).setAudience("fapi").sign(key)
        )
      const rs256 = yield* signed("RS256", "rsa", rsa.privateKey)
      const ps256 = yield* signed("PS256", "ps", ps.privateKey)
      const answers = [rs256, ps256]
      const fake = FakeHttp.make((_seen, index) =>
        index < answers.length
          ? new Response(answers[index], { status: 200, headers: { "content-type": "application/jwt" } })
          : FakeHttp.json({ sub: "alice" })
      )
      yield* Effect.gen(function* () {
        const client = yield* Fapi2.make({ metadata, auth, jwks })
        const refused = yield* Effect.flip(client.userinfo("AT"))
        expect(refused._tag).not.toBe("UnexpectedResponse")
        expect(String(refused.message)).toMatch(/alg|algorithm/i)
        expect((yield* client.userinfo("AT")).sub).toBe("alice")
        // a plain JSON answer is still accepted: the client does not require (nor ask for) a JWT
        expect((yield* client.userinfo("AT")).sub).toBe("alice")
        expect(fake.seen[2]?.headers["accept"]).not.toBe("application/jwt")
      }).pipe(Effect.provide(Layer.merge(Transport.layer().pipe(Layer.provide(fake.layer)), Dpop.layer({ algorithm: "ES256" }))))
    })
  )
})

describe("OAuthClient: JARM settings", () => {
  it.effect("bad authorizationResponse algorithms or encryption fail the construction, not the first callback", () =>
    Effect.gen(function* () {
      for (const authorizationResponse of [
        { signingAlgorithms: [] },
        { signingAlgorithms: ["none"] },
        { signingAlgorithms: [""] },
        { encryption: { alg: "nope" } }
      ] as ReadonlyArray<OAuthClient.JwtResponseSettings>) {
        const error = yield* Effect.flip(OAuthClient.make({ endpoints, clientId: "c", authorizationResponse }))
        expect(error._tag).toBe("InvalidConfiguration")
        expect((error as { field?: string }).field).toMatch(/^authorizationResponse\./)
      }
      yield* OAuthClient.make({ endpoints, clientId: "c", authorizationResponse: { signingAlgorithms: ["PS256"] } })
    }).pipe(Effect.provide(Transport.layerFetch()))
  )
})
