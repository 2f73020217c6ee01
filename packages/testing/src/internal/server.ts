/**
 * The running server: an `http.Server` on 127.0.0.1:0 in front of the provider. The front handler serves the issuer
 * path, applies the misbehaviour knobs (`failNext`, `slowDown`) and forwards to the current provider, which is
 * replaced on signing key rotation (storage and cookie keys are kept, so nothing else changes).
 *
 * @internal
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Readable } from "node:stream"
import * as Context from "effect/Context"
import * as Redacted from "effect/Redacted"
import type * as Oidc from "oidc-provider"
import type { Fault } from "../Fault.js"
import type {
  AuthorizeOptions,
  Browser,
  Clients,
  EndpointName,
  Endpoints,
  MtlsInfo,
  Options,
  RotatedKey,
  RotateOptions,
  StartedTestServer,
  TestServer,
  User
} from "../TestServer.js"
import { forms, marker } from "./html.js"
import { generateKeyPair, type Jwk, type KeyPair, randomSecret } from "./keys.js"
import { loadLibrary, loadMemoryAdapter } from "./library.js"
import { buildProvider } from "./provider.js"
import * as secureProfiles from "./mtls.js"
import { endSession } from "./logout.js"
import * as protectedResource from "./protectedResource.js"
import { GrantType, oidcScopes, type ResolvedFeatures, routes, type ServerState } from "./state.js"

/** @internal */
export const tag = Context.GenericTag<TestServer>("@oauth2/testing/TestServer")
import { excerpt, type Jar, makeJar, send, walk } from "./userAgent.js"

/** @internal */
export const defaultUsers: ReadonlyArray<User> = [
  {
    sub: "alice",
    claims: {
      name: "Alice Example",
      given_name: "Alice",
      family_name: "Example",
      preferred_username: "alice",
      email: "alice@example.test",
      email_verified: true,
      updated_at: 1_700_000_000
    }
  },
  {
    sub: "bob",
    claims: {
      name: "Bob Example",
      given_name: "Bob",
      family_name: "Example",
      preferred_username: "bob",
      email: "bob@example.test",
      email_verified: false,
      updated_at: 1_700_000_000
    }
  }
]

const RESOURCE = "https://api.example.test"
const RESOURCE_SCOPES = ["api:read", "api:write"] as const
const REDIRECT_URIS = ["http://127.0.0.1/callback", "http://localhost/callback"] as const

/** @internal */
export const makeBrowser = (): Browser => ({ _tag: "Browser", cookies: new Map() }) as Jar & Browser

const jarOf = (browser: Browser | undefined): Jar => (browser !== undefined && "cookies" in browser ? (browser as unknown as Jar) : makeJar())

const normalizeIssuerPath = (path: string | undefined): string => {
  if (path === undefined || path === "" || path === "/") return ""
  const trimmed = `/${path.replace(/^\/+|\/+$/g, "")}`
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed)) throw new Error(`invalid issuerPath ${JSON.stringify(path)}`)
  return trimmed
}

const resolveFeatures = (options: Options): ResolvedFeatures => {
  const f = options.features ?? {}
  return {
    clientCredentials: f.clientCredentials ?? true,
    refreshToken: f.refreshToken ?? true,
    deviceFlow: f.deviceFlow ?? true,
    ciba: f.ciba ?? true,
    pushedAuthorizationRequests: f.pushedAuthorizationRequests ?? true,
    requirePushedAuthorizationRequests: f.requirePushedAuthorizationRequests ?? false,
    requestObjects: f.requestObjects ?? true,
    introspection: f.introspection ?? true,
    revocation: f.revocation ?? true,
    userinfo: f.userinfo ?? true,
    resourceIndicators: f.resourceIndicators ?? true,
    encryption: f.encryption ?? true,
    tokenExchange: f.tokenExchange ?? true,
    jwtBearer: f.jwtBearer ?? true,
    dpop: f.dpop === undefined || f.dpop === false ? false : { requireNonce: f.dpop !== true && f.dpop.requireNonce === true },
    registration: f.registration ?? false,
    registrationManagement: f.registrationManagement ?? false
  }
}

const positive = (value: number | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`ttl.${name} must be a positive integer (seconds)`)
  return value
}

interface Keys {
  readonly rs256: KeyPair
  readonly es256: KeyPair
  readonly serverEncryption: KeyPair
  readonly clientSigning: KeyPair
  readonly clientEncryption: KeyPair
}

const generateKeys = async (): Promise<Keys> => {
  const [rs256, es256, serverEncryption, clientSigning, clientEncryption] = await Promise.all([
    generateKeyPair("RS256", "sig"),
    generateKeyPair("ES256", "sig"),
    // EC, not RSA: RSA key generation is what makes start-up slow
    generateKeyPair("ECDH-ES", "enc"),
    generateKeyPair("ES256", "sig"),
    generateKeyPair("RSA-OAEP-256", "enc")
  ])
  return { rs256, es256, serverEncryption, clientSigning, clientEncryption }
}

const grantTypesFor = (features: ResolvedFeatures, confidential: boolean): Array<string> => [
  GrantType.authorizationCode,
  ...(features.refreshToken ? [GrantType.refreshToken] : []),
  ...(features.clientCredentials && confidential ? [GrantType.clientCredentials] : []),
  ...(features.deviceFlow ? [GrantType.deviceCode] : []),
  ...(features.ciba ? [GrantType.ciba] : []),
  ...(features.tokenExchange ? [GrantType.tokenExchange] : []),
  ...(features.jwtBearer ? [GrantType.jwtBearer] : [])
]

const endpointsOf = (origin: string, issuerPath: string): Endpoints => {
  const issuer = origin + issuerPath
  return {
    discovery: `${issuer}/.well-known/openid-configuration`,
    authorizationServerMetadata: `${origin}/.well-known/oauth-authorization-server${issuerPath}`,
    authorization: issuer + routes.authorization,
    token: issuer + routes.token,
    userinfo: issuer + routes.userinfo,
    jwks: issuer + routes.jwks,
    pushedAuthorizationRequest: issuer + routes.pushed_authorization_request,
    deviceAuthorization: issuer + routes.device_authorization,
    deviceVerification: issuer + routes.code_verification,
    backchannelAuthentication: issuer + routes.backchannel_authentication,
    introspection: issuer + routes.introspection,
    revocation: issuer + routes.revocation,
    endSession: issuer + routes.end_session,
    registration: issuer + routes.registration
  }
}

/** Which endpoint a request (path relative to the issuer) is for. */
const endpointByPath: ReadonlyMap<string, EndpointName> = new Map<string, EndpointName>([
  ["/.well-known/openid-configuration", "discovery"],
  ["/.well-known/oauth-authorization-server", "authorizationServerMetadata"],
  [routes.authorization, "authorization"],
  [routes.token, "token"],
  [routes.userinfo, "userinfo"],
  [routes.jwks, "jwks"],
  [routes.pushed_authorization_request, "pushedAuthorizationRequest"],
  [routes.device_authorization, "deviceAuthorization"],
  [routes.code_verification, "deviceVerification"],
  [routes.backchannel_authentication, "backchannelAuthentication"],
  [routes.introspection, "introspection"],
  [routes.revocation, "revocation"],
  [routes.end_session, "endSession"],
  [routes.registration, "registration"]
])

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A request whose body was read already, replayed as a fresh stream for the provider. */
const replay = (req: IncomingMessage, body: Buffer): IncomingMessage =>
  Object.assign(Readable.from([body], { objectMode: false }), {
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true
  }) as unknown as IncomingMessage

const writeJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" })
  res.end(JSON.stringify(body))
}

/** @internal */
export const start = async (options: Options): Promise<StartedTestServer> => {
  const issuerPath = normalizeIssuerPath(options.issuerPath)
  const features = resolveFeatures(options)
  const t = options.ttl ?? {}
  const ttl = {
    accessToken: positive(t.accessToken, 3600, "accessToken"),
    clientCredentials: positive(t.clientCredentials, 600, "clientCredentials"),
    authorizationCode: positive(t.authorizationCode, 60, "authorizationCode"),
    idToken: positive(t.idToken, 3600, "idToken"),
    refreshToken: positive(t.refreshToken, 14 * 24 * 3600, "refreshToken"),
    deviceCode: positive(t.deviceCode, 600, "deviceCode"),
    backchannelAuthenticationRequest: positive(t.backchannelAuthenticationRequest, 600, "backchannelAuthenticationRequest"),
    interaction: positive(t.interaction, 3600, "interaction"),
    session: positive(t.session, 14 * 24 * 3600, "session"),
    grant: positive(t.grant, 14 * 24 * 3600, "grant")
  }
  const users = options.users ?? defaultUsers
  const firstUser = users[0]
  if (firstUser === undefined) throw new Error("at least one user is required")

  const [lib, createMemoryAdapter, keys] = await Promise.all([loadLibrary(), loadMemoryAdapter(), generateKeys()])

  // listen first (port 0), then build the provider for the issuer that port gives
  let forward: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => writeJson(res, 503, {})
  const server = createServer((req, res) => forward(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  const issuer = origin + issuerPath
  const endpoints = endpointsOf(origin, issuerPath)

  const redirectUris = [...REDIRECT_URIS, ...(options.redirectUris ?? [])]
  const secrets = {
    basic: randomSecret(),
    post: randomSecret(),
    jwt: randomSecret(),
    encrypted: randomSecret(),
    dpop: randomSecret()
  }
  const confidentialGrants = grantTypesFor(features, true)
  const publicGrants = grantTypesFor(features, false)
  const common = (grantTypes: Array<string>) => ({
    application_type: "native",
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris,
    grant_types: grantTypes,
    response_types: ["code"],
    ...(options.backchannelLogout === undefined
      ? {}
      : {
          backchannel_logout_uri: options.backchannelLogout.uri,
          backchannel_logout_session_required: options.backchannelLogout.sessionRequired ?? true
        }),
    ...(features.ciba ? { backchannel_token_delivery_mode: "poll" } : {})
  })
  const clientMetadata: Array<Record<string, unknown>> = [
    {
      ...common(confidentialGrants),
      client_id: "client-secret-basic",
      client_secret: secrets.basic,
      token_endpoint_auth_method: "client_secret_basic"
    },
    {
      ...common(confidentialGrants),
      client_id: "client-secret-post",
      client_secret: secrets.post,
      token_endpoint_auth_method: "client_secret_post"
    },
    {
      ...common(confidentialGrants),
      client_id: "client-secret-jwt",
      client_secret: secrets.jwt,
      token_endpoint_auth_method: "client_secret_jwt",
      token_endpoint_auth_signing_alg: "HS256"
    },
    {
      ...common(confidentialGrants),
      client_id: "private-key-jwt",
      token_endpoint_auth_method: "private_key_jwt",
      token_endpoint_auth_signing_alg: keys.clientSigning.publicJwk.alg,
      jwks: { keys: [keys.clientSigning.publicJwk] }
    },
    {
      ...common(publicGrants),
      client_id: "public",
      token_endpoint_auth_method: "none"
    },
    {
      ...common(confidentialGrants),
      client_id: "encrypted-id-token",
      client_secret: secrets.encrypted,
      token_endpoint_auth_method: "client_secret_basic",
      ...(features.encryption
        ? {
            id_token_encrypted_response_alg: "RSA-OAEP-256",
            id_token_encrypted_response_enc: "A256GCM",
            jwks: { keys: [keys.clientEncryption.publicJwk] }
          }
        : {})
    }
  ]
  if (features.dpop !== false) {
    clientMetadata.push({
      ...common(confidentialGrants),
      client_id: "dpop",
      client_secret: secrets.dpop,
      token_endpoint_auth_method: "client_secret_basic",
      dpop_bound_access_tokens: true
    })
  }
  const spa = options.spa
  if (spa !== undefined) {
    for (const uri of [spa.redirectUri, ...(spa.postLogoutRedirectUris ?? [])]) {
      if (!URL.canParse(uri)) throw new Error(`spa: invalid redirect URI ${JSON.stringify(uri)}`)
    }
    clientMetadata.push({
      client_id: "spa",
      application_type: "web",
      token_endpoint_auth_method: "none",
      redirect_uris: [spa.redirectUri],
      post_logout_redirect_uris: [...(spa.postLogoutRedirectUris ?? [])],
      grant_types: [GrantType.authorizationCode, ...(features.refreshToken ? [GrantType.refreshToken] : [])],
      response_types: ["code"]
    })
  }

  const info = (clientId: string) => {
    const metadata = clientMetadata.find((c) => c["client_id"] === clientId)!
    return {
      clientId,
      redirectUris: metadata["redirect_uris"] as Array<string>,
      grantTypes: metadata["grant_types"] as Array<string>
    }
  }
  const clients: Clients = {
    clientSecretBasic: {
      ...info("client-secret-basic"),
      tokenEndpointAuthMethod: "client_secret_basic",
      clientSecret: Redacted.make(secrets.basic)
    },
    clientSecretPost: {
      ...info("client-secret-post"),
      tokenEndpointAuthMethod: "client_secret_post",
      clientSecret: Redacted.make(secrets.post)
    },
    clientSecretJwt: {
      ...info("client-secret-jwt"),
      tokenEndpointAuthMethod: "client_secret_jwt",
      clientSecret: Redacted.make(secrets.jwt)
    },
    privateKeyJwt: {
      ...info("private-key-jwt"),
      tokenEndpointAuthMethod: "private_key_jwt",
      privateJwk: Redacted.make(keys.clientSigning.privateJwk),
      publicJwk: keys.clientSigning.publicJwk
    },
    public: { ...info("public"), tokenEndpointAuthMethod: "none" },
    encryptedIdToken: {
      ...info("encrypted-id-token"),
      tokenEndpointAuthMethod: "client_secret_basic",
      clientSecret: Redacted.make(secrets.encrypted),
      idTokenEncryption: {
        alg: "RSA-OAEP-256",
        enc: "A256GCM",
        decryptionJwk: Redacted.make(keys.clientEncryption.privateJwk),
        publicJwk: keys.clientEncryption.publicJwk
      }
    },
    ...(spa === undefined ? {} : { spa: { ...info("spa"), tokenEndpointAuthMethod: "none" as const } }),
    ...(features.dpop === false
      ? {}
      : { dpop: { ...info("dpop"), tokenEndpointAuthMethod: "client_secret_basic" as const, clientSecret: Redacted.make(secrets.dpop) } })
  }

  // opt-in mTLS (an https listener), JARM and FAPI 2.0: their clients and the provider settings
  let findStored: (token: string) => Promise<Record<string, unknown> | undefined> = () => Promise.resolve(undefined)
  const secure = await secureProfiles
    .setup({
      mtls: options.mtls === true,
      jarm: options.jarm === true,
      fapi2: options.fapi2 === true,
      dpop: features.dpop !== false,
      issuerPath,
      common: common(confidentialGrants),
      clientSigningJwk: keys.clientSigning.publicJwk,
      forward: (req, res) => forward(req, res),
      find: secureProfiles.findToken(
        issuer,
        () => state.signingKeys,
        (token) => findStored(token)
      )
    })
    .catch(async (error: unknown) => {
      // the listener is up: closed, so that a failed start (openssl missing, say) leaves nothing holding the process
      await new Promise<void>((resolve) => server.close(() => resolve()))
      throw error
    })
  if (secure !== undefined) clientMetadata.push(...secure.clients)

  const state: ServerState = {
    secure: secure?.provider,
    backchannelLogout: options.backchannelLogout !== undefined,
    issuer,
    issuerPath,
    features,
    ttl,
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    requirePkce: options.requirePkce ?? false,
    accessTokenFormat: options.accessTokenFormat ?? "jwt",
    resource: RESOURCE,
    resourceScopes: RESOURCE_SCOPES,
    initialAccessToken: options.initialAccessToken,
    protectedResource:
      options.protectedResource === undefined ? undefined : protectedResource.configure(origin, issuer, RESOURCE_SCOPES, options.protectedResource),
    users: new Map(users.map((u) => [u.sub, { sub: u.sub, claims: u.claims }])),
    clients: clientMetadata,
    corsOrigins: options.corsOrigins,
    refreshTokenClients: new Set(spa === undefined ? [] : ["spa"]),
    passwords: options.passwordLogin === undefined ? undefined : new Map(Object.entries(options.passwordLogin.passwords)),
    adapter: createMemoryAdapter(15),
    cookieKeys: [randomSecret(), randomSecret()],
    signingKeys: [keys.rs256.privateJwk, keys.es256.privateJwk],
    // the server's own encryption key only serves to decrypt request objects
    encryptionKeys: features.encryption && features.requestObjects ? [keys.serverEncryption.privateJwk] : [],
    revokedJwtAccessTokens: new Set()
  }

  let provider: Oidc.Provider
  let callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  const install = () => {
    provider = buildProvider(lib, state)
    callback = provider.callback()
  }
  findStored = async (token) => {
    const found = await provider.AccessToken.find(token)
    return found === undefined ? undefined : (found as unknown as Record<string, unknown>)
  }
  try {
    install()
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    throw error
  }

  // misbehaviour knobs
  const faults = new Map<EndpointName, Array<Fault>>()
  let slowDowns = 0
  const requestCounts = new Map<EndpointName, number>()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", origin)
    let path = url.pathname
    if (state.protectedResource !== undefined && (await protectedResource.handle(state, state.protectedResource, req, res, path))) return
    if (issuerPath !== "" && path === `/.well-known/oauth-authorization-server${issuerPath}`) {
      path = `${issuerPath}/.well-known/oauth-authorization-server`
    }
    if (!(path === issuerPath || path.startsWith(`${issuerPath}/`))) {
      return writeJson(res, 404, { error: "not_found", error_description: `no such path ${url.pathname}` })
    }
    const local = path.slice(issuerPath.length) || "/"
    const endpoint = req.method === "OPTIONS" ? undefined : endpointByPath.get(local)
    if (endpoint !== undefined) {
      requestCounts.set(endpoint, (requestCounts.get(endpoint) ?? 0) + 1)
      const fault = faults.get(endpoint)?.shift()
      if (fault !== undefined) {
        await readBody(req)
        res.writeHead(fault.status, { ...fault.headers })
        res.end(fault.body)
        return
      }
    }
    let request = req
    if (endpoint === "token" && req.method === "POST" && slowDowns > 0) {
      const body = await readBody(req)
      if (new URLSearchParams(body.toString("utf8")).get("grant_type") === GrantType.deviceCode) {
        slowDowns--
        return writeJson(res, 400, {
          error: "slow_down",
          error_description: "you are polling too quickly and should back off at a reasonable rate"
        })
      }
      request = replay(req, body)
    }
    // mounted like an Express sub-app: the provider builds its URLs from `baseUrl` + its routes
    Object.assign(request, { url: local + url.search, baseUrl: issuerPath })
    await callback(request, res)
  }
  forward = (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        writeJson(res, 500, { error: "server_error", error_description: error instanceof Error ? error.message : String(error) })
      } else {
        res.destroy()
      }
    })
  }

  const isOwn = (url: URL): boolean =>
    url.origin === origin && (url.pathname === issuerPath || url.pathname.startsWith(`${issuerPath}/`) || issuerPath === "")

  const authorize = async (url: string | URL, opts: AuthorizeOptions = {}): Promise<string> => {
    const target = new URL(url)
    if (!isOwn(target)) throw new Error(`${target.href} is not a URL of this server (${issuer})`)
    const outcome = await walk(jarOf(opts.browser), { url: target }, isOwn, {
      accountId: (details) => {
        if (opts.accountId !== undefined) return opts.accountId
        const hint = details.params["login_hint"]
        return typeof hint === "string" && state.users.has(hint) ? hint : firstUser.sub
      },
      consent: opts.consent ?? "approve"
    })
    if (outcome._tag === "LeftServer") return outcome.location
    throw new Error(
      `the authorization request did not redirect to the client: HTTP ${outcome.status} at ${outcome.url}: ${
        marker(outcome.body, "error") ?? ""
      } ${marker(outcome.body, "error-description") ?? excerpt(outcome.body)}`.replace(/\s+/g, " ")
    )
  }

  const device = async (userCode: string, decision: "approve" | "deny", accountId: string): Promise<void> => {
    if (!features.deviceFlow) throw new Error("the device flow is disabled")
    const jar = makeJar()
    const entry = new URL(endpoints.deviceVerification)
    entry.searchParams.set("user_code", userCode)
    const first = await send(jar, entry, { accept: "text/html" })
    const firstHtml = await first.text()
    const submit = forms(firstHtml, entry.href)[0]
    if (submit === undefined) throw new Error(`no code entry form at ${entry.href}: ${excerpt(firstHtml)}`)
    const second = await send(jar, new URL(submit.action), { form: submit.fields, accept: "text/html" })
    const secondHtml = await second.text()
    const confirm = forms(secondHtml, submit.action).find((f) => f.id === "op.deviceConfirmForm")
    if (marker(secondHtml, "page") !== "device-confirm" || confirm === undefined) {
      throw new Error(
        `user code ${userCode} was not accepted (${marker(secondHtml, "error-name") || marker(secondHtml, "error") || excerpt(secondHtml)})`
      )
    }
    if (decision === "deny") {
      const fields = [...confirm.fields.filter(([k]) => k !== "confirm"), ["abort", "yes"] as const]
      const third = await send(jar, new URL(confirm.action), { form: fields, accept: "text/html" })
      const thirdHtml = await third.text()
      if (marker(thirdHtml, "error-name") !== "AbortedError") {
        throw new Error(`the device request was not aborted: HTTP ${third.status}: ${excerpt(thirdHtml)}`)
      }
      return
    }
    const outcome = await walk(jar, { url: new URL(confirm.action), form: confirm.fields }, isOwn, {
      accountId: () => accountId,
      consent: "approve"
    })
    if (outcome._tag === "Page" && marker(outcome.body, "page") === "device-success") return
    throw new Error(
      outcome._tag === "LeftServer"
        ? `the device flow unexpectedly left the server to ${outcome.location}`
        : `the device flow did not succeed: HTTP ${outcome.status}: ${
            marker(outcome.body, "error-name") || marker(outcome.body, "error") || excerpt(outcome.body)
          }`
    )
  }

  const pendingCiba = async (authReqId: string) => {
    if (!features.ciba) throw new Error("CIBA is disabled")
    const request = await provider.BackchannelAuthenticationRequest.find(authReqId)
    if (request === undefined) throw new Error("unknown or expired auth_req_id")
    if (request.grantId !== undefined || request.error !== undefined) {
      throw new Error("the CIBA request was already approved or denied")
    }
    return request
  }

  const approveCiba = async (authReqId: string): Promise<void> => {
    const request = await pendingCiba(authReqId)
    const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId })
    const requested = request.scope.split(" ").filter((s) => s !== "")
    const openid = requested.filter((s) => oidcScopes.includes(s))
    if (openid.length > 0) grant.addOIDCScope(openid.join(" "))
    const claims = [...Object.keys(request.claims?.id_token ?? {}), ...Object.keys(request.claims?.userinfo ?? {})]
    if (claims.length > 0) grant.addOIDCClaims(claims)
    const resources = request.resource === undefined ? [] : [request.resource].flat()
    for (const resource of resources) {
      grant.addResourceScope(resource, requested.filter((s) => state.resourceScopes.includes(s)).join(" "))
    }
    await grant.save()
    await provider.backchannelResult(request, grant, {
      acr: "urn:oauth2:testing:pwd",
      amr: ["pwd"],
      authTime: Math.floor(Date.now() / 1000)
    })
  }

  const denyCiba = async (authReqId: string): Promise<void> => {
    const request = await pendingCiba(authReqId)
    await provider.backchannelResult(request, new lib.errors.AccessDenied("end-user denied the authentication request"))
  }

  const rotateSigningKey = async (opts: RotateOptions = {}): Promise<RotatedKey> => {
    const alg = opts.alg ?? "RS256"
    const keepPrevious = opts.keepPrevious ?? true
    const { privateJwk } = await generateKeyPair(alg, "sig")
    const previous = state.signingKeys.filter((k) => k.alg === alg).map((k) => k.kid)
    const rest: ReadonlyArray<Jwk> = keepPrevious ? state.signingKeys : state.signingKeys.filter((k) => k.alg !== alg)
    const before = state.signingKeys
    state.signingKeys = [privateJwk, ...rest]
    try {
      install()
    } catch (error) {
      state.signingKeys = before
      throw error
    }
    return { kid: privateJwk.kid, alg, removedKids: keepPrevious ? [] : previous }
  }

  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve, reject) => {
      void secure?.close()
      server.close((error) => (error === undefined ? resolve() : reject(error)))
      server.closeAllConnections()
    })
    return stopped
  }

  return {
    issuer,
    endpoints,
    clients,
    users,
    resource: RESOURCE,
    resourceScopes: RESOURCE_SCOPES,
    ...(secure?.info === undefined ? {} : { mtls: secure.info as MtlsInfo }),
    ...(state.protectedResource === undefined
      ? {}
      : { protectedResource: { resource: state.protectedResource.resource, metadataUrl: state.protectedResource.metadataUrl } }),
    authorize,
    endSession: (url, opts) => {
      const target = new URL(url)
      if (!isOwn(target)) return Promise.reject(new Error(`${target.href} is not a URL of this server (${issuer})`))
      return endSession(jarOf(opts?.browser), target, isOwn, opts?.confirm ?? true)
    },
    approveDevice: (userCode, opts) => device(userCode, "approve", opts?.accountId ?? firstUser.sub),
    denyDevice: (userCode) => device(userCode, "deny", firstUser.sub),
    approveCiba,
    denyCiba,
    slowDown: (polls) => {
      slowDowns = Math.max(0, Math.floor(polls))
    },
    failNext: (endpoint, fault, opts) => {
      const queue = faults.get(endpoint) ?? []
      for (let i = 0; i < (opts?.times ?? 1); i++) queue.push(fault)
      faults.set(endpoint, queue)
    },
    clearFaults: () => {
      faults.clear()
      slowDowns = 0
    },
    requests: (endpoint) => requestCounts.get(endpoint) ?? 0,
    rotateSigningKey,
    stop
  }
}
