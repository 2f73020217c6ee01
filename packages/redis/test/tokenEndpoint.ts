/**
 * A tiny counting token endpoint on a loopback port, for processes that share a token: every answer carries a new
 * access token (`AT-<n>`); refresh tokens rotate (`RT-<n>`), and a refresh token other than the latest issued is
 * refused with `invalid_grant`, as a server with reuse detection does. Requests may be held (not answered) until
 * released, to catch a renewal in flight, or all answered with an error. Revocations (`/revoke`) are recorded.
 */
import { createServer, type ServerResponse } from "node:http"
import { Context, Effect, Layer } from "effect"

export interface Request {
  readonly n: number
  readonly grantType: string | null
  readonly refreshToken: string | null
  /** The status answered (once answered). */
  status?: number
}

export interface TokenEndpoint {
  readonly url: string
  readonly requests: Array<Request>
  /** The tokens revoked at `/revoke` (RFC 7009), with their hints. */
  readonly revocations: Array<{ readonly token: string | null; readonly hint: string | null }>
  readonly settings: {
    expiresIn: number
    /** Issue refresh tokens with client credentials answers too. */
    refreshTokens: boolean
    /** Hold the answers to requests whose number is in this set until `release`. */
    hold: Set<number>
    /** Answer every request with this error (the server down, the client refused) while set. */
    failWith: { readonly status: number; readonly body: unknown } | undefined
  }
  /** Answers the held requests. */
  readonly release: () => void
  /** The latest refresh token issued. */
  readonly latestRefreshToken: () => string | undefined
  /** Makes a refresh token the latest issued (for sources given a token with it). */
  readonly seed: (refreshToken: string) => void
}

export const TokenEndpoint = Context.GenericTag<TokenEndpoint>("test/TokenEndpoint")

export const make = Effect.gen(function* () {
  const requests: Array<Request> = []
  const revocations: TokenEndpoint["revocations"] = []
  const settings: TokenEndpoint["settings"] = { expiresIn: 3600, refreshTokens: false, hold: new Set<number>(), failWith: undefined }
  let held: Array<() => void> = []
  let latest: string | undefined
  let counter = 0
  const answer = (res: ServerResponse, status: number, body: unknown, request: Request) => {
    request.status = status
    if (res.destroyed) return
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body))
  }
  const server = createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => {
      const params = new URLSearchParams(body)
      if (req.url === "/revoke") {
        revocations.push({ token: params.get("token"), hint: params.get("token_type_hint") })
        return void res.writeHead(200).end()
      }
      const n = requests.length + 1
      const request: Request = { n, grantType: params.get("grant_type"), refreshToken: params.get("refresh_token") }
      requests.push(request)
      const respond = () => {
        if (settings.failWith !== undefined) return answer(res, settings.failWith.status, settings.failWith.body, request)
        if (request.grantType === "refresh_token" && request.refreshToken !== latest) return answer(res, 400, { error: "invalid_grant" }, request)
        const id = ++counter
        const rotate = request.grantType === "refresh_token" || settings.refreshTokens
        if (rotate) latest = `RT-${id}`
        answer(
          res,
          200,
          {
            access_token: `AT-${id}`,
            token_type: "Bearer",
            expires_in: settings.expiresIn,
            ...(rotate ? { refresh_token: latest } : {})
          },
          request
        )
      }
      if (settings.hold.has(n)) held.push(respond)
      else respond()
    })
  })
  yield* Effect.acquireRelease(
    Effect.async<void>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.void))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/token`,
    requests,
    revocations,
    settings,
    release: () => {
      const pending = held
      held = []
      for (const respond of pending) respond()
    },
    latestRefreshToken: () => latest,
    seed: (refreshToken: string) => void (latest = refreshToken)
  } satisfies TokenEndpoint
})

export const layer = Layer.scoped(TokenEndpoint, make)
