import { ErrorLaws } from "@oauth2/testing"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { AuthorizationResponse, IdToken, Jwt, OAuthError, ServerMetadata, UserInfo } from "@oauth2/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

const secret = "SECRET-VALUE-1234"

const left = <E>(either: Either.Either<unknown, E>): E => {
  if (Either.isRight(either)) return assert.fail("expected a failure")
  return either.left
}

const answers: ReadonlyArray<OAuthError.OAuthError> = [
  ...OAuthError.standardCodes.map((code) => {
    const endpoint = (Object.keys(OAuthError.endpointCodes) as Array<OAuthError.Endpoint>).find((e) =>
      (OAuthError.endpointCodes[e] as ReadonlyArray<string>).includes(code)
    )!
    return OAuthError.make(endpoint, { error: code, description: "why", status: 400 }) as OAuthError.OAuthError
  }),
  OAuthError.make("token", { error: "vendor_specific" })
]

const callbackErrors: ReadonlyArray<AuthorizationResponse.CallbackError> = [
  AuthorizationResponse.invalidCallback("bad percent-encoding"),
  AuthorizationResponse.repeatedParameter("state"),
  AuthorizationResponse.missingIssuer("https://as.example.com"),
  AuthorizationResponse.mismatchingIssuer("https://as.example.com", "https://evil.example.com"),
  AuthorizationResponse.missingState(),
  AuthorizationResponse.mismatchingState(),
  AuthorizationResponse.missingAuthorizationCode()
]

const metadataMismatch = left(ServerMetadata.decode({ issuer: "https://evil.example.com" }, { issuer: "https://as.example.com" }))
const subjectMismatch = left(UserInfo.checkSubject(Either.getOrThrow(UserInfo.decode({ sub: "mallory" })), "alice"))

describe("errors are Effect errors", () => {
  it("every standard code has its own tag, and the laws hold for each answer", async () => {
    assert.strictEqual(new Set(answers.map((e) => e._tag)).size, OAuthError.standardCodes.length + 1)
    for (const error of answers) {
      await ErrorLaws.check(error)
      assert.isTrue(OAuthError.isOAuthError(error), error._tag)
      assert.isFalse(OAuthError.isUnexpectedResponse(error))
      assert.isFalse(OAuthError.isInvalidArgument(error))
      assert.strictEqual(error[OAuthError.TypeId], OAuthError.TypeId)
    }
  })

  it("UnexpectedResponse and InvalidArgument", async () => {
    const unexpected = OAuthError.unexpectedResponse("token", "expected a JSON object", "<html>", { status: 502, contentType: "text/html" })
    const invalid = OAuthError.invalidArgument("max_age", "must be a non-negative integer")
    await ErrorLaws.check(unexpected)
    await ErrorLaws.check(invalid)
    assert.isTrue(OAuthError.isUnexpectedResponse(unexpected))
    assert.isTrue(OAuthError.isInvalidArgument(invalid))
    assert.isFalse(OAuthError.isOAuthError(unexpected))
    assert.isFalse(OAuthError.isOAuthError(invalid))
    assert.isFalse(OAuthError.isUnexpectedResponse(invalid))
    assert.containSubset(unexpected, { _tag: "UnexpectedResponse", endpoint: "token", status: 502, contentType: "text/html", excerpt: "<html>" })
    assert.containSubset(invalid, {
      _tag: "InvalidArgument",
      argument: "max_age",
      message: "invalid argument 'max_age': must be a non-negative integer"
    })
  })

  it("the callback errors", async () => {
    assert.deepStrictEqual(
      callbackErrors.map((e) => e._tag),
      ["InvalidCallback", "RepeatedParameter", "MissingIssuer", "MismatchingIssuer", "MissingState", "MismatchingState", "MissingAuthorizationCode"]
    )
    for (const error of callbackErrors) {
      await ErrorLaws.check(error)
      assert.isTrue(AuthorizationResponse.isCallbackError(error), error._tag)
      assert.isFalse(OAuthError.isOAuthError(error))
    }
  })

  it("InvalidIdToken, InvalidJwt, ServerMetadata's MismatchingIssuer, UserInfo's MismatchingSubject", async () => {
    const idToken = IdToken.invalidIdToken("AudienceMismatch", "aud does not contain the client id", "aud")
    const jwt = Jwt.invalidJwt("userinfo", "InvalidSignature", "the signature does not verify")
    for (const error of [idToken, jwt, metadataMismatch, subjectMismatch]) await ErrorLaws.check(error)
    assert.isTrue(IdToken.isInvalidIdToken(idToken))
    assert.isTrue(Jwt.isInvalidJwt(jwt))
    assert.isTrue(ServerMetadata.isMismatchingIssuer(metadataMismatch))
    assert.isTrue(UserInfo.isMismatchingSubject(subjectMismatch))
    assert.isFalse(IdToken.isInvalidIdToken(jwt))
    assert.isFalse(Jwt.isInvalidJwt(idToken))
    assert.isFalse(AuthorizationResponse.isCallbackError(metadataMismatch))
    assert.isFalse(ServerMetadata.isMismatchingIssuer(callbackErrors[3]))
    assert.containSubset(idToken, { _tag: "InvalidIdToken", reason: "AudienceMismatch", claim: "aud" })
    assert.containSubset(jwt, { _tag: "InvalidJwt", endpoint: "userinfo", reason: "InvalidSignature" })
    assert.containSubset(metadataMismatch, { _tag: "MismatchingIssuer", endpoint: "discovery", expected: "https://as.example.com" })
    assert.containSubset(subjectMismatch, { _tag: "MismatchingSubject", expected: "alice", received: "mallory" })
    // without an expected issuer: a fresh error each time (not one shared value made at load)
    const a = left(ServerMetadata.decode({ issuer: "x" }, {} as ServerMetadata.ValidateOptions))
    const b = left(ServerMetadata.decode({ issuer: "x" }, {} as ServerMetadata.ValidateOptions))
    assert.notStrictEqual(a, b)
    await ErrorLaws.check(a)
  })

  it("guards refuse look-alike plain objects", () => {
    const lookalike = { _tag: "InvalidGrant", error: "invalid_grant", endpoint: "token", message: "m", reason: "x" }
    assert.isFalse(OAuthError.isOAuthError(lookalike))
    assert.isFalse(OAuthError.isUnexpectedResponse({ ...lookalike, _tag: "UnexpectedResponse" }))
    assert.isFalse(AuthorizationResponse.isCallbackError({ _tag: "MissingState", message: "m" }))
    assert.isFalse(IdToken.isInvalidIdToken({ _tag: "InvalidIdToken", reason: "x" }))
    assert.isFalse(Jwt.isInvalidJwt({ _tag: "InvalidJwt", reason: "x" }))
    for (const guard of [OAuthError.isOAuthError, AuthorizationResponse.isCallbackError, IdToken.isInvalidIdToken, Jwt.isInvalidJwt]) {
      assert.isFalse(guard(null))
      assert.isFalse(guard("InvalidGrant"))
    }
  })

  it("errors keep their fields, compare by them, and catchTag narrows as before", async () => {
    const error = OAuthError.make("token", { error: "invalid_grant", description: "code expired", status: 400 })
    assert.containSubset(error, { _tag: "InvalidGrant", error: "invalid_grant", description: "code expired", status: 400, endpoint: "token" })
    assert.strictEqual(error.message, "token endpoint answered 'invalid_grant' (HTTP 400): code expired")
    const program = Effect.gen(function* () {
      return yield* OAuthError.make("token", { error: "invalid_grant" })
    }).pipe(Effect.catchTag("InvalidGrant", (e) => Effect.succeed(e.error)))
    expectTypeOf(program).toEqualTypeOf<Effect.Effect<string, Exclude<OAuthError.ErrorOf<"token">, OAuthError.OAuthErrorOf<"invalid_grant">>>>()
    assert.strictEqual(await Effect.runPromise(program as Effect.Effect<string, unknown>), "invalid_grant")
  })

  it("no rendering shows a secret of the body excerpt", () => {
    const bodies = [
      { error: "weird", access_token: secret, refresh_token: secret },
      JSON.stringify({ id_token: secret, client_secret: secret }),
      `access_token=${secret}&x=1`
    ]
    for (const body of bodies) {
      const error = OAuthError.unexpectedResponse("token", "not a token answer", body, { status: 200 })
      ErrorLaws.rendersWithout(error, secret)
      assert.include(error.excerpt, "<redacted>")
    }
  })
})
