import { ErrorLaws } from "@oauth2/testing"
import { assert, describe, it } from "@effect/vitest"
import { OAuthError } from "@oauth2/core"
import { Bearer, ClientAuth, ClientError, TransportError } from "@oauth2/http"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"

const secret = "SECRET-VALUE-1234"

const socketError = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
const fetchError = new TypeError("fetch failed", { cause: socketError })

const transportErrors: ReadonlyArray<TransportError.TransportError> = [
  TransportError.requestFailed("token", "https://as.example.com/token", "Transport", "TypeError: fetch failed (ECONNREFUSED)", fetchError),
  TransportError.timeout("token", "https://as.example.com/token", 5000),
  TransportError.responseTooLarge("jwks", "https://as.example.com/jwks", 200, 1024),
  TransportError.unexpectedRedirect("token", "https://as.example.com/token", 302, "https://elsewhere.example.com/")
]
const invalidArgument = OAuthError.invalidArgument("issuer", "must be an https URL")
const clientErrors: ReadonlyArray<ClientError.ClientError> = [
  ClientError.fromInvalidArgument("issuer", invalidArgument),
  ClientError.invalidConfiguration("timeout", "must be positive"),
  ClientError.endpointNotSupported("revocation")
]
const clientAuthError = ClientAuth.clientAuthError({ method: "private_key_jwt", endpoint: "token", reason: "SigningFailed", message: "no key" })
const expired = Bearer.expiredAccessToken("GET https://api.example.com/me")

describe("http errors are Effect errors", () => {
  it("TransportError: every variant", async () => {
    assert.deepStrictEqual(
      transportErrors.map((e) => e._tag),
      ["RequestFailed", "Timeout", "ResponseTooLarge", "UnexpectedRedirect"]
    )
    for (const error of transportErrors) {
      await ErrorLaws.check(error)
      assert.isTrue(TransportError.isTransportError(error), error._tag)
      assert.isFalse(ClientError.isClientError(error))
      assert.strictEqual(error[TransportError.TypeId], TransportError.TypeId)
    }
    assert.containSubset(transportErrors[2], { _tag: "ResponseTooLarge", endpoint: "jwks", status: 200, limitBytes: 1024 })
    assert.containSubset(transportErrors[3], { _tag: "UnexpectedRedirect", status: 302, location: "https://elsewhere.example.com/" })
  })

  it("RequestFailed keeps the fetch error as cause, its socket code in the message and in Cause.pretty", () => {
    const error = transportErrors[0] as TransportError.RequestFailed
    assert.strictEqual(error.cause, fetchError)
    assert.include(error.message, "ECONNREFUSED")
    assert.include(Cause.pretty(Cause.fail(error)), "ECONNREFUSED")
    assert.isUndefined(TransportError.requestFailed("token", "https://as.example.com/token", "InvalidUrl", "not a URL").cause)
  })

  it("ClientError: InvalidConfiguration (with its InvalidArgument as cause) and EndpointNotSupported", async () => {
    for (const error of clientErrors) {
      await ErrorLaws.check(error)
      assert.isTrue(ClientError.isClientError(error), error._tag)
      assert.isFalse(TransportError.isTransportError(error))
    }
    const [fromArgument, plain, missing] = clientErrors
    assert.strictEqual(fromArgument!.cause, invalidArgument)
    assert.containSubset(fromArgument, {
      _tag: "InvalidConfiguration",
      field: "issuer",
      message: "invalid configuration of 'issuer': invalid argument 'issuer': must be an https URL"
    })
    assert.isUndefined(plain!.cause)
    assert.containSubset(missing, { _tag: "EndpointNotSupported", endpoint: "revocation" })
  })

  it("ClientAuthError and ExpiredAccessToken", async () => {
    await ErrorLaws.check(clientAuthError)
    await ErrorLaws.check(expired)
    assert.isTrue(ClientAuth.isClientAuthError(clientAuthError))
    assert.isTrue(Bearer.isExpiredAccessToken(expired))
    assert.isFalse(ClientAuth.isClientAuthError(expired))
    assert.isFalse(Bearer.isExpiredAccessToken(clientAuthError))
    assert.containSubset(clientAuthError, { _tag: "ClientAuthError", method: "private_key_jwt", endpoint: "token", reason: "SigningFailed" })
    assert.containSubset(expired, { _tag: "ExpiredAccessToken", request: "GET https://api.example.com/me" })
  })

  it("guards refuse look-alike plain objects", () => {
    assert.isFalse(TransportError.isTransportError({ _tag: "Timeout", endpoint: "token", url: "u", timeoutMillis: 1, message: "m" }))
    assert.isFalse(ClientError.isClientError({ _tag: "EndpointNotSupported", endpoint: "token", message: "m" }))
    assert.isFalse(ClientAuth.isClientAuthError({ _tag: "ClientAuthError", method: "none", endpoint: "token", reason: "Custom", message: "m" }))
    assert.isFalse(Bearer.isExpiredAccessToken({ _tag: "ExpiredAccessToken", request: "r", message: "m" }))
  })

  it("catchTag narrows the transport's union as before", async () => {
    const failing = (
      error: TransportError.TransportError | ClientError.ClientError
    ): Effect.Effect<never, TransportError.TransportError | ClientError.ClientError> =>
      Effect.gen(function* () {
        return yield* error
      })
    const program = (error: TransportError.TransportError | ClientError.ClientError) =>
      failing(error).pipe(
        Effect.catchTags({
          Timeout: (e) => Effect.succeed(`timeout after ${e.timeoutMillis}`),
          EndpointNotSupported: (e) => Effect.succeed(`no ${e.endpoint}`)
        })
      )
    const _narrowed: Effect.Effect<
      string,
      TransportError.RequestFailed | TransportError.ResponseTooLarge | TransportError.UnexpectedRedirect | ClientError.InvalidConfiguration
    > = program(transportErrors[1]!)
    assert.strictEqual(await Effect.runPromise(program(transportErrors[1]!)), "timeout after 5000")
    assert.strictEqual(await Effect.runPromise(program(clientErrors[2]!)), "no revocation")
    const exit = await Effect.runPromiseExit(program(transportErrors[0]!))
    assert.isTrue(Exit.isFailure(exit))
  })

  it("a secret in a cause is rendered redacted", () => {
    const error = TransportError.requestFailed("token", "https://as.example.com/token", "Transport", "failed", { secret: Redacted.make(secret) })
    ErrorLaws.rendersWithout(error, secret)
  })
})
