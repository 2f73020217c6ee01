/** @internal */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Demo from "../Demo.js"
import type * as Commands from "./commands.js"
import { isCliError } from "./errors.js"
import * as platform from "./platform.js"

const issuer = Options.text("issuer").pipe(Options.withDescription("the issuer identifier of the Authorization Server (discovery)"))
const clientId = Options.text("client-id").pipe(
  Options.withFallbackConfig(Config.string("OAUTH2_CLIENT_ID")),
  Options.withDescription("the client id (or OAUTH2_CLIENT_ID)")
)
const clientSecret = Options.redacted("client-secret").pipe(
  Options.withFallbackConfig(Config.redacted("OAUTH2_CLIENT_SECRET")),
  Options.optional,
  Options.withDescription("the client secret (or OAUTH2_CLIENT_SECRET; empty means none)")
)
/**
 * A token or assertion: from the command line, or from an environment variable so that it does not appear in the
 * process list or the shell history.
 */
const secretOption = (name: string, env: string, what: string) =>
  Options.redacted(name).pipe(
    Options.withFallbackConfig(Config.redacted(env)),
    Options.withDescription(`${what} (or ${env}, which keeps it out of the process list and the shell history)`)
  )

const authMethod = Options.choice("auth-method", ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]).pipe(
  Options.optional,
  Options.withDescription("how the client authenticates; by default private_key_jwt with --private-key, client_secret_basic with a secret, else none")
)
const rawBasic = Options.boolean("raw-basic").pipe(
  Options.withDescription("client_secret_basic without form-encoding id and secret, for servers that do not decode them")
)
const privateKey = Options.text("private-key").pipe(
  Options.optional,
  Options.withDescription("a file holding the private key for private_key_jwt: a JWK (JSON) or a PKCS#8 PEM")
)
const kid = Options.text("kid").pipe(Options.optional, Options.withDescription("the key id of --private-key (by default the JWK's)"))
const alg = Options.text("alg").pipe(
  Options.optional,
  Options.withDescription("the client assertion's signing algorithm (by default the JWK's or the key's)")
)
const dpop = Options.boolean("dpop").pipe(Options.withDescription("DPoP-bind the tokens (RFC 9449) to a key generated for this run"))
const dpopKey = Options.text("dpop-key").pipe(
  Options.optional,
  Options.withDescription("DPoP-bind the tokens to this key: a file holding a private JWK (JSON)")
)
const insecure = Options.boolean("allow-insecure-http").pipe(Options.withDescription("allow plain http endpoints"))
const output = Options.choice("output", ["json", "text"]).pipe(
  Options.withDefault("json" as const),
  Options.withDescription("how the result is printed on stdout")
)
const scope = Options.text("scope").pipe(Options.optional)
const resource = Options.text("resource").pipe(Options.repeated, Options.withDescription("a resource indicator (RFC 8707)"))
const audience = Options.text("audience").pipe(Options.repeated)
const showTokens = Options.boolean("show-tokens").pipe(Options.withDescription("print tokens in clear"))
const pollInterval = Options.integer("poll-interval").pipe(
  Options.optional,
  Options.withDescription("seconds between polls instead of the server's interval (for a local server)")
)

const client = { issuer, clientId, clientSecret, authMethod, rawBasic, privateKey, kid, alg, dpop, dpopKey, insecure, output }

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

const discover = Command.make("discover", { issuer: Args.text({ name: "issuer" }), insecure, output }, handler("discover")).pipe(
  Command.withDescription("fetch and validate an issuer's metadata")
)

const login = Command.make(
  "login",
  {
    ...client,
    scope: Options.text("scope").pipe(Options.withDefault("openid")),
    resource,
    loginHint: Options.text("login-hint").pipe(Options.optional),
    prompt: Options.text("prompt").pipe(Options.optional, Options.withDescription("e.g. consent (for a refresh token with offline_access), login")),
    pushed: Options.boolean("par").pipe(Options.withDescription("push the authorization request (RFC 9126)")),
    redirectPort: Options.integer("redirect-port").pipe(
      Options.optional,
      Options.withDescription("the loopback port of the redirect URI (default: a free one)")
    ),
    open: Options.boolean("open").pipe(Options.withDescription("open the authorization URL in the default browser")),
    timeout: Options.integer("timeout").pipe(Options.withDefault(300), Options.withDescription("seconds to wait for the redirect")),
    showTokens
  },
  handler("login")
).pipe(Command.withDescription("authorization code + PKCE with a loopback redirect (RFC 8252); the ID token is validated"))

const clientCredentials = Command.make("client-credentials", { ...client, scope, resource, audience, showTokens }, handler("clientCredentials")).pipe(
  Command.withDescription("get a token with the client credentials grant")
)

const refresh = Command.make(
  "refresh",
  { ...client, refreshToken: secretOption("refresh-token", "OAUTH2_REFRESH_TOKEN", "the refresh token"), scope, resource, showTokens },
  handler("refresh")
).pipe(Command.withDescription("refresh a token (RFC 6749 section 6); a new ID token is validated"))

const tokenExchange = Command.make(
  "token-exchange",
  {
    ...client,
    subjectToken: secretOption("subject-token", "OAUTH2_SUBJECT_TOKEN", "the subject token"),
    subjectTokenType: Options.text("subject-token-type").pipe(
      Options.withDefault("access_token"),
      Options.withDescription("access_token (default), refresh_token, id_token, jwt, saml1, saml2 or a token type URN")
    ),
    actorToken: secretOption("actor-token", "OAUTH2_ACTOR_TOKEN", "the actor token").pipe(Options.optional),
    actorTokenType: Options.text("actor-token-type").pipe(Options.optional),
    requestedTokenType: Options.text("requested-token-type").pipe(Options.optional),
    scope,
    resource,
    audience,
    showTokens
  },
  handler("tokenExchange")
).pipe(Command.withDescription("token exchange (RFC 8693)"))

const jwtBearer = Command.make(
  "jwt-bearer",
  { ...client, assertion: secretOption("assertion", "OAUTH2_ASSERTION", "the JWT assertion"), scope, resource, showTokens },
  handler("jwtBearer")
).pipe(Command.withDescription("the JWT bearer grant (RFC 7523)"))

const device = Command.make("device", { ...client, scope, resource, pollInterval, showTokens }, handler("device")).pipe(
  Command.withDescription("the device authorization grant: show the user code, then poll")
)

const ciba = Command.make(
  "ciba",
  {
    ...client,
    scope: Options.text("scope").pipe(Options.withDefault("openid")),
    loginHint: Options.text("login-hint").pipe(Options.optional),
    idTokenHint: secretOption("id-token-hint", "OAUTH2_ID_TOKEN_HINT", "an ID token identifying the user").pipe(Options.optional),
    bindingMessage: Options.text("binding-message").pipe(Options.optional),
    pollInterval,
    showTokens
  },
  handler("ciba")
).pipe(Command.withDescription("Client-Initiated Backchannel Authentication, poll mode"))

const token = secretOption("token", "OAUTH2_TOKEN", "the token")
const hint = Options.text("hint").pipe(Options.optional, Options.withDescription("token_type_hint: access_token or refresh_token"))

const userinfo = Command.make("userinfo", { ...client, token }, handler("userinfo")).pipe(
  Command.withDescription("the UserInfo claims of an access token")
)

const introspect = Command.make("introspect", { ...client, token, hint }, handler("introspect")).pipe(
  Command.withDescription("introspect a token (RFC 7662)")
)

const revoke = Command.make("revoke", { ...client, token, hint }, handler("revoke")).pipe(Command.withDescription("revoke a token (RFC 7009)"))

const par = Command.make(
  "par",
  {
    ...client,
    redirectUri: Options.text("redirect-uri"),
    scope: Options.text("scope").pipe(Options.withDefault("openid")),
    resource,
    loginHint: Options.text("login-hint").pipe(Options.optional),
    showTokens
  },
  handler("par")
).pipe(Command.withDescription("push an authorization request (RFC 9126) and print the URL to send the user to"))

const oauth2 = Command.make("oauth2").pipe(
  Command.withDescription("OAuth 2.x and OpenID Connect flows from the command line"),
  Command.withSubcommands([
    demo,
    discover,
    login,
    clientCredentials,
    refresh,
    tokenExchange,
    jwtBearer,
    device,
    ciba,
    userinfo,
    introspect,
    revoke,
    par
  ])
)

const cli = Command.run(oauth2, { name: "oauth2", version: "0.1.0" })

// -----------------------------------------------------------------------------
// the console: no ANSI escapes on a stream that is not a terminal, logs on stderr
// -----------------------------------------------------------------------------

const ansi = /\u001b\[[0-9;]*[A-Za-z]/g

/** @internal */
export const stripAnsi = (text: string): string => text.replace(ansi, "")

const clean = (tty: () => boolean, args: ReadonlyArray<unknown>) => (tty() ? args : args.map((a) => (typeof a === "string" ? stripAnsi(a) : a)))
const stdoutTty = () => process.stdout.isTTY === true
const stderrTty = () => process.stderr.isTTY === true

const plainConsole = (base: Console.Console): Console.Console => ({
  ...base,
  log: (...args) => base.log(...clean(stdoutTty, args)),
  info: (...args) => base.info(...clean(stdoutTty, args)),
  error: (...args) => base.error(...clean(stderrTty, args)),
  warn: (...args) => base.warn(...clean(stderrTty, args)),
  unsafe: {
    ...base.unsafe,
    log: (...args) => base.unsafe.log(...clean(stdoutTty, args)),
    info: (...args) => base.unsafe.info(...clean(stdoutTty, args)),
    error: (...args) => base.unsafe.error(...clean(stderrTty, args)),
    warn: (...args) => base.unsafe.warn(...clean(stderrTty, args))
  }
})

/** Log lines (`--log-level`) go to stderr: stdout carries only the result. */
const stderrLogger = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.stringLogger))

/**
 * `--log-level` is one of @effect/cli's built-in options, which it reads before the subcommand only: moved there from
 * wherever it is, so that `oauth2 device ... --log-level debug` works too.
 */
const hoistLogLevel = (argv: ReadonlyArray<string>): ReadonlyArray<string> => {
  const moved: Array<string> = []
  const rest: Array<string> = []
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      rest.push(...argv.slice(i))
      break
    }
    if (arg === "--log-level" && i + 1 < argv.length) moved.push(arg, argv[++i]!)
    else if (arg.startsWith("--log-level=")) moved.push(arg)
    else rest.push(arg)
  }
  return [...argv.slice(0, 2), ...moved, ...rest]
}

/** @internal */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.consoleWith((base) => cli(hoistLogLevel(argv)).pipe(Effect.withConsole(plainConsole(base)))).pipe(
    Effect.provide(stderrLogger),
    Effect.provide(platform.layer)
  )

// -----------------------------------------------------------------------------
// exit codes
// -----------------------------------------------------------------------------

const describe = (u: unknown): string =>
  typeof u === "object" && u !== null && "message" in u
    ? `${"_tag" in u && typeof u._tag === "string" && u._tag !== "UsageError" ? `${u._tag}: ` : ""}${String(u.message)}`
    : String(u)

/** @internal */
export const exitCode = (cause: Cause.Cause<unknown>): 0 | 1 | 2 | 130 => {
  const failure = Cause.failureOption(cause)
  // interrupted (Ctrl-C) is not a success: 130, as shells report a command ended by SIGINT
  if (Option.isNone(failure)) return Cause.isEmpty(cause) ? 0 : Cause.isInterruptedOnly(cause) ? 130 : 1
  const error = failure.value
  if (ValidationError.isValidationError(error)) return 2
  if (isCliError(error) && error._tag === "UsageError") return 2
  // the library refusing an argument (core's InvalidArgument) refuses one of the options
  if (typeof error === "object" && error !== null && "_tag" in error && error._tag === "InvalidArgument") return 2
  return 1
}

/** @internal */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<0 | 1 | 2 | 130> =>
  Effect.matchCauseEffect(run(argv), {
    onSuccess: () => Effect.succeed(0 as const),
    onFailure: (cause) =>
      Effect.gen(function* () {
        const code = exitCode(cause)
        const failure = Cause.failureOption(cause)
        if (Option.isSome(failure)) {
          const error = failure.value
          // @effect/cli has printed its own usage errors, and the demo its table
          const printed = ValidationError.isValidationError(error) || (Demo.isDemoError(error) && error._tag === "DemoFailed")
          if (!printed) {
            const hint = code === 2 ? " (see oauth2 <command> --help)" : ""
            yield* Effect.sync(() => process.stderr.write(`oauth2: ${describe(error)}${hint}\n`))
          }
        } else {
          yield* Effect.sync(() => process.stderr.write(`oauth2: ${Cause.pretty(cause)}\n`))
        }
        return code
      })
  })
