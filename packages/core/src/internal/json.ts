/**
 * Turning an arbitrary JavaScript value into a plain JSON value, without ever throwing: the first step of every
 * public decoder, so that a Proxy, a throwing getter, a bigint, a cycle or an absurdly deep value is a typed failure
 * rather than an exception.
 * @internal
 */
import * as Either from "effect/Either"

/**
 * The deepest nesting accepted in a body (objects and arrays). Real answers nest a few levels; a member nested
 * thousands of levels deep is refused rather than kept (it would make `JSON.stringify` throw later).
 * @internal
 */
export const maxDepth = 64

interface NotJson {
  readonly notJson: string
}

const notJson = (why: string): NotJson => ({ notJson: why })

const clone = (u: unknown, depth: number): unknown => {
  switch (typeof u) {
    case "string":
    case "boolean":
    // not finite numbers are kept: the schema that reads the member refuses them naming it; JSON.stringify writes null
    case "number":
      return u
    case "object":
      break
    default:
      throw notJson(`a ${typeof u}`)
  }
  if (u === null) return null
  if (depth >= maxDepth) throw notJson(`nested deeper than ${maxDepth} levels`)
  if (Array.isArray(u)) {
    const length = u.length
    const out: Array<unknown> = new Array(length)
    for (let i = 0; i < length; i++) {
      if (!Object.prototype.hasOwnProperty.call(u, i)) throw notJson("a sparse array")
      out[i] = clone(u[i], depth + 1)
    }
    return out
  }
  const proto = Object.getPrototypeOf(u)
  if (proto !== Object.prototype && proto !== null) throw notJson("an object that is not a plain object")
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(u)) {
    const value = (u as Record<string, unknown>)[key]
    // like JSON.stringify: a member whose value is `undefined` is absent
    if (value === undefined) continue
    Object.defineProperty(out, key, { value: clone(value, depth + 1), enumerable: true, writable: true, configurable: true })
  }
  return out
}

/**
 * A deep copy of `u` made of plain objects, arrays, strings, numbers, booleans and `null`, or, when `u` is not
 * such a value (or reading it throws), a short description of why. Never throws.
 * @internal
 */
export const toJson = (u: unknown): Either.Either<unknown, string> => {
  try {
    return Either.right(clone(u, 0))
  } catch (e) {
    return Either.left(
      typeof e === "object" && e !== null && "notJson" in e && typeof e.notJson === "string"
        ? `not a JSON value: ${e.notJson}`
        : "not a JSON value: reading it failed"
    )
  }
}

/**
 * The members of a record that are JSON values (see {@link toJson}), copied; the others are left out. Never throws.
 * @internal
 */
export const jsonMembers = (record: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  let keys: ReadonlyArray<string>
  try {
    keys = Object.keys(record)
  } catch {
    return out
  }
  for (const key of keys) {
    const value = toJson(Either.getOrUndefined(Either.try(() => record[key])))
    if (Either.isRight(value) && value.right !== undefined) {
      Object.defineProperty(out, key, { value: value.right, enumerable: true, writable: true, configurable: true })
    }
  }
  return out
}
