/**
 * The demo: starts the embedded Authorization Server (`@oauth2/testing`) and runs every grant and endpoint against
 * it, end to end, printing one row per flow. It fails if any flow fails; a flow that cannot run on the machine (the
 * token shared through Redis by two processes needs `redis-server` and `@oauth2/redis`, an optional peer) is
 * `skipped`, which is not a failure.
 *
 * The embedded server (and `oidc-provider` behind it) is loaded only when {@link rows} or {@link run} runs, so
 * importing this module (or the `oauth2` command for any other subcommand) stays light.
 *
 * @since 0.1.0
 */
import type { TestServer } from "@oauth2/testing"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as errors from "./internal/errors.js"
import * as table from "./internal/table.js"

/**
 * The type id of the demo's errors ({@link DemoError}).
 *
 * @since 0.1.0
 * @category type ids
 */
export const DemoErrorTypeId: unique symbol = Symbol.for("@oauth2/cli/Demo/DemoError")

/**
 * The type of {@link DemoErrorTypeId}.
 *
 * @since 0.1.0
 * @category type ids
 */
export type DemoErrorTypeId = typeof DemoErrorTypeId

/**
 * The demo needs `@oauth2/testing` (an optional peer dependency of this package, so that installing the command does
 * not install oidc-provider); it is not installed.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DemoUnavailable extends Cause.YieldableError {
  readonly [DemoErrorTypeId]: DemoErrorTypeId
  readonly _tag: "DemoUnavailable"
  readonly message: string
  /** Why the import failed. */
  readonly cause: unknown
}

/** The demo's implementation, imported on first use: it statically imports `@oauth2/testing`. */
const internal = Effect.tryPromise({
  try: () => import("./internal/demo.js"),
  catch: errors.demoUnavailable
})

/**
 * One flow's outcome.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly flow: string
  readonly ok: boolean
  /**
   * The flow could not run on this machine (something it needs is not installed, e.g. `redis-server`): `ok`, since
   * it is not a failure, and `result` says what is missing.
   */
  readonly skipped?: boolean
  /** What came back, or what went wrong. */
  readonly result: string
  /** The token's lifetime, when the flow gave a token that expires. */
  readonly lifetime?: string
  readonly scopes?: string
  readonly millis: number
}

/**
 * Some flows of the demo failed.
 *
 * @since 0.1.0
 * @category errors
 */
export interface DemoFailed extends Cause.YieldableError {
  readonly [DemoErrorTypeId]: DemoErrorTypeId
  readonly _tag: "DemoFailed"
  readonly failed: ReadonlyArray<string>
  readonly message: string
}

/**
 * Every error of the demo itself (the embedded server's are `TestServer.TestServerError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type DemoError = DemoUnavailable | DemoFailed

/**
 * Whether a value is a {@link DemoError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDemoError: (u: unknown) => u is DemoError = errors.isDemoError

/**
 * Builds a {@link DemoUnavailable} from the failure to load the demo (kept as `cause`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const demoUnavailable: (cause: unknown) => DemoUnavailable = errors.demoUnavailable

/**
 * Builds a {@link DemoFailed} naming the flows that failed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const demoFailed: (failed: ReadonlyArray<string>) => DemoFailed = errors.demoFailed

/**
 * Runs every flow against a fresh embedded server and returns the rows (all of them, failed ones included).
 *
 * @since 0.1.0
 * @category constructors
 */
export const rows: Effect.Effect<ReadonlyArray<Row>, DemoUnavailable | TestServer.TestServerError> = Effect.flatMap(internal, (demo) => demo.rows)

/**
 * Renders rows as a plain-text table.
 *
 * @since 0.1.0
 * @category encoding
 */
export const render: (rows: ReadonlyArray<Row>) => string = table.render

/**
 * Runs the demo, prints the table and fails with {@link DemoFailed} if any flow failed.
 *
 * @example
 * ```ts
 * import { Demo } from "@oauth2/cli"
 * import { Effect } from "effect"
 *
 * Effect.runPromiseExit(Demo.run).then((exit) => {
 *   process.exitCode = exit._tag === "Success" ? 0 : 1
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run: Effect.Effect<ReadonlyArray<Row>, DemoFailed | DemoUnavailable | TestServer.TestServerError> = Effect.flatMap(
  internal,
  (demo) => demo.run
)
