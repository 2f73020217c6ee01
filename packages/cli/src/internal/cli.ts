/** @internal */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { BearerToken, Introspection, ServerMetadata } from "@oauth2/core"
import { Grants } from "@oauth2/flows"
import { ClientAuth, OAuthClient, Transport } from "@oauth2/http"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Demo from "../Demo.js"
import * as platform from "./platform.js"

const issuer = Options.text("issuer").pipe(Options.withDescription("the issuer identifier of the Authorization Server (discovery)"))
const clientId = Options.text("client-id").pipe(Options.withFallbackConfig(Config.string("OAUTH2_CLIENT_ID")))
const clientSecret = Options.redacted("client-secret").pipe(
  Options.withFallbackConfig(Config.redacted("OAUTH2_CLIENT_SECRET")),
  Options.optional,
  Options.withDescription("the client secret (or OAUTH2_CLIENT_SECRET); none for a public client")
)
const authMethod = Options.choice("auth-method", ["client_secret_basic", "client_secret_post", "client_secret_jwt"]).pipe(
  Options.withDefault("client_secret_basic" as const)
)
const scope = Options.text("scope").pipe(Options.optional)
const resource = Options.text("resource").pipe(Options.repeated)
const audience = Options.text("audience").pipe(Options.repeated)
const showTokens = Options.boolean("show-tokens").pipe(Options.withDescription("print tokens in clear"))
const insecure = Options.boolean("allow-insecure-http").pipe(Options.withDescription("allow plain http endpoints"))

const client = { issuer, clientId, clientSecret, authMethod, insecure }

/** The client for the common options. */
const clientLayer = (o: {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted<string>>
  readonly authMethod: "client_secret_basic" | "client_secret_post" | "client_secret_jwt"
  readonly insecure: boolean
}) =>
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

const demo = Command.make("demo", {}, () => Demo.run).pipe(
  Command.withDescription("start the embedded Authorization Server and run every flow against it")
)

const discover = Command.make("discover", { issuer: Args.text({ name: "issuer" }), insecure }, ({ issuer, insecure }) =>
  Effect.gen(function* () {
    const metadata = yield* OAuthClient.discover({ issuer })
    yield* Console.log(JSON.stringify(ServerMetadata.encode(metadata), null, 2))
  }).pipe(Effect.provide(Transport.layerFetch({ allowInsecureHttp: insecure })))
).pipe(Command.withDescription("fetch and validate an issuer's metadata"))

const clientCredentials = Command.make("client-credentials", { ...client, scope, resource, audience, showTokens }, (o) =>
  Effect.gen(function* () {
    const token = yield* Grants.clientCredentials({
      ...(Option.isSome(o.scope) ? { scope: o.scope.value } : {}),
      resource: o.resource,
      audience: o.audience
    })
    yield* printToken(token, o.showTokens)
  }).pipe(Effect.provide(clientLayer(o)))
).pipe(Command.withDescription("get a token with the client credentials grant"))

const device = Command.make("device", { ...client, scope, showTokens }, (o) =>
  Effect.gen(function* () {
    const flow = yield* Grants.deviceFlow(Option.isSome(o.scope) ? { scope: o.scope.value } : {})
    yield* Console.log(
      `Open ${flow.authorization.verificationUriComplete ?? flow.authorization.verificationUri} and enter ${flow.authorization.userCode}`
    )
    yield* printToken(yield* flow.token, o.showTokens)
  }).pipe(Effect.provide(clientLayer(o)))
).pipe(Command.withDescription("the device authorization grant: show the user code, then poll"))

const token = Options.redacted("token")

const introspect = Command.make("introspect", { ...client, token }, (o) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    const answer = yield* c.introspect({ token: o.token })
    yield* Console.log(JSON.stringify(Introspection.encode(answer), null, 2))
  }).pipe(Effect.provide(clientLayer(o)))
).pipe(Command.withDescription("introspect a token (RFC 7662)"))

const revoke = Command.make("revoke", { ...client, token, hint: Options.text("hint").pipe(Options.optional) }, (o) =>
  Effect.gen(function* () {
    const c = yield* OAuthClient.OAuthClient
    yield* c.revoke({ token: o.token, ...(Option.isSome(o.hint) ? { tokenTypeHint: o.hint.value } : {}) })
    yield* Console.log("revoked")
  }).pipe(Effect.provide(clientLayer(o)))
).pipe(Command.withDescription("revoke a token (RFC 7009)"))

const oauth2 = Command.make("oauth2").pipe(
  Command.withDescription("OAuth 2.x and OpenID Connect flows from the command line"),
  Command.withSubcommands([demo, discover, clientCredentials, device, introspect, revoke])
)

const cli = Command.run(oauth2, { name: "oauth2", version: "0.1.0" })

/** @internal */
export const run = (argv: ReadonlyArray<string>) => cli(argv).pipe(Effect.provide(platform.layer))
