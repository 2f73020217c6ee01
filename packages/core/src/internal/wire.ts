/**
 * Wire-level building blocks shared by the endpoint codecs: lifetimes in seconds, numeric dates, absolute URLs,
 * extra members and absolute expiry.
 * @internal
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Endpoint, InvalidArgument, ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import { invalidArgument } from "../OAuthError.js"
import * as Params from "../Params.js"
import { jsonObjectDecoder } from "./decode.js"
import { isRecord, unexpectedResponse } from "./errors.js"
import { toJson } from "./json.js"

const digits = /^[0-9]{1,16}$/

/**
 * The one parser of a lifetime in seconds as sent (`expires_in` of every answer, `interval`): a non-negative whole
 * number (RFC 6749 A.14: `expires-in = 1*DIGIT`; RFC 8628 3.2; CIBA 7.3), as a JSON number or, leniently, as a string
 * of digits (some servers quote it). Negative, fractional, non-finite or unsafe values, and strings with a sign,
 * a decimal point, an exponent or blanks, are refused with the reason. Pure and allocation-free on success, for the
 * token endpoint's hot path.
 * @internal
 */
export const parseSeconds = (u: unknown): number | { readonly invalid: string } => {
  const n = typeof u === "number" ? u : typeof u === "string" && digits.test(u) ? Number(u) : undefined
  if (n === undefined) return { invalid: "expected a number or a string of digits" }
  if (!Number.isSafeInteger(n)) return { invalid: `expected a whole number of seconds, got ${n}` }
  if (n < 0) return { invalid: `expected a non-negative number of seconds, got ${n}` }
  return n
}

/**
 * {@link parseSeconds} as a schema member: `expires_in`, `interval`.
 * @internal
 */
export const Seconds: Schema.Schema<number, number | string> = Schema.transformOrFail(Schema.Union(Schema.Number, Schema.String), Schema.Number, {
  strict: true,
  decode: (u, _, ast) => {
    const n = parseSeconds(u)
    return typeof n === "number" ? ParseResult.succeed(n) : ParseResult.fail(new ParseResult.Type(ast, u, n.invalid))
  },
  encode: ParseResult.succeed
})

/**
 * The epoch milliseconds `seconds` after `nowMillis`, or `undefined` when that instant cannot be represented as a
 * date (beyond year 275760).
 * @internal
 */
export const expiryMillis = (nowMillis: number, seconds: number): number | undefined => {
  const at = nowMillis + seconds * 1000
  return Math.abs(at) <= maxEpochMillis ? at : undefined
}

const maxEpochMillis = 8_640_000_000_000_000

const maxEpochSeconds = 8_640_000_000_000

/**
 * A JSON numeric date (RFC 7519 2: seconds since the epoch, possibly fractional), decoded to a `DateTime.Utc`.
 * Digit strings are tolerated. Values outside the representable range are refused.
 * @internal
 */
export const NumericDate: Schema.Schema<DateTime.Utc, number | string> = Schema.transformOrFail(
  Schema.Union(
    Schema.Number,
    Schema.compose(
      Schema.String.pipe(Schema.pattern(/^[0-9]{1,16}(\.[0-9]{1,9})?$/, { message: () => "expected a number of seconds" })),
      Schema.NumberFromString
    )
  ),
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (n, _, ast) =>
      Number.isFinite(n) && n >= 0 && n <= maxEpochSeconds
        ? Option.match(DateTime.make(Math.round(n * 1000)), {
            onNone: () => ParseResult.fail(new ParseResult.Type(ast, n, `expected a date in seconds, got ${n}`)),
            onSome: (d) => ParseResult.succeed(DateTime.toUtc(d))
          })
        : ParseResult.fail(new ParseResult.Type(ast, n, `expected a non-negative date in seconds, got ${n}`)),
    encode: (d) => ParseResult.succeed(DateTime.toEpochMillis(d) / 1000)
  }
)

/**
 * Whether a string is an absolute `http:`/`https:` URL without a fragment (an endpoint address).
 * @internal
 */
export const isHttpUrl = (s: string): boolean => {
  if (s.length > 8192 || !URL.canParse(s)) return false
  const url = new URL(s)
  return (url.protocol === "https:" || url.protocol === "http:") && url.hostname.length > 0 && !s.includes("#")
}

/**
 * An absolute `http:`/`https:` URL without a fragment. `javascript:`, `data:`, relative references and the like are
 * refused.
 * @internal
 */
export const HttpUrl = Schema.String.pipe(
  Schema.filter((s) => isHttpUrl(s) || "expected an absolute http(s) URL without fragment", { identifier: "HttpUrl" })
)

/** A dotted-decimal IPv4 address in 127.0.0.0/8, each part 0-255 without leading zeros. */
const loopbackIpv4 = /^127(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/

/**
 * The hosts where plain `http:` is acceptable without an explicit opt-in: `localhost`, `127.0.0.0/8`, `[::1]`
 * (RFC 8252 7.3, 8.3). The URL parser normalises IPv4 (`127.1`, `0x7f.0.0.1`, `2130706433` are `127.0.0.1`) and IPv6
 * (`[0:0:0:0:0:0:0:1]` is `[::1]`) hosts, so only those forms need to be recognised; a name that merely starts
 * like one (`127.evil.com`, `127.0.0.1.evil.com`, `localhost.evil.com`) is not a loopback host.
 * @internal
 */
export const isLoopback = (url: URL): boolean => {
  const host = url.hostname
  return host === "localhost" || host === "[::1]" || loopbackIpv4.test(host)
}

/**
 * The redirect URI policy (RFC 6749 3.1.2, RFC 8252 7, RFC 9700 4.1): an absolute URI without a fragment and
 * without credentials, whose scheme is `https:`, `http:` on a loopback host only (`localhost`, `127.0.0.0/8`,
 * `[::1]`, RFC 8252 7.3), or a private-use scheme of a native app, i.e. a reverse domain name containing a period
 * (`com.example.app:/cb`, RFC 8252 7.1). Everything else is refused: `javascript:`, `data:`, `file:`, `vbscript:`,
 * `blob:`, relative references, fragments, plain `http:` on another host, single-word custom schemes.
 * @internal
 */
export const checkRedirectUri = (argument: string, u: unknown): Either.Either<string, InvalidArgument> => {
  const refuse = (why: string) => Either.left(invalidArgument(argument, why))
  if (typeof u !== "string" || u.length === 0 || u.length > 8192) return refuse("expected a non-empty URI")
  if (u.includes("#")) return refuse("must not contain a fragment (RFC 6749 3.1.2)")
  if (!URL.canParse(u)) return refuse("expected an absolute URI (RFC 6749 3.1.2)")
  const url = new URL(u)
  if (url.username !== "" || url.password !== "") return refuse("must not contain credentials")
  const scheme = url.protocol.slice(0, -1)
  if (scheme === "https") return url.hostname.length > 0 ? Either.right(u) : refuse("expected an https URL with a host")
  if (scheme === "http") {
    return isLoopback(url) ? Either.right(u) : refuse("plain http is only allowed on a loopback host (RFC 8252 7.3); use https")
  }
  if (/^[a-z][a-z0-9+-]*(?:\.[a-z0-9+-]+)+$/.test(scheme)) return Either.right(u)
  return refuse(
    `the scheme '${scheme.slice(0, 32)}' is not allowed: use https, http on a loopback host, or a private-use scheme in reverse domain form such as 'com.example.app' (RFC 8252 7.1)`
  )
}

/**
 * Whether a URL uses `https:`, or `http:` on a loopback host, or `http:` anywhere when explicitly allowed.
 * @internal
 */
export const isSecureUrl = (url: URL, allowInsecureHttp: boolean): boolean =>
  url.protocol === "https:" || (url.protocol === "http:" && (allowInsecureHttp || isLoopback(url)))

/**
 * The wire name of each member of a struct's fields, by field name, in order: the `Schema.fromKey` name when the
 * member has one, else the field name itself. Used to copy decoded fields into a model, to encode one back, and to
 * tell a document's known members from its `extra` ones.
 * @internal
 */
export const wireKeysOf = <F extends string>(fields: { readonly [K in F]: unknown }): ReadonlyArray<readonly [field: F, key: string]> =>
  Object.entries(fields).map(([field, signature]) => {
    const ast = (signature as { readonly ast?: unknown }).ast
    const from = typeof ast === "object" && ast !== null && "from" in ast ? (ast.from as { readonly fromKey?: unknown }) : undefined
    return [field as F, typeof from?.fromKey === "string" ? from.fromKey : field] as const
  })

/**
 * The members of a JSON object that are not in `known`, in order.
 * @internal
 */
export const extrasOf = (body: unknown, known: ReadonlySet<string>): Record<string, unknown> => {
  const extra: Record<string, unknown> = {}
  if (!isRecord(body)) return extra
  for (const [k, v] of Object.entries(body)) {
    if (!known.has(k)) Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  return extra
}

/**
 * The first step of every public decoder: a deep copy of the body as a plain JSON value, or an `UnexpectedResponse`
 * when it is not one (a bigint, a symbol, a function, a Proxy or getter that throws, a cycle, nesting deeper than
 * 64 levels). Never throws.
 * @internal
 */
export const plainBody = (body: unknown, endpoint: Endpoint, context?: ResponseContext): Either.Either<unknown, UnexpectedResponse> =>
  Either.mapLeft(toJson(body), (reason) => unexpectedResponse(endpoint, reason, body, context))

/**
 * An optional wire member. (`null` members are removed before decoding, see {@link decoder}.)
 * @internal
 */
export const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/**
 * A JSON object decoder (see `jsonObjectDecoder`) where a top-level member whose value is `null` counts as absent:
 * several servers send `null` for what they do not support. Errors still show the body as received.
 * @internal
 */
export const decoder = <A, I>(schema: Schema.Schema<A, I>, endpoint: Endpoint) => {
  const decode = jsonObjectDecoder(schema, endpoint)
  return (raw: unknown, context?: ResponseContext): Either.Either<A, UnexpectedResponse> => {
    const plain = plainBody(raw, endpoint, context)
    if (Either.isLeft(plain)) return Either.left(plain.left)
    const body = plain.right
    if (!isRecord(body) || !Object.values(body).includes(null)) return decode(body, context)
    const present: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(body)) {
      if (v !== null) Object.defineProperty(present, k, { value: v, enumerable: true, writable: true, configurable: true })
    }
    return Either.mapLeft(decode(present, context), (e) => unexpectedResponse(endpoint, e.reason, body, context))
  }
}

/**
 * The absolute instant `seconds` after the current time (taken from `Clock`, so `TestClock` drives it). A lifetime
 * so large that the instant cannot be represented is an `UnexpectedResponse`.
 * @internal
 */
export const expiresAt = (
  seconds: number,
  endpoint: Endpoint,
  body: unknown,
  context?: ResponseContext
): Effect.Effect<DateTime.Utc, UnexpectedResponse> =>
  Effect.flatMap(DateTime.now, (now) => {
    const at = expiryMillis(DateTime.toEpochMillis(now), seconds)
    return at === undefined
      ? Effect.fail(unexpectedResponse(endpoint, `expires_in: ${seconds} seconds is out of range`, body, context))
      : Effect.succeed(DateTime.unsafeMake(at))
  })

/**
 * Whether an answer's absolute expiry (a device code, a CIBA request, a pushed request) has passed, by the current
 * time of `Clock`: the `isExpired` of those answers.
 * @internal
 */
export const isExpired = (self: { readonly expiresAt: DateTime.Utc }): Effect.Effect<boolean> =>
  Effect.map(DateTime.now, (now) => !DateTime.lessThan(now, self.expiresAt))

/**
 * The default polling interval of the device and CIBA grants when the server sends none (RFC 8628 3.2, CIBA 7.3).
 * @internal
 */
export const defaultInterval: Duration.Duration = Duration.seconds(5)

/**
 * The polling interval of an answer: `interval` seconds, or the 5 s default when absent or zero (a zero interval
 * would make a client poll back-to-back; RFC 8628 3.2 and CIBA 7.3 call for the default then).
 * @internal
 */
export const intervalOf = (seconds: number | undefined): Duration.Duration =>
  seconds === undefined || seconds < 1 ? defaultInterval : Duration.seconds(seconds)

/**
 * Adds the members of `source` whose value is not `undefined` to `target` (for `exactOptionalPropertyTypes`).
 * @internal
 */
export const defined = <A extends Record<string, unknown>>(source: A): { [K in keyof A]: Exclude<A[K], undefined> } => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(source)) if (v !== undefined) out[k] = v
  return out as any
}

/**
 * Parameters that belong to client authentication (added by the http layer), never accepted as extra parameters.
 * @internal
 */
export const clientAuthenticationParams: ReadonlySet<string> = new Set(["client_id", "client_secret", "client_assertion", "client_assertion_type"])

/**
 * Builds request parameters: the standard ones first, then the caller's extra ones. An extra parameter may not
 * redefine a standard one of the request, nor a client authentication parameter.
 * @internal
 */
export const buildParams = (
  standard: Readonly<Record<string, Params.Input>>,
  extra: Readonly<Record<string, Params.Input>> | undefined
): Either.Either<Params.Params, InvalidArgument> => {
  const names = extra === undefined ? [] : Object.keys(extra)
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(standard, name) || clientAuthenticationParams.has(name)) {
      return Either.left(
        invalidArgument(
          `extra.${name}`,
          clientAuthenticationParams.has(name)
            ? "client authentication parameters are added by the client authentication method"
            : "this parameter has its own option; pass it there"
        )
      )
    }
  }
  return Either.right(Params.concat(Params.make(standard), extra === undefined ? [] : Params.make(extra)))
}

/**
 * Checks resource indicators (RFC 8707 2): each must be an absolute URI without a fragment.
 * @internal
 */
export const checkResources = (
  resource: string | ReadonlyArray<string> | undefined
): Either.Either<ReadonlyArray<string> | undefined, InvalidArgument> => {
  if (resource === undefined) return Either.right(undefined)
  const all = typeof resource === "string" ? [resource] : resource
  for (const r of all) {
    if (!URL.canParse(r) || r.includes("#")) {
      return Either.left(invalidArgument("resource", "each resource must be an absolute URI without a fragment (RFC 8707 2)"))
    }
  }
  return Either.right(all)
}
