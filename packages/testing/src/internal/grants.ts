/**
 * Two grants node-oidc-provider does not ship, registered with `provider.registerGrantType`:
 * - RFC 8693 token exchange (`urn:ietf:params:oauth:grant-type:token-exchange`)
 * - RFC 7523 JWT bearer (`urn:ietf:params:oauth:grant-type:jwt-bearer`)
 *
 * Both validate their inputs and answer standard OAuth errors through the provider's own error handling.
 *
 * @internal
 */
import * as jose from "jose"
import type * as Oidc from "oidc-provider"
import { toPublicJwk } from "./keys.js"
import type { Library } from "./library.js"
import { GrantType, oidcScopes, resourceServerInfo, type ServerState } from "./state.js"

/** @internal */
export const TokenType = {
  accessToken: "urn:ietf:params:oauth:token-type:access_token",
  refreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
  idToken: "urn:ietf:params:oauth:token-type:id_token",
  jwt: "urn:ietf:params:oauth:token-type:jwt"
} as const

const asymmetricAlgs = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"]

const oauthError = (lib: Library, code: string, description: string): Error => new lib.errors.CustomOIDCProviderError(code, description)

const single = (lib: Library, value: unknown, name: string): string | undefined => {
  if (value === undefined || value === null || value === "") return undefined
  if (Array.isArray(value)) {
    if (value.length > 1) throw oauthError(lib, "invalid_target", `only one ${name} value is supported`)
    return single(lib, value[0], name)
  }
  return String(value)
}

const required = (lib: Library, ctx: Oidc.KoaContext, name: string): string => {
  const value = ctx.oidc.params[name]
  if (typeof value !== "string" || value === "") {
    throw oauthError(lib, "invalid_request", `missing required parameter '${name}'`)
  }
  return value
}

const splitScope = (scope: unknown): Array<string> => (typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : [])

const serverKeySet = (state: ServerState) => jose.createLocalJWKSet({ keys: state.signingKeys.map(toPublicJwk) })

interface Subject {
  readonly accountId: string
  readonly scopes: ReadonlyArray<string>
}

/** Resolves a subject or actor token issued by this server to the end-user it represents. */
const resolveToken = async (
  lib: Library,
  provider: Oidc.Provider,
  state: ServerState,
  token: string,
  type: string,
  label: string
): Promise<Subject> => {
  const invalid = (why: string) => oauthError(lib, "invalid_grant", `${label} ${why}`)
  const user = (sub: unknown): string => {
    if (typeof sub !== "string" || !state.users.has(sub)) throw invalid("does not represent a known end-user")
    return sub
  }
  const verifyJwt = async (typ?: string) => {
    try {
      const { payload } = await jose.jwtVerify(token, serverKeySet(state), {
        issuer: state.issuer,
        algorithms: asymmetricAlgs,
        ...(typ === undefined ? {} : { typ })
      })
      return payload
    } catch (error) {
      throw invalid(`is invalid (${error instanceof Error ? error.message : String(error)})`)
    }
  }
  switch (type) {
    case TokenType.accessToken: {
      const opaque = await provider.AccessToken.find(token)
      if (opaque !== undefined) {
        if (!opaque.isValid) throw invalid("is expired")
        return { accountId: user(opaque.accountId), scopes: splitScope(opaque.scope) }
      }
      if (token.split(".").length !== 3) throw invalid("is not an active access token issued by this server")
      const payload = await verifyJwt("at+jwt")
      return { accountId: user(payload.sub), scopes: splitScope(payload["scope"]) }
    }
    case TokenType.idToken:
    case TokenType.jwt: {
      const payload = await verifyJwt()
      return { accountId: user(payload.sub), scopes: ["openid", "profile", "email"] }
    }
    default:
      throw oauthError(lib, "invalid_request", `unsupported ${label}_type ${JSON.stringify(type)}`)
  }
}

interface Issued {
  readonly access_token: string
  readonly token_type: string
  readonly expires_in: number
  readonly scope?: string
}

/**
 * Issues an access token for an end-user to the authenticated client, backed by a fresh Grant so that the token
 * works at userinfo (no resource) or carries the resource server's audience and format (with a resource).
 */
const issueAccessToken = async (
  provider: Oidc.Provider,
  ctx: Oidc.KoaContext,
  state: ServerState,
  options: {
    readonly accountId: string
    readonly scopes: ReadonlyArray<string>
    readonly resource: string | undefined
    readonly gty: string
    readonly extra?: Record<string, unknown>
  }
): Promise<Issued> => {
  const client = ctx.oidc.client
  const scope = options.scopes.join(" ")
  const grant = new provider.Grant({ accountId: options.accountId, clientId: client.clientId })
  const info = options.resource === undefined ? undefined : resourceServerInfo(state, options.resource)
  if (options.resource !== undefined && info !== undefined) {
    grant.addResourceScope(options.resource, scope)
  } else {
    grant.addOIDCScope(scope)
  }
  const grantId = await grant.save()
  const token = new provider.AccessToken({
    accountId: options.accountId,
    client,
    grantId,
    gty: options.gty,
    ...(scope === "" ? {} : { scope }),
    ...(options.resource !== undefined && info !== undefined ? { resourceServer: new provider.ResourceServer(options.resource, info) } : {}),
    ...(options.extra === undefined ? {} : { extra: options.extra })
  })
  const value = await token.save()
  return {
    access_token: value,
    token_type: token.tokenType,
    expires_in: token.expiration,
    ...(scope === "" ? {} : { scope })
  }
}

/** `resource` and RFC 8693 `audience` both name the target; only the test API is known. */
const resolveTarget = (lib: Library, state: ServerState, ctx: Oidc.KoaContext): string | undefined => {
  const resource = single(lib, ctx.oidc.params["resource"], "resource")
  const audience = single(lib, ctx.oidc.params["audience"], "audience")
  if (audience !== undefined && audience !== state.resource) {
    throw oauthError(lib, "invalid_target", `unknown audience ${audience}`)
  }
  if (resource !== undefined && audience !== undefined && resource !== audience) {
    throw oauthError(lib, "invalid_target", "resource and audience name different targets")
  }
  const target = resource ?? audience
  if (target !== undefined && resourceServerInfo(state, target) === undefined) {
    throw oauthError(lib, "invalid_target", `unknown resource ${target}`)
  }
  return target
}

/**
 * Scope policy shared by both grants: for the test API, any of its scopes (default: all of them); without a target,
 * OpenID scopes within `allowed` (default: all of `allowed`). `offline_access` is never granted: these grants issue
 * no refresh token.
 */
const resolveScopes = (
  lib: Library,
  state: ServerState,
  requested: Array<string>,
  target: string | undefined,
  allowed: ReadonlyArray<string>
): Array<string> => {
  const pool = target === undefined ? allowed.filter((s) => oidcScopes.includes(s) && s !== "offline_access") : [...state.resourceScopes]
  if (requested.length === 0) return pool
  const unknown = requested.filter((s) => !pool.includes(s))
  if (unknown.length > 0) throw oauthError(lib, "invalid_scope", `requested scope is not allowed: ${unknown.join(" ")}`)
  return requested
}

/** @internal */
export const registerTokenExchange = (lib: Library, provider: Oidc.Provider, state: ServerState): void => {
  provider.registerGrantType(
    GrantType.tokenExchange,
    async (ctx) => {
      const subjectToken = required(lib, ctx, "subject_token")
      const subjectTokenType = required(lib, ctx, "subject_token_type")
      const requestedType = ctx.oidc.params["requested_token_type"]
      if (requestedType !== undefined && requestedType !== TokenType.accessToken) {
        throw oauthError(lib, "invalid_request", `unsupported requested_token_type ${JSON.stringify(requestedType)}`)
      }
      const subject = await resolveToken(lib, provider, state, subjectToken, subjectTokenType, "subject_token")

      const actorToken = ctx.oidc.params["actor_token"]
      const actorTokenType = ctx.oidc.params["actor_token_type"]
      let extra: Record<string, unknown> | undefined
      if (typeof actorToken === "string" && actorToken !== "") {
        const actor = await resolveToken(lib, provider, state, actorToken, required(lib, ctx, "actor_token_type"), "actor_token")
        extra = { act: { sub: actor.accountId } }
      } else if (actorTokenType !== undefined) {
        throw oauthError(lib, "invalid_request", "actor_token_type must not be sent without actor_token")
      }

      const target = resolveTarget(lib, state, ctx)
      const scopes = resolveScopes(lib, state, splitScope(ctx.oidc.params["scope"]), target, subject.scopes)
      const issued = await issueAccessToken(provider, ctx, state, {
        accountId: subject.accountId,
        scopes,
        resource: target,
        gty: "token_exchange",
        ...(extra === undefined ? {} : { extra })
      })
      ctx.body = { ...issued, issued_token_type: TokenType.accessToken }
    },
    ["audience", "resource", "scope", "requested_token_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type"],
    ["audience", "resource"]
  )
}

/** @internal */
export const registerJwtBearer = (lib: Library, provider: Oidc.Provider, state: ServerState): void => {
  const tokenEndpoint = `${state.issuer}/token`
  provider.registerGrantType(
    GrantType.jwtBearer,
    async (ctx) => {
      const assertion = required(lib, ctx, "assertion")
      const invalid = (why: string) => oauthError(lib, "invalid_grant", why)
      let claims: jose.JWTPayload
      try {
        claims = jose.decodeJwt(assertion)
      } catch {
        throw invalid("assertion is not a JWT")
      }
      if (typeof claims.iss !== "string") throw invalid("assertion has no iss claim")
      const issuerClient = await provider.Client.find(claims.iss)
      const keys = (issuerClient?.jwks?.keys ?? []).filter((k) => k["use"] !== "enc")
      if (keys.length === 0) throw invalid(`assertion issuer ${claims.iss} is not trusted (no registered keys)`)
      let payload: jose.JWTPayload
      try {
        ;({ payload } = await jose.jwtVerify(assertion, jose.createLocalJWKSet({ keys: keys as Array<jose.JWK> }), {
          issuer: claims.iss,
          audience: [state.issuer, tokenEndpoint],
          algorithms: asymmetricAlgs,
          requiredClaims: ["sub", "exp"],
          clockTolerance: 5
        }))
      } catch (error) {
        throw invalid(`assertion verification failed (${error instanceof Error ? error.message : String(error)})`)
      }
      if (typeof payload.sub !== "string" || !state.users.has(payload.sub)) {
        throw invalid("assertion sub is not a known end-user")
      }
      if (typeof payload.jti === "string" && typeof payload.exp === "number") {
        if (!(await provider.ReplayDetection.unique(claims.iss, payload.jti, payload.exp))) {
          throw invalid("assertion jti was already used")
        }
      }
      const target = resolveTarget(lib, state, ctx)
      const scopes = resolveScopes(lib, state, splitScope(ctx.oidc.params["scope"]), target, oidcScopes)
      ctx.body = await issueAccessToken(provider, ctx, state, {
        accountId: payload.sub,
        scopes: target === undefined && scopes.length === 0 ? ["openid"] : scopes,
        resource: target,
        gty: "jwt_bearer"
      })
    },
    ["assertion", "scope", "resource"],
    ["resource"]
  )
}
