/** @internal */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import { AuthorizationRequest, AuthorizationResponse, BearerToken, Jwt, TokenRequest } from "@oauth2/core"
import { Grants, ProtectedResource } from "@oauth2/flows"
import { BackchannelLogout, ClientAuth, ClientRegistration, Dpop, Fapi2, Logout, OAuthClient, Transport } from "@oauth2/http"
import * as Mtls from "@oauth2/http/Mtls"
import { HttpListener, RedisServer, TestServer } from "@oauth2/testing"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as jose from "jose"
import type * as Demo from "../Demo.js"
import { demoFailed } from "./errors.js"
import * as member from "./member.js"
import * as platform from "./platform.js"
import { oneLine, render } from "./table.js"

type Env = TestServer.TestServer | Transport.Transport

interface Outcome {
  readonly result: string
  readonly token?: BearerToken.BearerToken
  /** The flow could not run here (something it needs is not installed): `result` says why. */
  readonly skipped?: boolean
}

const describeError = (u: unknown): string =>
  typeof u === "object" && u !== null && "message" in u && typeof u.message === "string"
    ? `${"_tag" in u ? `${String(u._tag)}: ` : ""}${u.message}`
    : String(u)

/** Runs one flow, timing it, and turns any failure into a failed row. */
const step = <E>(flow: string, program: Effect.Effect<Outcome, E, Env>): Effect.Effect<Demo.Row, never, Env> =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const exit = yield* Effect.exit(program)
    const millis = (yield* Clock.currentTimeMillis) - start
    if (exit._tag === "Failure") {
      const failure = Cause.failureOption(exit.cause)
      const result = oneLine(Option.isSome(failure) ? describeError(failure.value) : Cause.pretty(exit.cause))
      return { flow, ok: false, result: result.slice(0, 160), millis }
    }
    const token = exit.value.token
    const lifetime = token === undefined ? undefined : yield* BearerToken.remainingLifetime(token)
    return {
      flow,
      ok: true,
      ...(exit.value.skipped === true ? { skipped: true } : {}),
      result: exit.value.result,
      ...(lifetime !== undefined && Option.isSome(lifetime)
        ? { lifetime: Duration.format(Duration.seconds(Math.round(Duration.toSeconds(lifetime.value)))) }
        : {}),
      ...(token?.scope === undefined ? {} : { scopes: token.scope }),
      millis
    }
  })

type SecretName = "clientSecretBasic" | "clientSecretPost" | "clientSecretJwt" | "privateKeyJwt"

const authFor = (server: TestServer.TestServer, name: SecretName | "public" | "encryptedIdToken") => ClientAuth.fromRegistration(server.clients[name])

/** A discovered client for one of the test server's registered clients. */
const clientFor = (name: SecretName | "public" | "encryptedIdToken") =>
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    return yield* OAuthClient.fromDiscovery({ issuer: server.issuer, auth: yield* authFor(server, name) })
  })

const withClient = <A, E>(name: SecretName | "public", program: Effect.Effect<A, E, OAuthClient.OAuthClient>) =>
  Effect.flatMap(clientFor(name), (client) => Effect.provideService(program, OAuthClient.OAuthClient, client))

const redacted = (token: BearerToken.BearerToken) => `access token ${Redacted.value(token.accessToken).length} chars`

/** Signs an RFC 7523 assertion about `alice` with the private_key_jwt client's key. */
const assertionFor = (server: TestServer.TestServer) =>
  Effect.gen(function* () {
    const jwk = Redacted.value(server.clients.privateKeyJwt.privateJwk)
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const jti = crypto.randomUUID()
    return yield* Effect.tryPromise(async () =>
      new jose.SignJWT({})
        .setProtectedHeader({ alg: jwk.alg!, kid: jwk.kid! })
        .setIssuer(server.clients.privateKeyJwt.clientId)
        .setSubject("alice")
        .setAudience(server.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .setJti(jti)
        .sign(await jose.importJWK(jwk, jwk.alg))
    )
  })

/** Logs alice in for a pending request and exchanges the code. */
const codeFlow = (client: OAuthClient.OAuthClient, request: AuthorizationRequest.PendingRequest) =>
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    const callback = yield* server.authorize(request.url)
    const response = yield* AuthorizationResponse.validate(request, callback)
    return yield* client.token(TokenRequest.authorizationCode(AuthorizationResponse.tokenRequestInputs(response)))
  })

/** The protocol's fields: a line that is not a JSON object with one of them is not the protocol's (a log line, say). */
const protocolFields = ["ready", "result"] as const

/**
 * The member's next protocol line, decoded: other lines (not JSON objects with a protocol field) are skipped; a
 * protocol line other than the expected one fails.
 */
export const memberLine = <A>(child: platform.Child, field: (typeof protocolFields)[number]): Effect.Effect<A, Error> =>
  Effect.flatMap(child.line, (line) => {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      return memberLine<A>(child, field)
    }
    if (typeof parsed !== "object" || parsed === null || !protocolFields.some((f) => f in parsed)) return memberLine<A>(child, field)
    if (!(field in parsed)) return Effect.fail(new Error(`unexpected line from a member of the fleet: ${line.slice(0, 200)}`))
    return Effect.succeed(parsed as A)
  })

/**
 * Two OS processes (this command again, see member.ts), each with a token source shared through a real redis-server
 * and many fibers asking for the token at once: one token request reaches the server, and both get the same token.
 * Skipped when redis-server or `@oauth2/redis` is not installed.
 */
const sharedThroughRedis = (processes: number, fibers: number): Effect.Effect<Outcome, unknown, Env> =>
  Effect.gen(function* () {
    const server = yield* TestServer.TestServer
    // the package first: without it, no redis-server is started for nothing
    const available = yield* Effect.either(Effect.tryPromise(() => import("@oauth2/redis")))
    if (available._tag === "Left") return { skipped: true, result: "@oauth2/redis is not installed (an optional peer of @oauth2/cli)" }
    const started = yield* Effect.either(RedisServer.make())
    if (started._tag === "Left") {
      if (started.left.reason === "NotInstalled") return { skipped: true, result: "redis-server is not installed (apt-get install redis-server)" }
      return yield* started.left
    }
    const redis = started.right
    const registered = server.clients.clientSecretBasic
    const parameters: member.Parameters = {
      redisUrl: redis.url,
      tokenEndpoint: server.endpoints.token,
      clientId: registered.clientId,
      clientSecret: Redacted.value(registered.clientSecret),
      scope: server.resourceScopes,
      resource: server.resource,
      key: `demo-${crypto.randomUUID()}`,
      keyMaterial: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      fibers
    }
    const before = yield* server.requests("token")
    const children = yield* Effect.all(
      Array.from({ length: processes }, () => platform.spawnSelf([member.command], { [member.env]: JSON.stringify(parameters) })),
      { concurrency: "unbounded" }
    )
    const ready = yield* Effect.forEach(children, (child) => memberLine<member.Ready>(child, "ready"), { concurrency: "unbounded" })
    // each member loaded what this process loaded: the sources (tsx and the source condition reached it) or the dist
    const fromSource = import.meta.url.endsWith(".ts")
    for (const { ready: r } of ready) {
      if (r.source !== fromSource || r.redis.endsWith(fromSource ? "/src/index.ts" : "/dist/index.js") === false) {
        return yield* Effect.fail(
          new Error(`a member of the fleet loaded ${r.source ? "the sources" : "the dist"} and @oauth2/redis from ${r.redis}`)
        )
      }
    }
    yield* Effect.forEach(children, (child) => child.send("go"), { discard: true })
    const results = yield* Effect.forEach(children, (child) => memberLine<member.Result>(child, "result"), { concurrency: "unbounded" })
    const requests = (yield* server.requests("token")) - before
    const errors = results.flatMap((r) => r.result.errors)
    const tokens = new Set(results.flatMap((r) => r.result.tokens))
    if (errors.length > 0) return yield* Effect.fail(new Error(`${errors.length} fibers failed: ${[...new Set(errors)].join(", ")}`))
    if (tokens.size !== 1 || requests !== 1) {
      return yield* Effect.fail(new Error(`${processes} processes x ${fibers} fibers -> ${requests} token requests, ${tokens.size} distinct tokens`))
    }
    return { result: `${processes} processes x ${fibers} fibers -> 1 token request, same token` }
  }).pipe(Effect.scoped, Effect.timeoutFail({ duration: Duration.seconds(60), onTimeout: () => new Error("the fleet did not answer within 60 s") }))

const flows: Effect.Effect<ReadonlyArray<Demo.Row>, never, Env> = Effect.gen(function* () {
  const server = yield* TestServer.TestServer
  const rows: Array<Demo.Row> = []
  const run = (flow: string, program: Effect.Effect<Outcome, unknown, Env>) =>
    Effect.tap(step(flow, program), (row) => Effect.sync(() => rows.push(row)))

  yield* run(
    "discovery",
    Effect.gen(function* () {
      const client = yield* clientFor("public")
      const keys = yield* client.jwks()
      const count = Object.keys(client.endpoints).length - 1
      return { result: `issuer matches, ${count} endpoints, ${keys.keys.length} signing keys` }
    })
  )

  for (const name of ["clientSecretBasic", "clientSecretPost", "clientSecretJwt", "privateKeyJwt"] as const) {
    const method = server.clients[name].tokenEndpointAuthMethod
    yield* run(
      `client_credentials (${method})`,
      withClient(name, Grants.clientCredentials({ scope: server.resourceScopes, resource: server.resource })).pipe(
        Effect.map((token) => ({ result: `${token.tokenType} ${redacted(token)}`, token }))
      )
    )
  }

  // authorization code + PKCE + nonce for the public client, kept for the flows that need a user's token
  let userToken: BearerToken.BearerToken | undefined
  let session: OAuthClient.ValidatedToken | undefined
  yield* run(
    "authorization_code + PKCE + ID token",
    withClient(
      "public",
      Effect.gen(function* () {
        const app = server.clients.public
        const flow = yield* Grants.authorizationCodeFlow({
          redirectUri: app.redirectUris[0]!,
          scope: "openid profile email offline_access",
          prompt: "consent",
          maxAge: 600
        })
        const validated = yield* flow.callback(yield* server.authorize(flow.request.url))
        const { token, idToken } = validated
        userToken = token
        session = validated
        return { result: `iss, state, PKCE checked; ID token of ${idToken?.sub} validated (${idToken?.alg}, nonce)`, token }
      })
    )
  )

  yield* run(
    "encrypted ID token (JWE)",
    Effect.gen(function* () {
      const registered = server.clients.encryptedIdToken
      const client = yield* OAuthClient.fromDiscovery({
        issuer: server.issuer,
        auth: yield* ClientAuth.clientSecretBasic({ clientId: registered.clientId, clientSecret: registered.clientSecret }),
        decryptionKey: registered.idTokenEncryption.decryptionJwk,
        idToken: { encryption: { alg: registered.idTokenEncryption.alg, enc: registered.idTokenEncryption.enc } }
      })
      const flow = yield* Effect.provideService(
        Grants.authorizationCodeFlow({ redirectUri: registered.redirectUris[0]!, scope: "openid" }),
        OAuthClient.OAuthClient,
        client
      )
      const { token, idToken } = yield* flow.callback(yield* server.authorize(flow.request.url))
      return {
        result: `${registered.idTokenEncryption.alg}/${registered.idTokenEncryption.enc} decrypted, ID token of ${idToken?.sub} validated`,
        token
      }
    })
  )

  yield* run(
    "request object (JAR) over PAR",
    withClient(
      "privateKeyJwt",
      Effect.gen(function* () {
        const app = server.clients.privateKeyJwt
        const signingKey = yield* Jwt.signingKey(Redacted.value(app.privateJwk))
        const flow = yield* Grants.authorizationCodeFlow({
          redirectUri: app.redirectUris[0]!,
          scope: "openid",
          pushed: true,
          requestObject: { signingKey }
        })
        const { token } = yield* flow.callback(yield* server.authorize(flow.request.url))
        return { result: `signed ${signingKey.alg} request object pushed, request_uri login`, token }
      })
    )
  )

  yield* run(
    "refresh_token",
    Effect.gen(function* () {
      if (session === undefined) return yield* Effect.fail("no token from the authorization code flow")
      const client = yield* clientFor("public")
      const refreshed = yield* client.refresh(session)
      userToken = refreshed.token
      return { result: `new ${redacted(refreshed.token)}, rotated refresh token, ID token keeps iss and sub`, token: refreshed.token }
    })
  )

  yield* run(
    "userinfo",
    Effect.gen(function* () {
      if (userToken === undefined) return yield* Effect.fail("no user token")
      const client = yield* clientFor("public")
      const info = yield* client.userinfo(userToken, { subject: "alice" })
      return { result: `sub ${info.sub}, ${Object.keys(info.claims).length} claims` }
    })
  )

  yield* run(
    "device authorization",
    withClient(
      "clientSecretPost",
      Effect.gen(function* () {
        const flow = yield* Grants.deviceFlow({ scope: "openid offline_access" })
        const polling = yield* Effect.fork(flow.token)
        yield* server.approveDevice(flow.authorization.userCode)
        const token = yield* Fiber.join(polling)
        return { result: `user code ${flow.authorization.userCode} approved, polled`, token }
      })
    )
  )

  yield* run(
    "CIBA (poll mode)",
    withClient(
      "clientSecretBasic",
      Effect.gen(function* () {
        const flow = yield* Grants.cibaFlow({ scope: "openid", loginHint: "alice", bindingMessage: "DEMO" })
        const polling = yield* Effect.fork(flow.token)
        yield* server.approveCiba(Redacted.value(flow.authentication.authReqId))
        const token = yield* Fiber.join(polling)
        return { result: "approved on the authentication device, polled", token }
      })
    )
  )

  yield* run(
    "token exchange",
    Effect.gen(function* () {
      if (userToken === undefined) return yield* Effect.fail("no user token")
      const subject = userToken
      const token = yield* withClient("privateKeyJwt", Grants.tokenExchange({ subjectToken: subject, audience: server.resource }))
      return { result: `access_token exchanged for ${token.issuedTokenType ?? token.tokenType}`, token }
    })
  )

  yield* run(
    "JWT bearer",
    Effect.gen(function* () {
      const assertion = yield* assertionFor(server)
      const token = yield* withClient("privateKeyJwt", Grants.jwtBearer({ assertion, scope: "openid" }))
      return { result: `assertion for alice accepted, ${redacted(token)}`, token }
    })
  )

  yield* run(
    "introspection",
    Effect.gen(function* () {
      if (userToken === undefined) return yield* Effect.fail("no user token")
      const client = yield* clientFor("clientSecretBasic")
      const answer = yield* client.introspect({ token: userToken.accessToken, tokenTypeHint: "access_token" })
      return { result: `active ${answer.active}, sub ${answer.sub ?? "-"}, client ${answer.clientId ?? "-"}` }
    })
  )

  yield* run(
    "revocation",
    Effect.gen(function* () {
      if (userToken?.refreshToken === undefined) return yield* Effect.fail("no refresh token")
      const refreshToken = userToken.refreshToken
      const publicClient = yield* clientFor("public")
      yield* publicClient.revoke({ token: refreshToken, tokenTypeHint: "refresh_token" })
      const after = yield* Effect.flip(publicClient.token(yield* TokenRequest.refreshToken({ refreshToken })))
      return { result: `refresh token revoked: a refresh now answers ${after._tag}` }
    })
  )

  yield* run(
    "pushed authorization (PAR)",
    Effect.gen(function* () {
      const client = yield* clientFor("clientSecretBasic")
      const app = server.clients.clientSecretBasic
      const request = yield* AuthorizationRequest.make({
        authorizationEndpoint: client.endpoints.authorizationEndpoint!,
        clientId: app.clientId,
        redirectUri: app.redirectUris[0]!,
        issuer: server.issuer
      })
      const pushed = yield* client.pushedAuthorization(request)
      const token = yield* codeFlow(client, pushed)
      return { result: `request_uri login, code exchanged`, token }
    })
  )

  yield* run(
    "client_credentials + DPoP (RFC 9449)",
    Effect.gen(function* () {
      const dpop = yield* Dpop.make()
      const client = yield* Effect.provideService(clientFor("clientSecretBasic"), Dpop.Dpop, dpop)
      const token = yield* client.token(TokenRequest.clientCredentials({ scope: server.resourceScopes, resource: server.resource }))
      return { result: `token_type ${token.tokenType}, bound to key ${dpop.thumbprint.slice(0, 8)}… (${dpop.key.algorithm})`, token }
    })
  )

  // mTLS and FAPI 2.0: a second test server with the mTLS listener (certificates made by openssl at start), for both rows
  yield* Effect.scoped(
    Effect.gen(function* () {
      const started = yield* Effect.either(TestServer.make({ fapi2: true, jarm: true }))
      const secure = started
      // without the openssl command (the certificates are made with it) both rows are skipped, as without redis-server
      const withOpenssl = (program: Effect.Effect<Outcome, unknown, Env>): Effect.Effect<Outcome, unknown, Env> =>
        started._tag === "Left" && started.left.message.includes("openssl command is not installed")
          ? Effect.succeed({ skipped: true, result: "openssl is not installed (apt-get install openssl): mutual TLS makes its certificates with it" })
          : program
      const certificateOf = (s: TestServer.TestServer, name: "tlsClientAuth" | "fapi2") =>
        Mtls.layer({ cert: s.mtls!.certificates[name].cert, key: Redacted.make(s.mtls!.certificates[name].key), ca: s.mtls!.ca, retry: false })

      yield* run(
        "client_credentials + mTLS (RFC 8705)",
        withOpenssl(
          Effect.gen(function* () {
            const mtlsServer = yield* secure
            return yield* Effect.gen(function* () {
              const auth = yield* ClientAuth.tlsClientAuth({ clientId: "tls-client-auth" })
              const client = yield* OAuthClient.fromDiscovery({ issuer: mtlsServer.issuer, auth })
              const token = yield* client.token(TokenRequest.clientCredentials({ scope: mtlsServer.resourceScopes }))
              const http = yield* HttpClient.HttpClient
              const answer = yield* http.get(mtlsServer.mtls!.resource, { headers: { authorization: `Bearer ${Redacted.value(token.accessToken)}` } })
              const outcome: Outcome = { result: `tls_client_auth at the mTLS alias, certificate-bound token accepted: HTTP ${answer.status}`, token }
              return outcome
            }).pipe(Effect.scoped, Effect.provide(certificateOf(mtlsServer, "tlsClientAuth")))
          })
        )
      )

      yield* run(
        "FAPI 2.0 login (PAR, PKCE, private_key_jwt, mTLS)",
        withOpenssl(
          Effect.gen(function* () {
            const fapiServer = yield* secure
            return yield* Effect.gen(function* () {
              const auth = yield* ClientAuth.privateKeyJwt({
                clientId: "fapi2",
                privateKey: fapiServer.clients.privateKeyJwt.privateJwk,
                audience: "issuer"
              })
              const client = yield* Fapi2.make({ issuer: fapiServer.issuer, auth })
              const flow = yield* Effect.provideService(
                Grants.authorizationCodeFlow({ redirectUri: fapiServer.clients.privateKeyJwt.redirectUris[0]!, scope: "openid" }),
                OAuthClient.OAuthClient,
                client
              )
              const { idToken, token } = yield* flow.callback(yield* fapiServer.authorize(flow.request.url))
              const outcome: Outcome = { result: `pushed, iss checked, ${idToken?.sub ?? "?"} signed in, token bound to the certificate`, token }
              return outcome
            }).pipe(Effect.provide(certificateOf(fapiServer, "fapi2")))
          })
        )
      )
    })
  )

  yield* run("client_credentials shared through Redis (2 processes, 1 token)", sharedThroughRedis(2, 100))

  yield* run(
    "dynamic client registration (RFC 7591, 7592)",
    Effect.gen(function* () {
      const serverMetadata = yield* OAuthClient.discover({ issuer: server.issuer })
      const { client, registered } = yield* ClientRegistration.registerClient({
        serverMetadata,
        metadata: { grantTypes: ["client_credentials"], responseTypes: [], redirectUris: [], tokenEndpointAuthMethod: "client_secret_basic" }
      })
      const token = yield* client.token(TokenRequest.clientCredentials({ resource: server.resource }))
      yield* ClientRegistration.read(registered)
      yield* ClientRegistration.remove(registered)
      return { result: `client ${registered.clientId.slice(0, 8)}… registered, used, read, deleted`, token }
    })
  )

  yield* run(
    "protected resource: 401 -> RFC 9728 -> code",
    Effect.gen(function* () {
      const resource = server.protectedResource!.resource
      const mcp = yield* ProtectedResource.make({ redirectUri: "http://127.0.0.1/callback" })
      const response = yield* mcp.execute(HttpClientRequest.get(resource))
      const token = yield* mcp.token
      return { result: `metadata, discovery, registration, resource token: HTTP ${response.status}`, ...(token === undefined ? {} : { token }) }
    }).pipe(
      Effect.provide(FetchHttpClient.layer),
      Effect.provide(
        ProtectedResource.layerUserAgent(({ url }) => Effect.mapError(server.authorize(url), (e) => ProtectedResource.userAgentFailed(e.message, e)))
      )
    )
  )

  yield* run(
    "logout: RP-initiated + back-channel",
    // a server of its own, whose clients register a back-channel logout URI on a loopback listener
    Effect.scoped(
      Effect.gen(function* () {
        const listener = yield* HttpListener.make
        const logoutServer = yield* TestServer.make({ backchannelLogout: { uri: `${listener.url}/backchannel-logout` } })
        const registered = logoutServer.clients.clientSecretBasic
        const client = yield* OAuthClient.fromDiscovery({ issuer: logoutServer.issuer, auth: yield* ClientAuth.fromRegistration(registered) })
        let ended: string | undefined
        const handler = yield* BackchannelLogout.handler({
          onLogout: (claims) =>
            Effect.sync(() => {
              ended = claims.sid
            })
        }).pipe(Effect.provideService(OAuthClient.OAuthClient, client), Effect.provide(BackchannelLogout.layerMemory()))
        yield* listener.serve(HttpRouter.empty.pipe(HttpRouter.post("/backchannel-logout", handler)))
        const browser = TestServer.makeBrowser()
        const request = yield* AuthorizationRequest.make({
          authorizationEndpoint: client.endpoints.authorizationEndpoint!,
          clientId: registered.clientId,
          redirectUri: registered.redirectUris[0]!,
          issuer: logoutServer.issuer,
          authorizationResponseIssParameterSupported: true
        })
        const callback = yield* logoutServer.authorize(request.url, { browser })
        const { idToken, token } = yield* client.authorizationCode(yield* AuthorizationResponse.validate(request, callback))
        const logout = yield* Logout.endSessionUrlWith(client, { idTokenHint: token, postLogoutRedirectUri: registered.redirectUris[0]! })
        const landing = yield* logoutServer.endSession(logout.url, { browser })
        yield* Logout.validateCallback(logout, landing)
        if (ended === undefined || ended !== idToken?.sid) return yield* Effect.fail(new Error("no back-channel logout token for the session"))
        return { result: "end-session URL, confirmed, state checked; logout token validated, session ended" }
      })
    )
  )

  return rows
})

/** @internal */
export const rows: Effect.Effect<ReadonlyArray<Demo.Row>, TestServer.TestServerError> = flows.pipe(
  Effect.provide(
    Layer.merge(
      TestServer.layer({ features: { registration: true, registrationManagement: true }, protectedResource: {} }),
      Transport.layerFetch({ retry: false })
    )
  )
)

/** @internal */
export const run: Effect.Effect<ReadonlyArray<Demo.Row>, Demo.DemoFailed | TestServer.TestServerError> = Effect.gen(function* () {
  const all = yield* rows
  yield* Effect.sync(() => console.log(render(all)))
  const failed = all.filter((r) => !r.ok).map((r) => r.flow)
  if (failed.length > 0) {
    return yield* demoFailed(failed)
  }
  return all
})
