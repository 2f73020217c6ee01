/** @internal */
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { IntrospectionResponse } from "../Introspection.js"
import type { ResponseContext, UnexpectedResponse } from "../OAuthError.js"
import * as wire from "./wire.js"

const Wire = Schema.Struct({
  active: Schema.Boolean,
  scope: wire.optional(Schema.String),
  client_id: wire.optional(Schema.String),
  username: wire.optional(Schema.String),
  token_type: wire.optional(Schema.String),
  exp: wire.optional(wire.NumericDate),
  iat: wire.optional(wire.NumericDate),
  nbf: wire.optional(wire.NumericDate),
  sub: wire.optional(Schema.String),
  aud: wire.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  iss: wire.optional(Schema.String),
  jti: wire.optional(Schema.String)
})

const known: ReadonlySet<string> = new Set(Object.keys(Wire.fields))
const decodeWire = wire.decoder(Wire, "introspection")

/** @internal */
export const decode = (raw: unknown, context?: ResponseContext): Either.Either<IntrospectionResponse, UnexpectedResponse> =>
  Either.flatMap(wire.plainBody(raw, "introspection", context), (body) =>
    Either.map(decodeWire(body, context), (w) => ({
      active: w.active,
      ...wire.defined({
        scope: w.scope,
        clientId: w.client_id,
        username: w.username,
        tokenType: w.token_type,
        expiresAt: w.exp,
        issuedAt: w.iat,
        notBefore: w.nbf,
        sub: w.sub,
        aud: w.aud === undefined ? undefined : typeof w.aud === "string" ? [w.aud] : w.aud,
        iss: w.iss,
        jti: w.jti
      }),
      extra: wire.extrasOf(body, known)
    }))
  )

/** @internal */
export const encode = (self: IntrospectionResponse): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(self.extra)) {
    if (!known.has(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true })
  }
  const seconds = (d: DateTime.Utc | undefined) => (d === undefined ? undefined : DateTime.toEpochMillis(d) / 1000)
  return Object.assign(
    out,
    wire.defined({
      active: self.active,
      scope: self.scope,
      client_id: self.clientId,
      username: self.username,
      token_type: self.tokenType,
      exp: seconds(self.expiresAt),
      iat: seconds(self.issuedAt),
      nbf: seconds(self.notBefore),
      sub: self.sub,
      aud: self.aud === undefined ? undefined : self.aud.length === 1 ? self.aud[0] : self.aud,
      iss: self.iss,
      jti: self.jti
    })
  )
}

/** @internal */
export const isActiveNow = (self: IntrospectionResponse): Effect.Effect<boolean> =>
  Effect.map(
    DateTime.now,
    (now) =>
      self.active &&
      (self.expiresAt === undefined || DateTime.lessThan(now, self.expiresAt)) &&
      (self.notBefore === undefined || !DateTime.lessThan(now, self.notBefore))
  )
