/**
 * A small resource server that checks DPoP (RFC 9449 7) the way a careful one does: the proof (one `DPoP` header, a
 * `dpop+jwt` signed by its own `jwk` with an allowed algorithm, `htm`, `htu` without query, `ath` of the token, a
 * fresh `jti`, `iat` within a window, and its own nonce when it demands one) and the binding of the access token (a
 * JWT access token of the test server, verified with its JWKS, whose `cnf.jkt` must be the proof key's thumbprint).
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Context from "effect/Context"
import * as jose from "jose"
import type * as DpopResourceServer from "../DpopResourceServer.js"
import * as TestServer from "../TestServer.js"

/** @internal */
export const tag = Context.GenericTag<DpopResourceServer.DpopResourceServer>("@oauth2/testing/DpopResourceServer")

const algorithms = ["ES256", "EdDSA", "PS256", "RS256"]

interface Refusal {
  readonly status: 400 | 401
  readonly error: DpopResourceServer.Outcome
  readonly description: string
}

const refuse = (status: 400 | 401, error: DpopResourceServer.Outcome, description: string): Refusal => ({ status, error, description })

/** @internal */
export const make = (options: DpopResourceServer.Options = {}) =>
  Effect.gen(function* () {
    const as = yield* TestServer.TestServer
    const jwks = jose.createRemoteJWKSet(new URL(as.endpoints.jwks))
    const requireNonce = options.requireNonce ?? true
    const window = options.iatWindowSeconds ?? 60
    const now = () => Math.floor((options.now ?? Date.now)() / 1000)
    const seenJti = new Set<string>()
    const log: Array<DpopResourceServer.Seen> = []
    let nonceCounter = 0
    const newNonce = () => `rs-nonce-${++nonceCounter}-${Math.random().toString(36).slice(2, 10)}`
    let nonce = newNonce()

    const check = async (req: IncomingMessage, url: string): Promise<Refusal | { readonly claims: jose.JWTPayload; readonly jkt: string }> => {
      const authorization = req.headers["authorization"] ?? ""
      const [scheme, token] = authorization.split(" ", 2) as [string, string | undefined]
      if (token === undefined || token.length === 0) return refuse(401, "invalid_token", "no access token")
      let claims: jose.JWTPayload
      try {
        ;({ payload: claims } = await jose.jwtVerify(token, jwks, { issuer: as.issuer, audience: as.resource, typ: "at+jwt" }))
      } catch (e) {
        return refuse(401, "invalid_token", `the access token does not verify (${(e as Error).message})`)
      }
      const bound = (claims["cnf"] as { jkt?: unknown } | undefined)?.jkt
      if (scheme.toLowerCase() !== "dpop") {
        return typeof bound === "string"
          ? refuse(401, "invalid_token", "a DPoP-bound token must be sent with the DPoP scheme and a proof")
          : { claims, jkt: "" }
      }
      if (typeof bound !== "string") return refuse(401, "invalid_token", "the token is not DPoP-bound")
      const header = req.headersDistinct["dpop"]
      if (header === undefined || header.length !== 1) return refuse(401, "invalid_dpop_proof", "exactly one DPoP header is required")
      let payload: jose.JWTPayload
      let jwk: jose.JWK
      try {
        const verified = await jose.jwtVerify(header[0]!, jose.EmbeddedJWK, { typ: "dpop+jwt", algorithms })
        payload = verified.payload
        jwk = verified.protectedHeader.jwk!
      } catch (e) {
        return refuse(401, "invalid_dpop_proof", `the proof does not verify (${(e as Error).message})`)
      }
      if (jwk === undefined || "d" in jwk) return refuse(401, "invalid_dpop_proof", "the jwk header must be a public key")
      if (payload.htm !== req.method) return refuse(401, "invalid_dpop_proof", "htm mismatch")
      if (payload.htu !== url) return refuse(401, "invalid_dpop_proof", "htu mismatch")
      if (payload.ath !== createHash("sha256").update(token).digest("base64url")) return refuse(401, "invalid_dpop_proof", "ath mismatch")
      if (typeof payload.jti !== "string" || payload.jti.length === 0) return refuse(401, "invalid_dpop_proof", "jti is missing")
      if (typeof payload.iat !== "number" || Math.abs(now() - payload.iat) > window) {
        return refuse(401, "invalid_dpop_proof", "iat is not recent enough")
      }
      if (requireNonce && payload.nonce !== nonce) return refuse(401, "use_dpop_nonce", "a DPoP nonce is required")
      if (seenJti.has(payload.jti)) return refuse(401, "invalid_dpop_proof", "jti replayed")
      seenJti.add(payload.jti)
      const jkt = await jose.calculateJwkThumbprint(jwk, "sha256")
      if (jkt !== bound) return refuse(401, "invalid_token", "the token is bound to another key")
      return { claims, jkt }
    }

    const handle = (req: IncomingMessage, res: ServerResponse, origin: string) => {
      const path = (req.url ?? "/").split("?")[0]!
      const url = origin + path
      void check(req, url).then(
        (result) => {
          const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" }
          if (requireNonce) {
            if ("status" in result && result.error === "use_dpop_nonce") nonce = newNonce()
            headers["dpop-nonce"] = nonce
          }
          if ("status" in result) {
            log.push({ method: req.method ?? "", path, outcome: result.error, description: result.description })
            headers["www-authenticate"] =
              `DPoP algs="${algorithms.join(" ")}", error="${result.error}", error_description="${result.description.replace(/["\\]/g, "")}"`
            res.writeHead(result.status, headers).end(JSON.stringify({ error: result.error, error_description: result.description }))
            return
          }
          log.push({ method: req.method ?? "", path, outcome: "ok", description: "" })
          res
            .writeHead(200, headers)
            .end(JSON.stringify({ path, method: req.method, sub: result.claims.sub, client_id: result.claims["client_id"], jkt: result.jkt }))
        },
        (e: unknown) => res.writeHead(500).end(String(e))
      )
    }

    let origin = ""
    const server = createServer((req, res) => handle(req, res, origin))
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          new Promise<void>((resolve, reject) => {
            server.once("error", reject)
            server.listen(0, "127.0.0.1", () => {
              server.off("error", reject)
              resolve()
            })
          }),
        catch: (cause) => TestServer.TestServerError({ operation: "start", message: "the DPoP resource server did not start", cause })
      }),
      () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    )
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const service: DpopResourceServer.DpopResourceServer = {
      url: origin,
      get seen() {
        return log
      },
      get nonce() {
        return requireNonce ? nonce : undefined
      },
      rotateNonce: () => {
        nonce = newNonce()
      }
    }
    return service
  })

/** @internal */
export const layer = (options?: DpopResourceServer.Options) => Layer.scoped(tag, make(options))
