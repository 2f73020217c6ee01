/** @internal */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Endpoint, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import { bound, isRecord, isSecretKey, unexpectedResponse } from "./errors.js"
import { toJson } from "./json.js"

/**
 * Renders a parse error as a short reason that never repeats the value of a secret field.
 * @internal
 */
export const reasonOf = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const lines = issues.slice(0, 4).map((issue) => {
    const path = issue.path.map(String).join(".")
    const secret = issue.path.some((p) => typeof p === "string" && isSecretKey(p))
    const message = secret ? (issue._tag === "Missing" ? "is missing" : "is not valid") : bound(issue.message.replace(/\s+/g, " "), 200)
    return path === "" ? message : `${path}: ${message}`
  })
  return lines.join("; ") + (issues.length > 4 ? `; and ${issues.length - 4} more` : "")
}

/**
 * A decoder of a JSON body answered by an endpoint: a non-object body, or one that does not match the schema, is an
 * `UnexpectedResponse`. The schema is compiled once.
 * @internal
 */
export const jsonObjectDecoder = <A, I, R extends never>(schema: Schema.Schema<A, I, R>, endpoint: Endpoint) => {
  // the parser is compiled at the first answer, not when the module is imported
  let decode: ((u: unknown) => Either.Either<A, ParseResult.ParseError>) | undefined
  return (raw: unknown, context?: ResponseContext): Either.Either<A, UnexpectedResponse> => {
    decode ??= Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "preserve" })
    const plain = toJson(raw)
    if (Either.isLeft(plain)) return Either.left(unexpectedResponse(endpoint, plain.left, raw, context))
    const body = plain.right
    if (!isRecord(body)) {
      return Either.left(unexpectedResponse(endpoint, `expected a JSON object, got ${describe(body)}`, body, context))
    }
    return Either.mapLeft(decode(body), (e) => unexpectedResponse(endpoint, reasonOf(e), body, context))
  }
}

/** @internal */
export const describe = (u: unknown): string =>
  u === null
    ? "null"
    : Array.isArray(u)
      ? "an array"
      : typeof u === "string"
        ? u.length === 0
          ? "an empty string"
          : "a string"
        : typeof u === "object"
          ? "an object"
          : `a ${typeof u}`
