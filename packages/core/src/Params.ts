/**
 * Form parameters as sent on the wire (`application/x-www-form-urlencoded`) or in a URL query.
 *
 * Values may be `Redacted` (tokens, secrets, code verifiers): they stay redacted until {@link encode} builds the body,
 * so a logged request never shows them. Names may repeat (`resource`).
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"

/**
 * One parameter value: plain text, or a secret kept `Redacted` until the request is built.
 *
 * @since 0.1.0
 * @category models
 */
export type Value = string | Redacted.Redacted<string>

/**
 * An ordered list of name/value pairs; names may repeat.
 *
 * @since 0.1.0
 * @category models
 */
export type Params = ReadonlyArray<readonly [name: string, value: Value]>

/**
 * What {@link make} accepts for a name: a value, several values (the name repeats), or nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = Value | ReadonlyArray<Value> | undefined | null

/**
 * Builds parameters from a record, in order: `undefined`, `null`, empty strings and empty lists are not sent; a list
 * repeats the name once per element.
 *
 * @example
 * ```ts
 * import { Params } from "@oauth2/core"
 *
 * const params = Params.make({ grant_type: "client_credentials", scope: undefined, resource: ["https://a", "https://b"] })
 * console.log(Params.encode(params)) // grant_type=client_credentials&resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: Readonly<Record<string, Input>>): Params => {
  const out: Array<readonly [string, Value]> = []
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (typeof value === "string" || Redacted.isRedacted(value)) {
      if (!isEmpty(value)) out.push([name, value])
    } else {
      for (const v of value as ReadonlyArray<Value>) if (!isEmpty(v)) out.push([name, v])
    }
  }
  return out
}

const isEmpty = (v: Value): boolean => (typeof v === "string" ? v.length === 0 : Redacted.value(v).length === 0)

/**
 * Normalises a scope given as a space-separated string or a list into the wire string; empty gives `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @since 0.1.0
 * @category constructors
 */
export const scope = (scope: string | ReadonlyArray<string> | undefined): string | undefined => {
  if (scope === undefined) return undefined
  const parts = (typeof scope === "string" ? scope.split(" ") : scope).map((s) => s.trim()).filter((s) => s.length > 0)
  return parts.length === 0 ? undefined : parts.join(" ")
}

/**
 * The values of a name, in order.
 *
 * @since 0.1.0
 * @category getters
 */
export const getAll = (params: Params, name: string): ReadonlyArray<Value> => params.filter(([n]) => n === name).map(([, v]) => v)

/**
 * The first value of a name, unwrapped.
 *
 * @since 0.1.0
 * @category getters
 */
export const get = (params: Params, name: string): string | undefined => {
  const found = params.find(([n]) => n === name)
  return found === undefined ? undefined : unwrap(found[1])
}

/**
 * Unwraps a value (reveals a `Redacted` one). Only the request builder should call this.
 *
 * @since 0.1.0
 * @category getters
 */
export const unwrap = (v: Value): string => (typeof v === "string" ? v : Redacted.value(v))

/**
 * Appends parameters; later ones come after earlier ones.
 *
 * @since 0.1.0
 * @category combinators
 */
export const concat = (...all: ReadonlyArray<Params>): Params => all.flat()

/**
 * Encodes as `application/x-www-form-urlencoded` (UTF-8), revealing redacted values.
 *
 * @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded
 * @since 0.1.0
 * @category encoding
 */
export const encode = (params: Params): string => toURLSearchParams(params).toString()

/**
 * The parameters as `URLSearchParams`, revealing redacted values.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toURLSearchParams = (params: Params): URLSearchParams => {
  const search = new URLSearchParams()
  for (const [name, value] of params) search.append(name, unwrap(value))
  return search
}
