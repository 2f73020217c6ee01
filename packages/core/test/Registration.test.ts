import { assert, describe, it } from "@effect/vitest"
import { OAuthError, Registration } from "@oauth2/core"
import { DateTime, Either, Redacted } from "effect"
import * as fc from "fast-check"

const answer = {
  client_id: "s6BhdRkqt3",
  client_secret: "cf136dc3c1fc93f31185e5885805d",
  client_id_issued_at: 2893256800,
  client_secret_expires_at: 2893276800,
  registration_access_token: "this.is.an.access.token.value.ffx83",
  registration_client_uri: "https://server.example.com/connect/register?client_id=s6BhdRkqt3",
  redirect_uris: ["https://client.example.org/callback", "https://client.example.org/callback2"],
  grant_types: ["authorization_code", "refresh_token"],
  token_endpoint_auth_method: "client_secret_basic",
  client_name: "My Example Client",
  logo_uri: "https://client.example.org/logo.png",
  jwks_uri: "https://client.example.org/my_public_keys.jwks",
  example_extension_parameter: "example_value"
}

describe("Registration", () => {
  it("decodes an RFC 7591 answer: camelCase, secrets Redacted, times as instants, extra kept", () => {
    const registered = Either.getOrThrow(Registration.decode(answer))
    assert.strictEqual(registered.clientId, "s6BhdRkqt3")
    assert.isTrue(Redacted.isRedacted(registered.clientSecret))
    assert.strictEqual(Redacted.value(registered.clientSecret!), answer.client_secret)
    assert.isTrue(Redacted.isRedacted(registered.registrationAccessToken))
    assert.strictEqual(registered.registrationClientUri, answer.registration_client_uri)
    assert.strictEqual(DateTime.toEpochMillis(registered.clientIdIssuedAt!), 2893256800_000)
    assert.strictEqual(DateTime.toEpochMillis(registered.clientSecretExpiresAt!), 2893276800_000)
    assert.deepStrictEqual(registered.redirectUris, answer.redirect_uris)
    assert.strictEqual(registered.clientName, "My Example Client")
    assert.deepStrictEqual(registered.extra, { example_extension_parameter: "example_value" })
    // never shown by inspection
    assert.notInclude(JSON.stringify(registered), answer.client_secret)
    assert.notInclude(JSON.stringify(registered), answer.registration_access_token)
  })

  it("client_secret_expires_at 0 means no expiry; no method means client_secret_basic (RFC 7591 2)", () => {
    const registered = Either.getOrThrow(Registration.decode({ client_id: "c", client_secret: "s", client_secret_expires_at: 0 }))
    assert.isUndefined(registered.clientSecretExpiresAt)
    assert.strictEqual(registered.tokenEndpointAuthMethod, "client_secret_basic")
  })

  it("refuses a registration access token without a client configuration endpoint", () => {
    const result = Registration.decode({ client_id: "c", registration_access_token: "the-token-value" })
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left._tag, "UnexpectedResponse")
      assert.strictEqual(result.left.endpoint, "registration")
      assert.include(result.left.reason, "registration_client_uri")
      assert.notInclude(result.left.message + result.left.excerpt, "the-token-value")
    }
    // the endpoint alone: a management answer that leaves the token unchanged
    assert.isTrue(Either.isRight(Registration.decode({ client_id: "c", registration_client_uri: "https://as.example.com/reg/c" })))
  })

  it("pinned bad answers: each an UnexpectedResponse naming the member, never echoing a secret", () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{}, "client_id"],
      [{ client_id: "" }, "client_id"],
      [{ client_id: 42 }, "client_id"],
      [{ client_id: "c", client_secret: 1234567 }, "client_secret"],
      [{ client_id: "c", client_id_issued_at: -1 }, "client_id_issued_at"],
      [{ client_id: "c", client_secret_expires_at: "soon" }, "client_secret_expires_at"],
      [{ client_id: "c", redirect_uris: "https://a.example/cb" }, "redirect_uris"],
      [{ client_id: "c", jwks_uri: "javascript:alert(1)" }, "jwks_uri"],
      [{ client_id: "c", registration_client_uri: "/relative", registration_access_token: "t" }, "registration_client_uri"],
      [[], "JSON object"],
      ["<html>", "JSON object"]
    ]
    for (const [body, member] of cases) {
      const result = Registration.decode(body)
      assert.isTrue(Either.isLeft(result), JSON.stringify(body))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnexpectedResponse")
        assert.include(result.left.reason, member)
      }
    }
    const secret = Registration.decode({ client_id: "c", client_secret: ["super-secret-value"] })
    assert.isTrue(Either.isLeft(secret) && !secret.left.message.includes("super-secret-value") && !secret.left.excerpt.includes("super-secret-value"))
  })

  it.prop("never throws: a value or a typed failure", [fc.jsonValue()], ([body]) => {
    const result = Registration.decode(body)
    assert.isTrue(Either.isRight(result) || result.left._tag === "UnexpectedResponse")
  })

  it.prop(
    "any client_id with standard members decodes, and the metadata round-trips through encodeMetadata",
    [
      fc.record({
        client_id: fc.string({ minLength: 1 }),
        client_name: fc.string(),
        redirect_uris: fc.array(fc.webUrl({ withFragments: false })),
        grant_types: fc.array(fc.string()),
        scope: fc.string()
      })
    ],
    ([body]) => {
      const registered = Either.getOrThrow(Registration.decode(body))
      const { client_id: _, ...metadata } = body
      assert.deepStrictEqual(Registration.encodeMetadata(Registration.metadataOf(registered)), {
        token_endpoint_auth_method: "client_secret_basic",
        ...metadata
      })
    }
  )

  it("encodes request metadata in RFC 7591 names; extra never overrides a standard or server-only member", () => {
    const body = Registration.encodeMetadata({
      redirectUris: ["https://app.example.com/cb"],
      tokenEndpointAuthMethod: "private_key_jwt",
      jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y" }] },
      softwareStatement: "eyJ.statement.sig",
      postLogoutRedirectUris: ["https://app.example.com/bye"],
      extra: { client_id: "forged", token_endpoint_auth_method: "none", client_secret: "x", custom_member: 1 }
    })
    assert.deepStrictEqual(body, {
      custom_member: 1,
      redirect_uris: ["https://app.example.com/cb"],
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y" }] },
      software_statement: "eyJ.statement.sig",
      post_logout_redirect_uris: ["https://app.example.com/bye"]
    })
  })

  it("encodes a caller's non-object as nothing, without throwing", () => {
    for (const bad of [undefined, null, 42, "x", { extra: 5 }]) {
      assert.deepStrictEqual(Registration.encodeMetadata(bad as never), {})
    }
  })

  it("maps the registration endpoint's error codes to their own tags", () => {
    const codes = {
      invalid_redirect_uri: "InvalidRedirectUri",
      invalid_client_metadata: "InvalidClientMetadata",
      invalid_software_statement: "InvalidSoftwareStatement",
      unapproved_software_statement: "UnapprovedSoftwareStatement",
      invalid_token: "InvalidToken"
    } as const
    for (const [code, tag] of Object.entries(codes)) {
      const error = OAuthError.fromBody("registration", { error: code, error_description: "no" }, { status: 400 })
      assert.strictEqual(error?._tag, tag)
      assert.strictEqual(error?.endpoint, "registration")
    }
    // not a registration code at the token endpoint
    assert.strictEqual(OAuthError.fromBody("token", { error: "invalid_client_metadata" })?._tag, "UnknownError")
  })
})
