/** @internal */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Demo from "../Demo.js"
import type * as Commands from "./commands.js"
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

/**
 * The handlers, imported when a command runs: parsing the command line, `--help` and usage errors load neither the
 * library nor the handlers (a faster start).
 */
const commands = Effect.promise(() => import("./commands.js"))
const handler =
  <K extends keyof typeof Commands>(name: K) =>
  (options: Parameters<(typeof Commands)[K]>[0]): Effect.Effect<void, unknown> =>
    Effect.flatMap(commands, (c) => (c[name] as (o: typeof options) => Effect.Effect<void, unknown>)(options))

const demo = Command.make("demo", {}, () => Demo.run).pipe(
  Command.withDescription("start the embedded Authorization Server and run every flow against it")
)

const discover = Command.make("discover", { issuer: Args.text({ name: "issuer" }), insecure }, handler("discover")).pipe(
  Command.withDescription("fetch and validate an issuer's metadata")
)

const clientCredentials = Command.make("client-credentials", { ...client, scope, resource, audience, showTokens }, handler("clientCredentials")).pipe(
  Command.withDescription("get a token with the client credentials grant")
)

const device = Command.make("device", { ...client, scope, showTokens }, handler("device")).pipe(
  Command.withDescription("the device authorization grant: show the user code, then poll")
)

const token = Options.redacted("token")

const introspect = Command.make("introspect", { ...client, token }, handler("introspect")).pipe(
  Command.withDescription("introspect a token (RFC 7662)")
)

const revoke = Command.make("revoke", { ...client, token, hint: Options.text("hint").pipe(Options.optional) }, handler("revoke")).pipe(
  Command.withDescription("revoke a token (RFC 7009)")
)

const oauth2 = Command.make("oauth2").pipe(
  Command.withDescription("OAuth 2.x and OpenID Connect flows from the command line"),
  Command.withSubcommands([demo, discover, clientCredentials, device, introspect, revoke])
)

const cli = Command.run(oauth2, { name: "oauth2", version: "0.1.0" })

/** @internal */
export const run = (argv: ReadonlyArray<string>) => cli(argv).pipe(Effect.provide(platform.layer))
