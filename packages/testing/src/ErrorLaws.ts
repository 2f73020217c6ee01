/**
 * What every error of the @oauth2 packages is, as checks a test can run: an `Error` instance, yieldable with
 * `yield*`, named by its `_tag`, with a readable `message` and a stack, rendered by `Cause.pretty` and by a rejected
 * `Effect.runPromise` as `Tag: message` (never a JSON blob), and never showing a secret. Use it for your own error
 * types too. The checks throw node's `AssertionError`, so they work under any test runner.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/errorLaws.js"

/**
 * Resolves when `error` keeps every law above (an `Error`, `name` = `_tag`, a stack headed by `Tag: message`,
 * `yield*` fails with exactly it, `Cause.pretty` and a rejection read `Tag: message`); rejects with an
 * `AssertionError` naming the first law broken.
 *
 * @example
 * ```ts
 * import { OAuthError } from "@oauth2/core"
 * import { ErrorLaws } from "@oauth2/testing"
 *
 * await ErrorLaws.check(OAuthError.invalidArgument("issuer", "must be an https URL"))
 * ```
 *
 * @since 0.1.0
 * @category checks
 */
export const check: (error: { readonly _tag: string; readonly message: string } & Error) => Promise<void> = internal.check

/**
 * Throws an `AssertionError` if any rendering of `error` (`String`, `message`, `stack`, `JSON.stringify`,
 * `util.inspect`, `Cause.pretty`) contains `secret`.
 *
 * @since 0.1.0
 * @category checks
 */
export const rendersWithout: (error: Error, secret: string) => void = internal.rendersWithout
