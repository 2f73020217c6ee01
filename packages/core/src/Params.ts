/**
 * Form parameters as sent on the wire (`application/x-www-form-urlencoded`) or in a URL query.
 *
 * Values may be `Redacted` (tokens, secrets, code verifiers): they stay redacted until {@link encode} builds the body,
 * so a logged request never shows them. Names may repeat (`resource`).
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/params.js"

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
export const make: (input: Readonly<Record<string, Input>>) => Params = internal.make

/**
 * Normalises a scope given as a space-separated string or a list into the wire string; empty gives `undefined`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 * @since 0.1.0
 * @category constructors
 */
export const scope: (scope: string | ReadonlyArray<string> | undefined) => string | undefined = internal.scope

/**
 * The values of a name, in order.
 *
 * @since 0.1.0
 * @category getters
 */
export const getAll: (params: Params, name: string) => ReadonlyArray<Value> = internal.getAll

/**
 * The first value of a name, unwrapped.
 *
 * @since 0.1.0
 * @category getters
 */
export const get: (params: Params, name: string) => string | undefined = internal.get

/**
 * Unwraps a value (reveals a `Redacted` one). Only the request builder should call this.
 *
 * @since 0.1.0
 * @category getters
 */
export const unwrap: (v: Value) => string = internal.unwrap

/**
 * Appends parameters; later ones come after earlier ones.
 *
 * @since 0.1.0
 * @category combinators
 */
export const concat: (...all: ReadonlyArray<Params>) => Params = internal.concat

/**
 * Encodes as `application/x-www-form-urlencoded` (UTF-8), revealing redacted values.
 *
 * @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded
 * @since 0.1.0
 * @category encoding
 */
export const encode: (params: Params) => string = internal.encode

/**
 * The parameters as `URLSearchParams`, revealing redacted values.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toURLSearchParams: (params: Params) => URLSearchParams = internal.toURLSearchParams
