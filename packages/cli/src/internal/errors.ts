/**
 * The errors of `@oauth2/cli`, by the one recipe of the packages (see `@oauth2/core`'s `OAuthError`): Effect's own
 * `Data.TaggedError` constructor per tag, made once at module level, its prototype marked with the family's type id.
 * Imported by `Demo` without the demo itself, so it loads only `effect/Data`.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as Cli from "../Cli.js"
import type * as Demo from "../Demo.js"

/** @internal */
export const DemoErrorTypeId: Demo.DemoErrorTypeId = Symbol.for("@oauth2/cli/Demo/DemoError") as Demo.DemoErrorTypeId

const taggedError = <Tag extends string, A>(tag: Tag, typeId: symbol = DemoErrorTypeId): new (fields: Record<string, unknown>) => A => {
  const Ctor = Data.TaggedError(tag)
  Object.defineProperty(Ctor.prototype, typeId, { value: typeId })
  return Ctor as unknown as new (fields: Record<string, unknown>) => A
}

const DemoUnavailableError = taggedError<"DemoUnavailable", Demo.DemoUnavailable>("DemoUnavailable")
const DemoFailedError = taggedError<"DemoFailed", Demo.DemoFailed>("DemoFailed")

/** @internal */
export const demoUnavailable = (cause: unknown): Demo.DemoUnavailable =>
  new DemoUnavailableError({
    message: `the demo needs the embedded Authorization Server: npm install @oauth2/testing (${String((cause as { message?: unknown })?.message ?? cause).slice(0, 200)})`,
    cause
  })

/** @internal */
export const demoFailed = (failed: ReadonlyArray<string>): Demo.DemoFailed =>
  new DemoFailedError({ failed, message: `${failed.length} flow(s) failed: ${failed.join(", ")}` })

/** @internal */
export const isDemoError = (u: unknown): u is Demo.DemoError => typeof u === "object" && u !== null && DemoErrorTypeId in u

/** @internal */
export const CliErrorTypeId: Cli.CliErrorTypeId = Symbol.for("@oauth2/cli/Cli/CliError") as Cli.CliErrorTypeId

const UsageErrorCtor = taggedError<"UsageError", Cli.UsageError>("UsageError", CliErrorTypeId)
const LoginFailedCtor = taggedError<"LoginFailed", Cli.LoginFailed>("LoginFailed", CliErrorTypeId)

/** @internal */
export const usageError = (message: string, cause?: unknown): Cli.UsageError =>
  new UsageErrorCtor({ message, ...(cause === undefined ? {} : { cause }) })

/** @internal */
export const loginFailed = (reason: Cli.LoginFailed["reason"], message: string, cause?: unknown): Cli.LoginFailed =>
  new LoginFailedCtor({ reason, message, ...(cause === undefined ? {} : { cause }) })

/** @internal */
export const isCliError = (u: unknown): u is Cli.CliError => typeof u === "object" && u !== null && CliErrorTypeId in u
