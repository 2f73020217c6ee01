/**
 * The `oauth2` command: run a flow against any issuer, or the demo against the embedded server.
 *
 * ```sh
 * oauth2 demo
 * oauth2 discover https://as.example.com
 * oauth2 client-credentials --issuer https://as.example.com --client-id app --client-secret s3cret --scope read
 * oauth2 device --issuer https://as.example.com --client-id tv-app --scope "openid offline_access"
 * oauth2 introspect --issuer https://as.example.com --client-id rs --client-secret s3cret --token <token>
 * oauth2 revoke --issuer https://as.example.com --client-id app --client-secret s3cret --token <token>
 * ```
 *
 * The client secret may come from `OAUTH2_CLIENT_SECRET` instead of the command line. Tokens are printed redacted
 * unless `--show-tokens` is given.
 *
 * @since 0.1.0
 */
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/cli.js"

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
