import { assert, describe, it } from "@effect/vitest"
import { OAuthError } from "@oauth2/core"
import { Bearer, ClientAuth, ClientError, TransportError } from "@oauth2/http"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"

/** What every error of every family must be: an `Error`, yieldable, readable in `Cause.pretty` and in a rejection. */
const laws = async (error: { readonly _tag: string; readonly message: string } & Error): Promise<void> => {
  const name = error._tag
  assert.instanceOf(error, Error, name)
  assert.strictEqual(error.name, name)
  assert.isString(error.message, name)
  assert.isAbove(error.message.length, 0, name)
  assert.isString(error.stack, name)
  assert.isTrue(error.stack!.startsWith(`${name}: ${error.message}`), `${name}: ${error.stack}`)
  assert.strictEqual(String(error), `${name}: ${error.message}`)

  const exit = await Effect.runPromiseExit(
    Effect.gen(function* () {
      return yield* error as unknown as Effect.Effect<never, typeof error>
    })
  )
  assert.isTrue(Exit.isFailure(exit), name)
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    assert.isTrue(failure._tag === "Some" && failure.value === error, name)
  }

  const pretty = Cause.pretty(Cause.fail(error))
  assert.isTrue(pretty.startsWith(`${name}: ${error.message}`), pretty)
  assert.notInclude(pretty, '{"_tag"')

  const rejection: unknown = await Effect.runPromise(Effect.fail(error)).then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e
  )
  assert.strictEqual((rejection as Error).message, error.message)
  assert.include(String(rejection), `${name}: ${error.message}`)
  assert.notInclude(String(rejection), '{"_tag"')
}

const secret = "SECRET-VALUE-1234"

/** No rendering of an error shows `secret`. */
const noSecret = (error: Error): void => {
  for (const shown of [
    String(error),
    error.message,
    error.stack ?? "",
    JSON.stringify(error),
    inspect(error, { depth: 8 }),
    Cause.pretty(Cause.fail(error))
  ]) {
    assert.notInclude(shown, secret)
  }
}

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
      await laws(error)
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
      await laws(error)
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
    await laws(clientAuthError)
    await laws(expired)
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
    noSecret(error)
  })
})
