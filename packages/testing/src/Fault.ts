/**
 * Canned answers for `TestServer.failNext`: make an endpoint misbehave on purpose (an outage, an OAuth error, an
 * HTML error page from a proxy) and check how your client copes.
 *
 * @since 0.1.0
 */

/**
 * An HTTP answer the test server sends instead of running the endpoint.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A bare status, e.g. `status(503)` for "the token endpoint is down"; the body is empty unless given.
 *
 * @example
 * ```ts
 * import { Fault } from "@oauth2/testing"
 *
 * const unavailable = Fault.status(503, "try later")
 * console.log(unavailable.status) // 503
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const status = (status: number, body = "", contentType = "text/plain; charset=utf-8"): Fault => ({
  status,
  headers: { "content-type": contentType, "cache-control": "no-store" },
  body
})

/**
 * A JSON body with the given status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (status: number, body: unknown): Fault => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  body: JSON.stringify(body)
})

/**
 * A standard OAuth 2.0 error response (RFC 6749 section 5.2): `{ error, error_description?, error_uri? }`, HTTP 400
 * unless another status is given. `invalid_client` answers 401 with a `WWW-Authenticate` header by default.
 *
 * @example
 * ```ts
 * import { Fault } from "@oauth2/testing"
 *
 * const fault = Fault.oauthError("temporarily_unavailable", { description: "maintenance", status: 503 })
 * console.log(fault.body) // {"error":"temporarily_unavailable","error_description":"maintenance"}
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const oauthError = (
  error: string,
  options: { readonly description?: string; readonly uri?: string; readonly status?: number } = {}
): Fault => {
  const status = options.status ?? (error === "invalid_client" ? 401 : 400)
  const fault = json(status, {
    error,
    ...(options.description === undefined ? {} : { error_description: options.description }),
    ...(options.uri === undefined ? {} : { error_uri: options.uri })
  })
  return status === 401 ? { ...fault, headers: { ...fault.headers, "www-authenticate": `Basic realm="test", error="${error}"` } } : fault
}

/**
 * An HTML page, as a reverse proxy or a misconfigured server would answer (HTTP 502 by default).
 *
 * @since 0.1.0
 * @category constructors
 */
export const html = (
  status = 502,
  body = "<!DOCTYPE html><html><head><title>Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
): Fault => ({
  status,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  body
})
