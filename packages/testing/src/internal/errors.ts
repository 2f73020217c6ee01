/**
 * The errors of `@oauth2/testing`, by the one recipe of the packages (see `@oauth2/core`'s `OAuthError`): Effect's
 * own `Data.TaggedError` constructor, made once at module level, its prototype marked with the family's type id.
 *
 * @internal
 */
import * as Data from "effect/Data"
import type * as RedisServer from "../RedisServer.js"
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

export const RedisServerErrorTypeId: RedisServer.RedisServerErrorTypeId = Symbol.for(
  "@oauth2/testing/RedisServer/RedisServerError"
) as RedisServer.RedisServerErrorTypeId

const RedisServerErrorCtor = ((): new (args: Record<string, unknown>) => RedisServer.RedisServerError => {
  const Ctor = Data.TaggedError("RedisServerError")
  Object.defineProperty(Ctor.prototype, RedisServerErrorTypeId, { value: RedisServerErrorTypeId })
  return Ctor as unknown as new (args: Record<string, unknown>) => RedisServer.RedisServerError
})()

export const redisServerError = (args: {
  readonly reason: RedisServer.RedisServerError["reason"]
  readonly message: string
  readonly cause?: unknown
}): RedisServer.RedisServerError => new RedisServerErrorCtor(args)

export const isRedisServerError = (u: unknown): u is RedisServer.RedisServerError =>
  typeof u === "object" && u !== null && RedisServerErrorTypeId in u
