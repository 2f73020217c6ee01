/**
 * What each command does, loaded only when a command runs (not for `--help`, a usage error or `--version`): these
 * handlers import the library (core, http, flows), which the command-line parsing does not need.
 *
 * stdout carries only the result (JSON, or `key: value` lines with `--output text`); instructions and progress go
 * to stderr.
 *
 * @internal
 */
import { readFile } from "node:fs/promises"
import { AuthorizationRequest, BearerToken, Introspection, OAuthError, ServerMetadata, UserInfo } from "@oauth2/core"
import type { TokenRequest } from "@oauth2/core"
import { Grants, Polling } from "@oauth2/flows"
import { ClientAuth, Dpop, OAuthClient, Transport } from "@oauth2/http"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as jose from "jose"
import type * as Cli from "../Cli.js"
import { loginFailed, usageError } from "./errors.js"
import * as Loopback from "./loopback.js"

type Output = "json" | "text"

/** The common options of the commands that act as a client. */
export interface ClientOptions {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  readonly authMethod: Option.Option<ClientAuth.Method>
  readonly rawBasic: boolean
  readonly privateKey: Option.Option<string>
  readonly kid: Option.Option<string>
  readonly alg: Option.Option<string>
  readonly dpop: boolean
  readonly dpopKey: Option.Option<string>
  readonly insecure: boolean
  readonly output: Output
}

const some = <K extends string, A>(key: K, option: Option.Option<A>): { readonly [k in K]?: A } =>
  (Option.isSome(option) ? { [key]: option.value } : {}) as { readonly [k in K]?: A }

/** `{ [key]: values }` when a repeated option was given at least once, else nothing. */
const many = <K extends string, A>(key: K, values: ReadonlyArray<A>): { readonly [k in K]?: ReadonlyArray<A> } =>
  (values.length > 0 ? { [key]: values } : {}) as { readonly [k in K]?: ReadonlyArray<A> }

/** The client authentication the options ask for; a missing or unusable credential is a usage error. */
const clientAuth = (o: ClientOptions) =>
  Effect.gen(function* () {
    const secret = Option.filter(o.clientSecret, (s) => Redacted.value(s).length > 0)
    const method: ClientAuth.Method = Option.getOrElse(o.authMethod, () =>
      Option.isSome(o.privateKey) ? "private_key_jwt" : Option.isSome(secret) ? "client_secret_basic" : "none"
    )
    if (o.rawBasic && method !== "client_secret_basic") return yield* usageError(`--raw-basic is for client_secret_basic, not ${method}`)
    switch (method) {
      case "none":
        return yield* ClientAuth.none({ clientId: o.clientId })
      case "private_key_jwt": {
        if (Option.isNone(o.privateKey)) return yield* usageError("private_key_jwt needs --private-key <file> (a JWK or a PKCS#8 PEM)")
        const text = yield* readKeyFile("--private-key", o.privateKey.value)
        const trimmed = text.trim()
        if (trimmed.startsWith("-----BEGIN") && Option.isNone(o.alg)) return yield* usageError("a PEM --private-key needs --alg (and --kid)")
        return yield* ClientAuth.privateKeyJwt({
          clientId: o.clientId,
          privateKey: Redacted.make(trimmed),
          ...(some("alg", o.alg) as { alg?: ClientAuth.AsymmetricAlgorithm }),
          ...some("kid", o.kid)
        })
      }
      default: {
        if (Option.isNone(secret)) return yield* usageError(`${method} needs --client-secret (or OAUTH2_CLIENT_SECRET)`)
        const clientSecret = secret.value
        if (method === "client_secret_basic") {
          return yield* ClientAuth.clientSecretBasic({ clientId: o.clientId, clientSecret, encoding: o.rawBasic ? "raw" : "form" })
        }
        if (method === "client_secret_post") return yield* ClientAuth.clientSecretPost({ clientId: o.clientId, clientSecret })
        return yield* ClientAuth.clientSecretJwt({
          clientId: o.clientId,
          clientSecret,
          ...(some("alg", o.alg) as { alg?: ClientAuth.HmacAlgorithm })
        })
      }
    }
  }).pipe(Effect.catchTag("InvalidArgument", (e) => Effect.fail(usageError(`client authentication: ${e.message}`, e))))

const readKeyFile = (option: string, file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (e) => usageError(`cannot read ${option} ${file}: ${(e as Error).message}`, e)
  })

/** The DPoP key service (RFC 9449), when asked for: a generated key, or the private JWK of `--dpop-key`. */
const dpopLayer = (o: ClientOptions): Option.Option<Layer.Layer<Dpop.Dpop, OAuthError.InvalidArgument | Cli.UsageError>> =>
  Option.match(o.dpopKey, {
    onNone: () => (o.dpop ? Option.some(Dpop.layer()) : Option.none()),
    onSome: (file) =>
      Option.some(
        Layer.unwrapEffect(Effect.map(readKeyFile("--dpop-key", file), (text) => Dpop.layer({ key: Redacted.make(text.trim()) }))).pipe(
          Layer.catchAll((e) => Layer.fail(OAuthError.isInvalidArgument(e) ? usageError(`--dpop-key: ${e.message}`, e) : e))
        )
      )
  })

/** The discovered client for the common options. */
const clientLayer = (o: ClientOptions) => {
  const client = Layer.unwrapEffect(Effect.map(clientAuth(o), (auth) => OAuthClient.layerDiscovery({ issuer: o.issuer, auth })))
  return Option.match(dpopLayer(o), { onNone: () => client, onSome: (dpop) => Layer.provide(client, dpop) }).pipe(
    Layer.provide(Transport.layerFetch({ allowInsecureHttp: o.insecure }))
  )
}

/** Prints the result on stdout. */
const emit = (output: Output, value: Readonly<Record<string, unknown>>) =>
  Console.log(
    output === "json"
      ? JSON.stringify(value, null, 2)
      : Object.entries(value)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join("\n")
  )

const secretFields = new Set(["access_token", "refresh_token", "id_token"])

/** A token as the JSON a token endpoint answers (`expires_in` from now), secrets redacted unless asked. */
const tokenJson = (token: BearerToken.BearerToken, show: boolean) =>
  Effect.map(DateTime.now, (now) => {
    const json = BearerToken.toJson(token, now)
    return show ? json : Object.fromEntries(Object.entries(json).map(([k, v]) => [k, secretFields.has(k) ? "<redacted>" : v]))
  })

const printToken = (token: BearerToken.BearerToken, o: { readonly showTokens: boolean; readonly output: Output }, more: object = {}) =>
  Effect.flatMap(tokenJson(token, o.showTokens), (json) => emit(o.output, { ...json, ...more }))

const seconds = (d: Duration.Duration) => Duration.format(Duration.seconds(Math.max(0, Math.round(Duration.toSeconds(d)))))

/** Time left until `at`, e.g. "9m 55s". */
const left = (at: DateTime.Utc, now: number) => seconds(Duration.millis(DateTime.toEpochMillis(at) - now))

/**
 * The polling schedule (the server's interval, or `--poll-interval`; `slow_down` adds 5 s), narrated on stderr: each
 * poll's answer, the next wait and the time left.
 */
const narrated =
  (expiresAt: DateTime.Utc, pollInterval: Option.Option<number>) =>
  (interval: Duration.Duration): Schedule.Schedule<unknown, Polling.Input> => {
    const base = Polling.schedule({ interval: Option.match(pollInterval, { onNone: () => interval, onSome: Duration.seconds }) })
    const initial: readonly [unknown, number] = [base.initial, 0]
    return Schedule.makeWithState(initial, (now, input: Polling.Input, [state, polls]) =>
      Effect.flatMap(
        base.step(now, input, state),
        ([next, out, decision]): Effect.Effect<readonly [readonly [unknown, number], Duration.Duration, ScheduleDecision.ScheduleDecision]> => {
          if (ScheduleDecision.isDone(decision)) return Effect.succeed([[next, polls], out, decision] as const)
          const wait = seconds(Duration.millis(Math.max(0, ScheduleIntervals.start(decision.intervals) - now)))
          const line =
            input._tag === "Started"
              ? `waiting ${wait} before the first poll (${left(expiresAt, now)} left)`
              : input._tag === "SlowDown"
                ? `poll ${polls}: slow_down, the interval is now ${seconds(out)}; next poll in ${wait} (${left(expiresAt, now)} left)`
                : `poll ${polls}: authorization_pending; next poll in ${wait} (${left(expiresAt, now)} left)`
          return Effect.as(Console.error(line), [[next, polls + 1], out, decision] as const)
        }
      )
    )
  }

/** `discover` */
export const discover = (o: { readonly issuer: string; readonly insecure: boolean; readonly output: Output }) =>
  Effect.gen(function* () {
    const metadata = yield* OAuthClient.discover({ issuer: o.issuer })
    yield* emit(o.output, ServerMetadata.encode(metadata))
  }).pipe(Effect.provide(Transport.layerFetch({ allowInsecureHttp: o.insecure })))

/** `login` */
export const login = (
  o: ClientOptions & {
    readonly scope: string
    readonly resource: ReadonlyArray<string>
    readonly loginHint: Option.Option<string>
    readonly prompt: Option.Option<string>
    readonly pushed: boolean
    readonly redirectPort: Option.Option<number>
    readonly open: boolean
    readonly timeout: number
    readonly showTokens: boolean
  }
) =>
  Effect.flatMap(
    // the options are checked before anything is sent (discovery included): a bad one is a usage error
    Effect.suspend(() => {
      const port = Option.getOrElse(o.redirectPort, () => 0)
      if (!Number.isInteger(port) || port < 0 || port > 65535) return Effect.fail(usageError(`--redirect-port ${port} is not a port number`))
      if (o.timeout <= 0) return Effect.fail(usageError("--timeout must be a positive number of seconds"))
      return Effect.succeed(port)
    }),
    (port) => loginWith(o, port)
  )

const loginWith = (o: Parameters<typeof login>[0], port: number) =>
  Effect.gen(function* () {
    const loopback = yield* Loopback.listen(port)
    const flow = yield* Grants.authorizationCodeFlow({
      redirectUri: loopback.redirectUri,
      scope: o.scope,
      ...many("resource", o.resource),
      ...some("loginHint", o.loginHint),
      ...some("prompt", o.prompt),
      ...(o.pushed ? { pushed: true } : {})
    })
    loopback.expectState(flow.request.state)
    yield* Console.error(`Open this URL in a browser to sign in:\n\n  ${flow.request.url}\n`)
    if (o.open && !(yield* Loopback.openBrowser(flow.request.url))) yield* Console.error("(could not start a browser: open the URL yourself)")
    yield* Console.error(`Waiting for the redirect to ${loopback.redirectUri} (${o.timeout} s)...`)
    const callback = yield* Effect.timeoutFail(loopback.callback, {
      duration: Duration.seconds(o.timeout),
      onTimeout: () => loginFailed("timeout", `no redirect to ${loopback.redirectUri} within ${o.timeout} s`)
    })
    const result = yield* Effect.either(flow.callback(callback.url))
    yield* Either.match(result, {
      onRight: () => callback.respond(200, Loopback.page("Signed in", "You can close this window and go back to the terminal.")),
      onLeft: (e) => callback.respond(400, Loopback.page("Sign-in failed", `${e._tag}: ${e.message}. You can close this window.`))
    })
    const { token, idToken } = yield* result
    if (idToken !== undefined) yield* Console.error(`Signed in as ${idToken.sub} (ID token validated)`)
    yield* printToken(token, o, idToken === undefined ? {} : { id_token_claims: idToken.claims })
  }).pipe(Effect.scoped, Effect.provide(clientLayer(o)))

/** `client-credentials` */
export const clientCredentials = (
  o: ClientOptions & {
    readonly scope: Option.Option<string>
    readonly resource: ReadonlyArray<string>
    readonly audience: ReadonlyArray<string>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    const token = yield* Grants.clientCredentials({ ...some("scope", o.scope), resource: o.resource, audience: o.audience })
    yield* printToken(token, o)
  }).pipe(Effect.provide(clientLayer(o)))

/** `refresh` */
export const refresh = (
  o: ClientOptions & {
    readonly refreshToken: Redacted.Redacted<string>
    readonly scope: Option.Option<string>
    readonly resource: ReadonlyArray<string>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const answer = yield* Grants.refreshToken({
      refreshToken: o.refreshToken,
      ...some("scope", o.scope),
      ...many("resource", o.resource)
    })
    // Without the session's ID token there is no original `nonce` (nor `sub`) to compare with: the new ID token's
    // signature, issuer, audience and times are checked, and its `nonce`, which some servers repeat, is let through.
    const nonce = answer.idToken === undefined ? undefined : unverifiedNonce(Redacted.value(answer.idToken))
    const { token, idToken } = yield* client.validateToken(answer, nonce === undefined ? {} : { nonce })
    yield* printToken(token, o, idToken === undefined ? {} : { id_token_claims: idToken.claims })
  }).pipe(Effect.provide(clientLayer(o)))

const unverifiedNonce = (jwt: string): string | undefined => {
  try {
    const nonce = jose.decodeJwt(jwt).nonce
    return typeof nonce === "string" ? nonce : undefined
  } catch {
    return undefined
  }
}

/** `token-exchange` */
export const tokenExchange = (
  o: ClientOptions & {
    readonly subjectToken: Redacted.Redacted<string>
    readonly subjectTokenType: string
    readonly actorToken: Option.Option<Redacted.Redacted<string>>
    readonly actorTokenType: Option.Option<string>
    readonly requestedTokenType: Option.Option<string>
    readonly scope: Option.Option<string>
    readonly resource: ReadonlyArray<string>
    readonly audience: ReadonlyArray<string>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    const options: TokenRequest.TokenExchangeOptions = {
      subjectToken: o.subjectToken,
      subjectTokenType: o.subjectTokenType,
      ...some("actorToken", o.actorToken),
      ...some("actorTokenType", o.actorTokenType),
      ...some("requestedTokenType", o.requestedTokenType),
      ...some("scope", o.scope),
      ...many("resource", o.resource),
      ...many("audience", o.audience)
    }
    const token = yield* Grants.tokenExchange(options)
    yield* printToken(token, o)
  }).pipe(Effect.provide(clientLayer(o)))

/** `jwt-bearer` */
export const jwtBearer = (
  o: ClientOptions & {
    readonly assertion: Redacted.Redacted<string>
    readonly scope: Option.Option<string>
    readonly resource: ReadonlyArray<string>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    const token = yield* Grants.jwtBearer({
      assertion: o.assertion,
      ...some("scope", o.scope),
      ...many("resource", o.resource)
    })
    yield* printToken(token, o)
  }).pipe(Effect.provide(clientLayer(o)))

/** `device` */
export const device = (
  o: ClientOptions & {
    readonly scope: Option.Option<string>
    readonly resource: ReadonlyArray<string>
    readonly pollInterval: Option.Option<number>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    if (Option.isSome(o.pollInterval) && o.pollInterval.value <= 0) return yield* usageError("--poll-interval must be a positive number of seconds")
    const { authorization } = yield* Grants.deviceFlow({
      ...some("scope", o.scope),
      ...many("resource", o.resource)
    })
    const now = yield* DateTime.now
    yield* Console.error(
      [
        `To sign in, open ${authorization.verificationUri} and enter the code ${authorization.userCode}`,
        ...(authorization.verificationUriComplete === undefined ? [] : [`(or open ${authorization.verificationUriComplete})`]),
        `The code expires in ${left(authorization.expiresAt, DateTime.toEpochMillis(now))}.`
      ].join("\n")
    )
    const token = yield* Grants.pollDeviceCode(authorization, { schedule: narrated(authorization.expiresAt, o.pollInterval) })
    yield* Console.error("authorized")
    yield* printToken(token, o)
  }).pipe(Effect.provide(clientLayer(o)))

/** `ciba` */
export const ciba = (
  o: ClientOptions & {
    readonly scope: string
    readonly loginHint: Option.Option<string>
    readonly idTokenHint: Option.Option<Redacted.Redacted<string>>
    readonly bindingMessage: Option.Option<string>
    readonly pollInterval: Option.Option<number>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    if (Option.isSome(o.pollInterval) && o.pollInterval.value <= 0) return yield* usageError("--poll-interval must be a positive number of seconds")
    if (Option.isNone(o.loginHint) && Option.isNone(o.idTokenHint)) return yield* usageError("ciba needs --login-hint or --id-token-hint")
    const { authentication } = yield* Grants.cibaFlow({
      scope: o.scope,
      ...some("loginHint", o.loginHint),
      ...some("idTokenHint", o.idTokenHint),
      ...some("bindingMessage", o.bindingMessage)
    })
    const now = yield* DateTime.now
    yield* Console.error(
      [
        `Authentication request sent: the user approves it on their device` +
          (Option.isSome(o.bindingMessage) ? ` (binding message ${o.bindingMessage.value})` : ""),
        `auth_req_id ${o.showTokens ? Redacted.value(authentication.authReqId) : "<redacted>"}, expires in ${left(authentication.expiresAt, DateTime.toEpochMillis(now))}.`
      ].join("\n")
    )
    const token = yield* Grants.pollCiba(authentication, { schedule: narrated(authentication.expiresAt, o.pollInterval) })
    yield* Console.error("authorized")
    yield* printToken(token, o)
  }).pipe(Effect.provide(clientLayer(o)))

/** `userinfo` */
export const userinfo = (o: ClientOptions & { readonly token: Redacted.Redacted<string> }) =>
  Effect.gen(function* () {
    const client = yield* OAuthClient.OAuthClient
    const info = yield* client.userinfo(o.token)
    yield* emit(o.output, UserInfo.encode(info))
  }).pipe(Effect.provide(clientLayer(o)))

/** `introspect` */
export const introspect = (o: ClientOptions & { readonly token: Redacted.Redacted<string>; readonly hint: Option.Option<string> }) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    const answer = yield* c.introspect({ token: o.token, ...some("tokenTypeHint", o.hint) })
    yield* emit(o.output, Introspection.encode(answer))
  }).pipe(Effect.provide(clientLayer(o)))

/** `revoke` */
export const revoke = (o: ClientOptions & { readonly token: Redacted.Redacted<string>; readonly hint: Option.Option<string> }) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    yield* c.revoke({ token: o.token, ...some("tokenTypeHint", o.hint) })
    yield* emit(o.output, { revoked: true })
  }).pipe(Effect.provide(clientLayer(o)))

/** `par` */
export const par = (
  o: ClientOptions & {
    readonly redirectUri: string
    readonly scope: string
    readonly resource: ReadonlyArray<string>
    readonly loginHint: Option.Option<string>
    readonly showTokens: boolean
  }
) =>
  Effect.gen(function* () {
    const flow = yield* Grants.authorizationCodeFlow({
      redirectUri: o.redirectUri,
      scope: o.scope,
      ...many("resource", o.resource),
      ...some("loginHint", o.loginHint),
      pushed: true
    })
    const request = flow.request
    const now = yield* DateTime.now
    yield* emit(o.output, {
      authorization_url: request.url,
      request_uri: request._tag === "RequestUriRequest" ? request.requestUri : undefined,
      expires_in:
        request._tag === "RequestUriRequest" && request.expiresAt !== undefined
          ? Math.round(Duration.toSeconds(DateTime.distanceDuration(now, request.expiresAt)))
          : undefined,
      state: request.state,
      nonce: request.nonce,
      code_verifier: request.codeVerifier === undefined ? undefined : o.showTokens ? Redacted.value(request.codeVerifier) : "<redacted>",
      pending_request: o.showTokens ? AuthorizationRequest.serialize(request) : "<redacted>"
    })
  }).pipe(Effect.provide(clientLayer(o)))
