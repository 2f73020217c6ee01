/**
 * Raw-`fetch` OAuth client pieces for the tests: client authentication for every method, PKCE, and JSON posting.
 */
import type { TestServer } from "@oauth2/testing"
import { Redacted } from "effect"
import * as jose from "jose"
import { createHash, randomBytes } from "node:crypto"

export type AnyClient = NonNullable<TestServer.Clients[keyof TestServer.Clients]>

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: Record<string, any>
}

const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+")

/** Adds client authentication (RFC 6749 2.3, RFC 7523 2.2) for the client's registered method. */
export const authenticate = async (
  server: TestServer.TestServerInfo,
  client: AnyClient,
  params: URLSearchParams,
  headers: Headers,
  audience: string = server.issuer
): Promise<void> => {
  const assertion = async (key: jose.CryptoKey | Uint8Array, alg: string, kid?: string) =>
    new jose.SignJWT({})
      .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
      .setIssuer(client.clientId)
      .setSubject(client.clientId)
      .setAudience(audience)
      .setJti(randomBytes(16).toString("base64url"))
      .setIssuedAt()
      .setExpirationTime("60s")
      .sign(key)
  switch (client.tokenEndpointAuthMethod) {
    case "client_secret_basic": {
      const secret = Redacted.value((client as TestServer.SecretClient).clientSecret)
      headers.set("authorization", `Basic ${btoa(`${formEncode(client.clientId)}:${formEncode(secret)}`)}`)
      return
    }
    case "client_secret_post":
      params.set("client_id", client.clientId)
      params.set("client_secret", Redacted.value((client as TestServer.SecretClient).clientSecret))
      return
    case "client_secret_jwt": {
      const secret = new TextEncoder().encode(Redacted.value((client as TestServer.SecretClient).clientSecret))
      params.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
      params.set("client_assertion", await assertion(secret, "HS256"))
      return
    }
    case "private_key_jwt": {
      const jwk = Redacted.value((client as TestServer.PrivateKeyJwtClient).privateJwk)
      const key = await jose.importJWK(jwk, jwk.alg)
      params.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
      params.set("client_assertion", await assertion(key as jose.CryptoKey, jwk.alg, jwk.kid))
      return
    }
    case "none":
      params.set("client_id", client.clientId)
      return
  }
}

/** POSTs a form to an endpoint with client authentication, answers the parsed JSON body. */
export const post = async (
  server: TestServer.TestServerInfo,
  url: string,
  client: AnyClient | undefined,
  form: Record<string, string>,
  extraHeaders: Record<string, string> = {}
): Promise<Answer> => {
  const params = new URLSearchParams(form)
  const headers = new Headers({ accept: "application/json", ...extraHeaders })
  if (client !== undefined) await authenticate(server, client, params, headers)
  const response = await fetch(url, { method: "POST", headers, body: params })
  const text = await response.text()
  let body: Record<string, any>
  try {
    body = JSON.parse(text)
  } catch {
    body = { _raw: text }
  }
  return { status: response.status, headers: response.headers, body }
}

export const token = (server: TestServer.TestServerInfo, client: AnyClient, form: Record<string, string>) =>
  post(server, server.endpoints.token, client, form)

export const pkce = () => {
  const verifier = randomBytes(32).toString("base64url")
  const challenge = createHash("sha256").update(verifier).digest("base64url")
  return { verifier, challenge }
}

/** An authorization request URL for the authorization code flow with PKCE. */
export const authorizationUrl = (server: TestServer.TestServerInfo, client: AnyClient, extra: Record<string, string> = {}) => {
  const { verifier, challenge } = pkce()
  const state = randomBytes(8).toString("base64url")
  const nonce = randomBytes(8).toString("base64url")
  const url = new URL(server.endpoints.authorization)
  for (const [k, v] of Object.entries({
    client_id: client.clientId,
    response_type: "code",
    redirect_uri: "http://127.0.0.1/callback",
    scope: "openid profile email offline_access",
    prompt: "consent", // offline_access needs prompt=consent (OIDC Core 11)
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...extra
  }))
    url.searchParams.set(k, v)
  return { url, verifier, state, nonce }
}

export const jwks = (server: TestServer.TestServerInfo) => jose.createRemoteJWKSet(new URL(server.endpoints.jwks))

/** Runs the code flow for a client and answers the token response. */
export const codeFlow = async (server: TestServer.StartedTestServer, client: AnyClient, extra: Record<string, string> = {}) => {
  const request = authorizationUrl(server, client, extra)
  const callback = new URL(await server.authorize(request.url))
  const code = callback.searchParams.get("code")
  if (code === null) throw new Error(`no code in ${callback.href}`)
  const answer = await token(server, client, {
    grant_type: "authorization_code",
    code,
    redirect_uri: "http://127.0.0.1/callback",
    code_verifier: request.verifier
  })
  return { ...answer, request, callback }
}
