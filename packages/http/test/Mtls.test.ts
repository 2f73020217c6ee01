/**
 * mTLS pieces without a server: the tls_client_auth methods, the client following mtls_endpoint_aliases only over
 * the mTLS transport, and the Mtls layer's checks of its certificate, key, PKCS#12 bundle and passphrase (made with
 * the openssl command, in a temporary directory, for this test only).
 */
import { assert, describe, it } from "@effect/vitest"
import { ServerMetadata } from "@oauth2/core"
import { ClientAuth, Fapi2, OAuthClient, Transport } from "@oauth2/http"
import * as Mtls from "@oauth2/http/Mtls"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A throw-away self-signed certificate, its key and a PKCS#12 bundle of both (passphrase "pass-123"). */
const material = (() => {
  const dir = mkdtempSync(join(tmpdir(), "oauth2-mtls-test-"))
  try {
    const run = (...args: Array<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })
    run(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      "k.pem",
      "-out",
      "c.pem",
      "-days",
      "1",
      "-subj",
      "/CN=test"
    )
    run("pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-out", "b.p12", "-passout", "pass:pass-123")
    return {
      cert: readFileSync(join(dir, "c.pem"), "utf8"),
      key: readFileSync(join(dir, "k.pem"), "utf8"),
      pfx: readFileSync(join(dir, "b.p12")).toString("base64")
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})()

const built = <A, E>(layer: Layer.Layer<A, E>) => Effect.scoped(Layer.build(layer))

const metadata = ServerMetadata.decode(
  {
    issuer: "https://as.example.com",
    authorization_endpoint: "https://as.example.com/authorize",
    token_endpoint: "https://as.example.com/token",
    revocation_endpoint: "https://as.example.com/revoke",
    userinfo_endpoint: "https://as.example.com/userinfo",
    mtls_endpoint_aliases: {
      token_endpoint: "https://mtls.as.example.com/token",
      revocation_endpoint: "https://mtls.as.example.com/revoke",
      authorization_endpoint: "https://mtls.as.example.com/authorize-must-not-be-used"
    }
  },
  { issuer: "https://as.example.com" }
)

describe("ClientAuth: tls_client_auth and self_signed_tls_client_auth", () => {
  it.effect("send client_id only, by constructor, by name and from a registration", () =>
    Effect.gen(function* () {
      for (const auth of [
        yield* ClientAuth.tlsClientAuth({ clientId: "c1" }),
        yield* ClientAuth.make({ method: "tls_client_auth", clientId: "c1" }),
        yield* ClientAuth.fromRegistration({ clientId: "c1", tokenEndpointAuthMethod: "self_signed_tls_client_auth" }),
        yield* ClientAuth.selfSignedTlsClientAuth({ clientId: "c1" })
      ]) {
        assert.strictEqual(auth._tag, "TlsClientAuth")
        const out = yield* auth.authenticate({
          url: "https://as/token",
          endpoint: "token",
          params: [["grant_type", "client_credentials"]],
          headers: {}
        })
        assert.deepStrictEqual(out.params, [
          ["grant_type", "client_credentials"],
          ["client_id", "c1"]
        ])
        assert.deepStrictEqual(out.headers, {})
      }
      assert.strictEqual((yield* ClientAuth.tlsClientAuth({ clientId: "c" })).method, "tls_client_auth")
      assert.strictEqual((yield* ClientAuth.selfSignedTlsClientAuth({ clientId: "c" })).method, "self_signed_tls_client_auth")
      const empty = yield* Effect.flip(ClientAuth.tlsClientAuth({ clientId: "" }))
      assert.strictEqual(empty._tag, "InvalidArgument")
    })
  )
})

describe("OAuthClient: mtls_endpoint_aliases", () => {
  it.effect("followed over the mTLS transport (explicit endpoints still win), ignored without it", () =>
    Effect.gen(function* () {
      const md = yield* metadata
      const auth = yield* ClientAuth.tlsClientAuth({ clientId: "c1" })
      const plain = yield* OAuthClient.make({ auth, metadata: md })
      assert.strictEqual(plain.endpoints.tokenEndpoint, "https://as.example.com/token")
      const marker = Mtls.layer({ cert: material.cert, key: Redacted.make(material.key) })
      const aliased = yield* Effect.provide(OAuthClient.make({ auth, metadata: md }), marker)
      assert.strictEqual(aliased.endpoints.tokenEndpoint, "https://mtls.as.example.com/token")
      assert.strictEqual(aliased.endpoints.revocationEndpoint, "https://mtls.as.example.com/revoke")
      assert.strictEqual(aliased.endpoints.userinfoEndpoint, "https://as.example.com/userinfo")
      assert.strictEqual(aliased.endpoints.authorizationEndpoint, "https://as.example.com/authorize")
      const explicit = yield* Effect.provide(
        OAuthClient.make({ auth, metadata: md, endpoints: { tokenEndpoint: "https://explicit.example.com/token" } }),
        marker
      )
      assert.strictEqual(explicit.endpoints.tokenEndpoint, "https://explicit.example.com/token")
    }).pipe(Effect.provide(Transport.layerFetch()))
  )

  it.effect("ignored when a Transport provided after Mtls.layer replaces the certificate's transport", () =>
    Effect.gen(function* () {
      const md = yield* metadata
      const auth = yield* ClientAuth.tlsClientAuth({ clientId: "c1" })
      const mtlsLayer = Mtls.layer({ cert: material.cert, key: Redacted.make(material.key) })
      // the marker stays in context, but the transport in use is not the one that presents the certificate
      const replaced = yield* OAuthClient.make({ auth, metadata: md }).pipe(Effect.provide(Transport.layerFetch()), Effect.provide(mtlsLayer))
      assert.strictEqual(replaced.endpoints.tokenEndpoint, "https://as.example.com/token")
      assert.strictEqual(replaced.endpoints.revocationEndpoint, "https://as.example.com/revoke")
      // a marker made by hand names no transport: not trusted either
      const bare = Layer.succeed(Mtls.MtlsTransport, { _tag: "MtlsTransport" })
      const byHand = yield* OAuthClient.make({ auth, metadata: md }).pipe(Effect.provide(Transport.layerFetch()), Effect.provide(bare))
      assert.strictEqual(byHand.endpoints.tokenEndpoint, "https://as.example.com/token")
    })
  )

  it.effect("Fapi2 does not count on a certificate when a Transport provided after Mtls.layer replaces it", () =>
    Effect.gen(function* () {
      const md = yield* metadata
      const auth = yield* ClientAuth.tlsClientAuth({ clientId: "c1" })
      const mtlsLayer = Mtls.layer({ cert: material.cert, key: Redacted.make(material.key) })
      const fieldOf = (e: unknown) => (e as { readonly field?: string }).field
      // over the certificate's transport the options pass (the metadata, without PAR, is what fails)
      const over = yield* Effect.flip(Fapi2.make({ metadata: md, auth }).pipe(Effect.provide(mtlsLayer)))
      assert.strictEqual(fieldOf(over), "fapi2.par")
      // another transport: tls_client_auth has no certificate to present
      const replaced = yield* Effect.flip(Fapi2.make({ metadata: md, auth }).pipe(Effect.provide(Transport.layerFetch()), Effect.provide(mtlsLayer)))
      assert.strictEqual(fieldOf(replaced), "fapi2.clientAuthentication")
    })
  )
})

describe("Mtls.layer", () => {
  it.effect("PEM certificate and key, or a PKCS#12 bundle with its passphrase", () =>
    Effect.gen(function* () {
      yield* built(Mtls.layer({ cert: material.cert, key: Redacted.make(material.key) }))
      yield* built(Mtls.layer({ pfx: Redacted.make(material.pfx), passphrase: Redacted.make("pass-123") }))
      yield* built(Mtls.layer({ pfx: Buffer.from(material.pfx, "base64"), passphrase: "pass-123" }))
    })
  )

  it.effect("a missing, mixed or unusable certificate is InvalidConfiguration that shows no secret", () =>
    Effect.gen(function* () {
      const noKey = yield* Effect.flip(built(Mtls.layer({ cert: material.cert })))
      assert.strictEqual(noKey._tag, "InvalidConfiguration")
      const both = yield* Effect.flip(built(Mtls.layer({ cert: material.cert, key: material.key, pfx: material.pfx })))
      assert.strictEqual(both._tag, "InvalidConfiguration")
      const wrong = yield* Effect.flip(built(Mtls.layer({ pfx: Redacted.make(material.pfx), passphrase: Redacted.make("not-the-pass-999") })))
      assert.strictEqual(wrong._tag, "InvalidConfiguration")
      assert.notInclude(String(wrong), "not-the-pass-999")
      const garbage = yield* Effect.flip(
        built(Mtls.layer({ cert: material.cert, key: Redacted.make("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----") }))
      )
      assert.strictEqual(garbage._tag, "InvalidConfiguration")
      assert.notInclude(String(garbage), "AAAA")
    })
  )

  it.effect("layerConfig reads the certificate and its secrets (Config.redacted)", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromMap(
        new Map([
          ["OAUTH2_MTLS_CERT", material.cert],
          ["OAUTH2_MTLS_KEY", material.key],
          ["OAUTH2_TIMEOUT", "5 seconds"]
        ])
      )
      const options = yield* Effect.withConfigProvider(Mtls.config, provider)
      assert.isTrue(Redacted.isRedacted(options.key))
      assert.notInclude(JSON.stringify(options), "PRIVATE KEY")
      yield* built(Mtls.layerConfig()).pipe(Effect.withConfigProvider(provider))
      const missing = yield* Effect.flip(built(Mtls.layerConfig()).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))
      assert.strictEqual(missing._tag, "InvalidConfiguration")
    })
  )
})
