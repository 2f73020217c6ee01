/**
 * What each command does, loaded only when a command runs (not for `--help`, a usage error or `--version`): these
 * handlers import the library (core, http, flows), which the command-line parsing does not need.
 *
 * @internal
 */
import { BearerToken, Introspection, ServerMetadata } from "@oauth2/core"
import { Grants } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/** The common options of the commands that act as a client. */
export interface ClientOptions {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  readonly authMethod: "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
  readonly insecure: boolean
}

/** The client for the common options. */
const clientLayer = (o: ClientOptions) =>
  Layer.unwrapEffect(
    Effect.map(
      Option.match(o.clientSecret, {
        onNone: () => ClientAuth.none({ clientId: o.clientId }),
        onSome: (clientSecret) => ClientAuth.make({ method: o.authMethod, clientId: o.clientId, clientSecret })
      }),
      (auth) => OAuthClient.layerDiscovery({ issuer: o.issuer, auth })
    )
  ).pipe(Layer.provide(Transport.layerFetch({ allowInsecureHttp: o.insecure })))

/** A token as the JSON a token endpoint answers (`expires_in` from now), secrets redacted unless asked. */
const printToken = (token: BearerToken.BearerToken, show: boolean) =>
  Effect.gen(function* () {
    const json = BearerToken.toJson(token, yield* DateTime.now)
    const secret = new Set(["access_token", "refresh_token", "id_token"])
    const out = show ? json : Object.fromEntries(Object.entries(json).map(([k, v]) => [k, secret.has(k) ? "<redacted>" : v]))
    yield* Console.log(JSON.stringify(out, null, 2))
  })

/** `discover` */
export const discover = (o: { readonly issuer: string; readonly insecure: boolean }) =>
  Effect.gen(function* () {
    const metadata = yield* OAuthClient.discover({ issuer: o.issuer })
    yield* Console.log(JSON.stringify(ServerMetadata.encode(metadata), null, 2))
  }).pipe(Effect.provide(Transport.layerFetch({ allowInsecureHttp: o.insecure })))

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
    const token = yield* Grants.clientCredentials({
      ...(Option.isSome(o.scope) ? { scope: o.scope.value } : {}),
      resource: o.resource,
      audience: o.audience
    })
    yield* printToken(token, o.showTokens)
  }).pipe(Effect.provide(clientLayer(o)))

/** `device` */
export const device = (o: ClientOptions & { readonly scope: Option.Option<string>; readonly showTokens: boolean }) =>
  Effect.gen(function* () {
    const flow = yield* Grants.deviceFlow(Option.isSome(o.scope) ? { scope: o.scope.value } : {})
    yield* Console.log(
      `Open ${flow.authorization.verificationUriComplete ?? flow.authorization.verificationUri} and enter ${flow.authorization.userCode}`
    )
    yield* printToken(yield* flow.token, o.showTokens)
  }).pipe(Effect.provide(clientLayer(o)))

/** `introspect` */
export const introspect = (o: ClientOptions & { readonly token: Redacted.Redacted<string> }) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    const answer = yield* c.introspect({ token: o.token })
    yield* Console.log(JSON.stringify(Introspection.encode(answer), null, 2))
  }).pipe(Effect.provide(clientLayer(o)))

/** `revoke` */
export const revoke = (o: ClientOptions & { readonly token: Redacted.Redacted<string>; readonly hint: Option.Option<string> }) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    yield* c.revoke({ token: o.token, ...(Option.isSome(o.hint) ? { tokenTypeHint: o.hint.value } : {}) })
    yield* Console.log("revoked")
  }).pipe(Effect.provide(clientLayer(o)))
