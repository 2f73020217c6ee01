/**
 * Builds a configured node-oidc-provider instance: clients, keys, features, account lookup, CIBA hooks, device
 * flow pages, interaction routes and the two custom grants. Everything a provider needs lives in a `ServerState`
 * owned by one server, so several servers in one process never share anything.
 *
 * @internal
 */
import * as jose from "jose"
import type * as Oidc from "oidc-provider"
import { registerJwtBearer, registerTokenExchange } from "./grants.js"
import { escape, page } from "./html.js"
import { toPublicJwk } from "./keys.js"
import { configure as configureSecureProfiles } from "./mtls.js"
import type { Library } from "./library.js"
import { claimsByScope, GrantType, oidcScopes, resourceServerInfo, routes, type ServerState } from "./state.js"

const findAccount =
  (state: ServerState) =>
  async (_ctx: unknown, sub: string): Promise<Oidc.Account | undefined> => {
    const user = state.users.get(sub)
    return user === undefined ? undefined : { accountId: user.sub, claims: () => ({ ...user.claims, sub: user.sub }) }
  }

const ttlOf = (seconds: number) => () => seconds

const readForm = async (ctx: Oidc.KoaContext): Promise<URLSearchParams> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"))
}

const json = (ctx: Oidc.KoaContext, status: number, body: unknown): void => {
  ctx.status = status
  ctx.set("cache-control", "no-store")
  ctx.type = "application/json"
  ctx.body = body
}

/**
 * The interaction routes (`interactions.url` points here). They answer JSON (our scripted user agent reads it) or a
 * small HTML page with buttons for a human in a browser (the demo):
 * - `GET  {issuer}/interaction/:uid`          what is asked (prompt `login` or `consent`), with action URLs
 * - `POST {issuer}/interaction/:uid/login`    form `login=<sub>`: authenticates that test user
 * - `POST {issuer}/interaction/:uid/confirm`  grants what the consent prompt asks for
 * - `POST {issuer}/interaction/:uid/abort`    ends the request with `access_denied`
 */
const interactionRoutes =
  (state: ServerState, provider: Oidc.Provider, lib: Library): Oidc.Middleware =>
  async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path)
    if (match === null) return next()
    const uid = match[1] ?? ""
    const action = match[2]
    const base = `${state.issuer}/interaction/${uid}`
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res)
      if (details.uid !== uid) {
        return json(ctx, 400, { error: "invalid_request", error_description: "interaction uid mismatch" })
      }
      if (action === undefined && ctx.method === "GET") {
        const body = {
          uid,
          prompt: details.prompt.name,
          reasons: details.prompt.reasons,
          details: details.prompt.details,
          client_id: details.params["client_id"],
          params: details.params,
          session: details.session?.accountId ?? null,
          users: [...state.users.keys()],
          actions: { login: `${base}/login`, confirm: `${base}/confirm`, abort: `${base}/abort` }
        }
        ctx.set("cache-control", "no-store")
        if (ctx.accepts("json", "html") === "html") {
          ctx.type = "html"
          ctx.body = interactionPage(body.prompt, String(body.client_id), base, body.users, state.passwords !== undefined)
        } else {
          json(ctx, 200, body)
        }
        return
      }
      if (ctx.method !== "POST" || action === undefined) {
        return json(ctx, 405, { error: "invalid_request", error_description: "method not allowed" })
      }
      let result: Record<string, unknown>
      let merge = false
      if (action === "abort") {
        result = { error: "access_denied", error_description: "End-User aborted interaction" }
      } else if (action === "login") {
        if (details.prompt.name !== "login") {
          return json(ctx, 400, { error: "invalid_request", error_description: `prompt is ${details.prompt.name}, not login` })
        }
        const form = await readForm(ctx)
        const login = form.get("login") ?? ""
        // passwordLogin: the HTML page (a real browser) must give the user's password; the scripted agent asks for JSON
        if (state.passwords !== undefined && ctx.accepts("json", "html") === "html") {
          const expected = state.passwords.get(login)
          if (expected === undefined || form.get("password") !== expected) {
            ctx.status = 401
            ctx.type = "html"
            ctx.body = interactionPage("login", String(details.params["client_id"]), base, [], true, "Wrong user name or password.")
            return
          }
        }
        if (!state.users.has(login)) {
          return json(ctx, 400, { error: "invalid_request", error_description: `unknown test user ${JSON.stringify(login)}` })
        }
        result = { login: { accountId: login, amr: ["pwd"], acr: "urn:oauth2:testing:pwd", remember: true } }
      } else {
        if (details.prompt.name !== "consent") {
          return json(ctx, 400, { error: "invalid_request", error_description: `prompt is ${details.prompt.name}, not consent` })
        }
        const grant =
          (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
          new provider.Grant({ accountId: details.session?.accountId ?? "", clientId: String(details.params["client_id"]) })
        const prompt = details.prompt.details as {
          missingOIDCScope?: Array<string>
          missingOIDCClaims?: Array<string>
          missingResourceScopes?: Record<string, Array<string>>
        }
        if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(" "))
        if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims)
        for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
          grant.addResourceScope(indicator, scopes.join(" "))
        }
        const grantId = await grant.save()
        result = { consent: details.grantId === undefined ? { grantId } : {} }
        merge = true
      }
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge })
      ctx.status = 303
      ctx.redirect(returnTo)
    } catch (error) {
      if (error instanceof lib.errors.OIDCProviderError) {
        const e = error as Error & { status?: number; error?: string; error_description?: string }
        return json(ctx, e.status ?? 400, { error: e.error ?? "invalid_request", error_description: e.error_description })
      }
      throw error
    }
  }

const interactionPage = (prompt: string, clientId: string, base: string, users: ReadonlyArray<string>, password = false, error = ""): string =>
  prompt === "login"
    ? page(
        `Sign in to ${clientId}`,
        `${error === "" ? "" : `<p role="alert">${escape(error)}</p>`}<form method="post" action="${escape(`${base}/login`)}">
${
  password
    ? `<label>User name <input name="login" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>`
    : `<select name="login">${users.map((u) => `<option value="${escape(u)}">${escape(u)}</option>`).join("")}</select>`
}
<button type="submit">Sign in</button></form>
<form method="post" action="${escape(`${base}/abort`)}"><button type="submit">Cancel</button></form>`,
        `data-prompt="login"${error === "" ? "" : ` data-error="${escape(error)}"`}`
      )
    : page(
        `Authorize ${clientId}`,
        `<form method="post" action="${escape(`${base}/confirm`)}"><button type="submit">Allow</button></form>
<form method="post" action="${escape(`${base}/abort`)}"><button type="submit">Deny</button></form>`,
        `data-prompt="${escape(prompt)}"`
      )

/**
 * The default policy, except that native clients that authenticate (all but the public client) do not have to go
 * through consent at every request, so `prompt=none` can succeed for them. Public native clients keep the default
 * (RFC 8252 section 8.6): every request needs the end-user, `prompt=none` answers `interaction_required`.
 */
const interactionPolicy = (lib: Library) => {
  const policy = lib.interactionPolicy.base()
  const check = policy.get("consent")?.checks.get("native_client_prompt")
  if (check !== undefined) {
    const original = check.check
    check.check = (ctx) => ctx.oidc.client.clientAuthMethod === "none" && original(ctx)
  }
  return policy
}

/** The claims of a JWT access token (RFC 9068) this server signed with a key it still publishes, else undefined. */
const verifyJwtAccessToken = async (state: ServerState, token: string): Promise<jose.JWTPayload | undefined> => {
  try {
    const keys = jose.createLocalJWKSet({ keys: state.signingKeys.map((k) => toPublicJwk(k)) as Array<jose.JWK> })
    const { payload } = await jose.jwtVerify(token, keys, { issuer: state.issuer, typ: "at+jwt" })
    return typeof payload.jti === "string" && !state.revokedJwtAccessTokens.has(payload.jti) ? payload : undefined
  } catch {
    return undefined
  }
}

/**
 * Introspection and revocation of the JWT access tokens of the test API (client_credentials and user tokens), which
 * node-oidc-provider refuses (`unsupported_token_type`: structured tokens are not stored). Runs after the provider
 * has authenticated the client: the token is verified with the server's keys; a revoked `jti` is remembered.
 * Introspection follows the policy of opaque tokens (confidential clients, or the token's own client); revocation
 * by another client than the token's is ignored, and an unknown token answers 200 (RFC 7009 2.2).
 */
const structuredTokens =
  (state: ServerState) =>
  async (ctx: Oidc.KoaContext, next: () => Promise<void>): Promise<void> => {
    await next()
    const oidc = ctx.oidc as Oidc.OIDCContext | undefined
    const route = oidc?.route
    if (route !== "introspection" && route !== "revocation") return
    const body = ctx.body as { error?: unknown } | undefined
    if (ctx.status !== 400 || body?.error !== "unsupported_token_type") return
    const client = oidc!.client as Oidc.ClientModel | undefined
    const raw = oidc!.params["token"]
    if (client === undefined || typeof raw !== "string") return
    const claims = await verifyJwtAccessToken(state, raw)
    if (route === "revocation") {
      if (claims !== undefined && claims["client_id"] === client.clientId) state.revokedJwtAccessTokens.add(claims.jti!)
      ctx.body = ""
      ctx.status = 200
      return
    }
    const allowed = claims !== undefined && (client.clientAuthMethod !== "none" || claims["client_id"] === client.clientId)
    ctx.status = 200
    ctx.body = allowed ? { active: true, ...claims, token_type: "Bearer" } : { active: false }
  }

/** The provider's outgoing requests without its SSRF-guarding dispatcher: tests listen on 127.0.0.1. */
const loopbackFetch = (url: string | URL, options: RequestInit & { readonly dispatcher?: unknown }): Promise<Response> => {
  const { dispatcher: _dispatcher, ...rest } = options
  return fetch(url, rest)
}

/** @internal */
export const buildProvider = (lib: Library, state: ServerState): Oidc.Provider => {
  const { errors } = lib
  const features = state.features
  const configuration: Oidc.Configuration = {
    // back-channel logout POSTs to the test's loopback listener, which the provider's SSRF guard would refuse
    ...(state.backchannelLogout ? { fetch: loopbackFetch } : {}),
    adapter: state.adapter,
    clients: state.clients.map((client) => structuredClone(client)),
    jwks: { keys: [...state.signingKeys, ...state.encryptionKeys] },
    cookies: {
      keys: state.cookieKeys,
      long: { httpOnly: true, sameSite: "lax" },
      short: { httpOnly: true, sameSite: "lax" }
    },
    routes: { ...routes },
    claims: { ...claimsByScope, acr: null, amr: null, auth_time: null, sid: null, iss: null },
    scopes: [...oidcScopes],
    findAccount: findAccount(state),
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `${state.issuerPath}/interaction/${interaction.uid}`,
      policy: interactionPolicy(lib)
    },
    clientBasedCORS: (_ctx: unknown, origin: string) => state.corsOrigins === undefined || state.corsOrigins.includes(origin),
    // the default (a refresh token only with offline_access), except for the clients that always get one (the SPA)
    issueRefreshToken: (_ctx: unknown, client: Oidc.ClientModel, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed("refresh_token") && (state.refreshTokenClients.has(client.clientId) || code.scopes.has("offline_access")),
    pkce: {
      required: (_ctx: unknown, client: Oidc.ClientModel) => state.requirePkce || client.clientAuthMethod === "none"
    },
    rotateRefreshToken: state.rotateRefreshToken,
    ...(features.dpop === false ? {} : { enabledJWA: { dPoPSigningAlgValues: ["ES256", "EdDSA", "PS256", "RS256"] } }),
    renderError: (ctx: Oidc.KoaContext, out: Record<string, unknown>) => {
      ctx.type = "html"
      ctx.body = page(
        "Error",
        Object.entries(out)
          .map(([k, v]) => `<pre><strong>${escape(k)}</strong>: ${escape(v)}</pre>`)
          .join("\n"),
        `data-error="${escape(out["error"] ?? "")}" data-error-description="${escape(out["error_description"] ?? "")}"`
      )
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? state.ttl.accessToken,
      AuthorizationCode: state.ttl.authorizationCode,
      BackchannelAuthenticationRequest: (ctx: Oidc.KoaContext | undefined) => {
        const requested = Number(ctx?.oidc?.params["requested_expiry"])
        return Number.isSafeInteger(requested) && requested > 0
          ? Math.min(requested, state.ttl.backchannelAuthenticationRequest)
          : state.ttl.backchannelAuthenticationRequest
      },
      // every client_credentials token, for the test API or not, as documented
      ClientCredentials: ttlOf(state.ttl.clientCredentials),
      DeviceCode: ttlOf(state.ttl.deviceCode),
      Grant: ttlOf(state.ttl.grant),
      IdToken: ttlOf(state.ttl.idToken),
      Interaction: ttlOf(state.ttl.interaction),
      RefreshToken: ttlOf(state.ttl.refreshToken),
      Session: ttlOf(state.ttl.session)
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: features.clientCredentials },
      // without the option, node-oidc-provider's default (proofs accepted, no nonces)
      ...(features.dpop === false
        ? {}
        : {
            dPoP: {
              enabled: true,
              nonceSecret: globalThis.crypto.getRandomValues(Buffer.alloc(32)),
              requireNonce: () => features.dpop !== false && features.dpop.requireNonce
            }
          }),
      encryption: { enabled: features.encryption },
      userinfo: { enabled: features.userinfo },
      pushedAuthorizationRequests: {
        enabled: features.pushedAuthorizationRequests,
        requirePushedAuthorizationRequests: features.requirePushedAuthorizationRequests
      },
      requestObjects: { enabled: features.requestObjects, requireSignedRequestObject: false },
      introspection: {
        enabled: features.introspection,
        allowedPolicy: (ctx: Oidc.KoaContext, client: Oidc.ClientModel, token: { clientId: string }) =>
          client.clientAuthMethod !== "none" || token.clientId === ctx.oidc.client.clientId
      },
      revocation: {
        enabled: features.revocation,
        allowedPolicy: (_ctx: unknown, client: Oidc.ClientModel, token: { clientId: string }) => token.clientId === client.clientId
      },
      resourceIndicators: {
        enabled: features.resourceIndicators,
        defaultResource: (ctx: Oidc.KoaContext, _client: unknown, oneOf?: Array<string>) => {
          if (oneOf) return oneOf
          // client_credentials without `resource` gets a token for the test API
          return ctx.oidc.route === "token" && ctx.oidc.params["grant_type"] === GrantType.clientCredentials ? state.resource : undefined
        },
        useGrantedResource: () => false,
        getResourceServerInfo: (ctx: Oidc.KoaContext, resource: string) => {
          const info = resourceServerInfo(state, resource)
          if (info === undefined) throw new errors.InvalidTarget(`unknown resource ${resource}`)
          // client_credentials: only the test API's scopes; the provider would silently drop any other
          if (ctx.oidc.route === "token" && ctx.oidc.params["grant_type"] === GrantType.clientCredentials) {
            const requested = typeof ctx.oidc.params["scope"] === "string" ? ctx.oidc.params["scope"].split(" ").filter((s) => s !== "") : []
            const unknown = requested.filter((scope) => !state.resourceScopes.includes(scope))
            if (unknown.length > 0) throw new errors.InvalidScope(`requested scope is not allowed: ${unknown.join(" ")}`, unknown[0])
          }
          return info
        }
      },
      deviceFlow: {
        enabled: features.deviceFlow,
        charset: "base-20",
        mask: "****-****",
        userCodeInputSource: (ctx: Oidc.KoaContext, form: string, out?: Record<string, unknown>, err?: Error) => {
          ctx.body = page(
            "Enter the code displayed on your device",
            `${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
            `data-page="device-input" data-error="${escape(out?.["error"] ?? "")}" data-error-name="${escape(err?.name ?? "")}"`
          )
        },
        userCodeConfirmSource: (ctx: Oidc.KoaContext, form: string, client: Oidc.ClientModel, _info: unknown, code: string) => {
          ctx.body = page(
            `Confirm device for ${client.clientId}`,
            `<p>Code <code>${escape(code)}</code></p>${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort">Abort</button>`,
            `data-page="device-confirm"`
          )
        },
        successSource: (ctx: Oidc.KoaContext) => {
          ctx.body = page("Device signed in", "<p>You can close this page.</p>", `data-page="device-success"`)
        }
      },
      ciba: {
        enabled: features.ciba,
        deliveryModes: ["poll"],
        processLoginHint: (_ctx: unknown, loginHint: string) => (state.users.has(loginHint) ? loginHint : undefined),
        processLoginHintToken: () => {
          throw new errors.InvalidRequest("login_hint_token is not supported by this test server, use login_hint")
        },
        validateBindingMessage: (_ctx: unknown, bindingMessage: string | undefined) => {
          if (bindingMessage !== undefined && !/^[a-zA-Z0-9-._+/!?#]{1,20}$/.test(bindingMessage)) {
            throw new errors.InvalidBindingMessage(
              "the binding_message value, when provided, needs to be 1 - 20 characters in length and use only a basic set of characters"
            )
          }
        },
        validateRequestContext: () => undefined,
        verifyUserCode: () => undefined,
        // the end-user's authentication device is the test itself: it calls approveCiba / denyCiba
        triggerAuthenticationDevice: () => undefined
      },
      registration: {
        enabled: features.registration,
        initialAccessToken: state.initialAccessToken ?? false,
        issueRegistrationAccessToken: features.registrationManagement
      },
      registrationManagement: { enabled: features.registration && features.registrationManagement, rotateRegistrationAccessToken: false },
      backchannelLogout: { enabled: state.backchannelLogout },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: Oidc.KoaContext, form: string) => {
          ctx.body = page(
            "Sign out?",
            `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes</button><button type="submit" form="op.logoutForm">No</button>`,
            `data-page="logout"`
          )
        },
        postLogoutSuccessSource: (ctx: Oidc.KoaContext) => {
          ctx.body = page("Signed out", "", `data-page="logout-success"`)
        }
      }
    }
  }

  configureSecureProfiles(configuration, state.secure)
  const provider = new lib.Provider(state.issuer, configuration)
  provider.use(structuredTokens(state))
  provider.use(interactionRoutes(state, provider, lib))
  if (features.tokenExchange) registerTokenExchange(lib, provider, state)
  if (features.jwtBearer) registerJwtBearer(lib, provider, state)
  return provider
}
