/**
 * The errors of `@oauth2/testing`, by the one recipe of the packages (see `@oauth2/core`'s `OAuthError`): Effect's
 * own `Data.TaggedError` constructor, made once at module level, its prototype marked with the family's type id.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as TestServer from "../TestServer.js"

/** @internal */
export const TestServerErrorTypeId: TestServer.TestServerErrorTypeId = Symbol.for(
  "@oauth2/testing/TestServer/TestServerError"
) as TestServer.TestServerErrorTypeId

const TestServerErrorCtor = ((): new (args: Record<string, unknown>) => TestServer.TestServerError => {
  const Ctor = Data.TaggedError("TestServerError")
  Object.defineProperty(Ctor.prototype, TestServerErrorTypeId, { value: TestServerErrorTypeId })
  return Ctor as unknown as new (args: Record<string, unknown>) => TestServer.TestServerError
})()

/** @internal */
export const testServerError = (args: {
  readonly operation: TestServer.TestServerError["operation"]
  readonly message: string
  readonly cause?: unknown
}): TestServer.TestServerError => new TestServerErrorCtor(args)

/** @internal */
export const isTestServerError = (u: unknown): u is TestServer.TestServerError => typeof u === "object" && u !== null && TestServerErrorTypeId in u
