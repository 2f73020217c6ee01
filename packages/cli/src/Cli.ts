/**
 * The `oauth2` command: run a flow against any issuer, or the demo against the embedded server.
 *
 * ```sh
 * oauth2 demo
 * oauth2 discover https://as.example.com
 * oauth2 login --issuer https://as.example.com --client-id cli-app --scope "openid offline_access" --open
 * OAUTH2_CLIENT_SECRET=... oauth2 client-credentials --issuer https://as.example.com --client-id app --scope read
 * oauth2 device --issuer https://as.example.com --client-id tv-app --scope "openid offline_access"
 * OAUTH2_TOKEN=... oauth2 introspect --issuer https://as.example.com --client-id rs --hint access_token
 * ```
 *
 * stdout carries only the result (`--output json`, the default, or `text`); instructions and progress go to stderr.
 * The exit code is 0 on success, 1 when the authorization failed (any OAuth, transport or validation error), 2 on a
 * usage error, 130 when interrupted. The client secret may come from `OAUTH2_CLIENT_SECRET` (empty means none) and
 * every token from an environment variable (`OAUTH2_TOKEN`, `OAUTH2_REFRESH_TOKEN`, ...), out of the process list.
 * Tokens are printed redacted unless `--show-tokens` is given.
 *
 * @since 0.1.0
 */
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/cli.js"
import * as errors from "./internal/errors.js"

/**
 * Runs the command line (`process.argv`-shaped: the first two entries are skipped) with the Node platform services.
 *
 * @example
 * ```ts
 * import { Cli } from "@oauth2/cli"
 * import { Effect } from "effect"
 *
 * Effect.runPromise(Cli.run(["node", "oauth2", "discover", "https://as.example.com"]))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run: (argv: ReadonlyArray<string>) => Effect.Effect<void, unknown | ValidationError.ValidationError> = internal.run

/**
 * Runs the command line like the `oauth2` executable: prints a failure once on stderr (a usage error that
 * @effect/cli has already printed is not printed again) and answers the exit code: 0 success, 1 authorization
 * failure, 2 usage error, 130 interrupted (Ctrl-C).
 *
 * @example
 * ```ts
 * import { Cli } from "@oauth2/cli"
 * import { Effect } from "effect"
 *
 * Effect.runPromise(Cli.main(process.argv)).then((code) => {
 *   process.exitCode = code
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const main: (argv: ReadonlyArray<string>) => Effect.Effect<0 | 1 | 2 | 130> = internal.main

/**
 * The exit code for the failure of {@link run}: 2 for a usage error (@effect/cli's `ValidationError` or
 * {@link UsageError}), 1 for any other failure, 130 for an interruption (Ctrl-C), 0 for none.
 *
 * @since 0.1.0
 * @category combinators
 */
export const exitCode: (cause: Cause.Cause<unknown>) => 0 | 1 | 2 | 130 = internal.exitCode

/**
 * The type id of the command's own errors ({@link CliError}).
 *
 * @since 0.1.0
 * @category type ids
 */
export const CliErrorTypeId: unique symbol = Symbol.for("@oauth2/cli/Cli/CliError")

/**
 * The type of {@link CliErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type CliErrorTypeId = typeof CliErrorTypeId

/**
 * The options parse but cannot be used together (a method without its credential, an unreadable or unusable key
 * file, a bad port): exit code 2.
 *
 * @since 0.1.0
 * @category errors
 */
export interface UsageError extends Cause.YieldableError {
  readonly [CliErrorTypeId]: CliErrorTypeId
  readonly _tag: "UsageError"
  readonly message: string
  readonly cause?: unknown
}

/**
 * `oauth2 login` got no redirect: none within `--timeout` (`"timeout"`), or the loopback port could not be
 * listened on (`"listen"`): exit code 1.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @since 0.1.0
 * @category errors
 */
export interface LoginFailed extends Cause.YieldableError {
  readonly [CliErrorTypeId]: CliErrorTypeId
  readonly _tag: "LoginFailed"
  readonly reason: "timeout" | "listen"
  readonly message: string
  readonly cause?: unknown
}

/**
 * The command's own errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type CliError = UsageError | LoginFailed

/**
 * Builds a {@link UsageError}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const usageError: (message: string, cause?: unknown) => UsageError = errors.usageError

/**
 * Builds a {@link LoginFailed}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const loginFailed: (reason: LoginFailed["reason"], message: string, cause?: unknown) => LoginFailed = errors.loginFailed

/**
 * Whether a value is a {@link CliError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCliError: (u: unknown) => u is CliError = errors.isCliError
