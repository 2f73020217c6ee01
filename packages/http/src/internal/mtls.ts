/** @internal */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { createSecureContext } from "node:tls"
import { Agent, fetch as undiciFetch } from "undici"
import * as ClientError from "../ClientError.js"
import type * as Mtls from "../Mtls.js"
import type * as Transport from "../Transport.js"
import * as marker from "./mtlsMarker.js"
import * as nodeTransport from "./nodeTransport.js"
import * as transport from "./transport.js"

type Pem = string | Redacted.Redacted<string>

const reveal = (value: Pem | undefined): string | undefined =>
  value === undefined ? undefined : Redacted.isRedacted(value) ? Redacted.value(value) : value

const revealBytes = (value: Mtls.Options["pfx"]): Buffer | undefined => {
  if (value === undefined) return undefined
  const raw: unknown = Redacted.isRedacted(value) ? Redacted.value(value as Redacted.Redacted<unknown>) : value
  if (typeof raw === "string") return Buffer.from(raw, "base64")
  return raw instanceof Uint8Array ? Buffer.from(raw) : undefined
}

const invalid = (field: string, message: string) => Effect.fail(ClientError.invalidConfiguration(field, message))

/** The TLS options of the agent, checked: a certificate with its key, or a PKCS#12 bundle; secrets unwrapped here only. */
const connectOptions = (options: Mtls.Options) =>
  Effect.gen(function* () {
    const cert = options.cert
    const key = reveal(options.key)
    const pfx = revealBytes(options.pfx)
    const passphrase = reveal(options.passphrase)
    const ca = options.ca === undefined ? undefined : typeof options.ca === "string" ? [options.ca] : [...options.ca]
    if (options.pfx !== undefined && pfx === undefined) return yield* invalid("mtls.pfx", "must be bytes or a base64 string")
    if (pfx !== undefined && (cert !== undefined || key !== undefined)) {
      return yield* invalid("mtls", "give a certificate and key (PEM) or a PKCS#12 bundle (pfx), not both")
    }
    if (pfx === undefined && (cert === undefined || key === undefined)) {
      return yield* invalid("mtls", "a client certificate needs 'cert' and 'key' (PEM), or 'pfx'")
    }
    const tls = {
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(pfx === undefined ? {} : { pfx }),
      ...(passphrase === undefined ? {} : { passphrase }),
      ...(ca === undefined ? {} : { ca })
    }
    // the key, the passphrase and the certificate are checked now, not at the first connection
    yield* Effect.try({
      try: () => createSecureContext(tls),
      catch: (error) =>
        ClientError.invalidConfiguration(
          "mtls",
          `the client certificate cannot be used: ${error instanceof Error ? error.message.replace(/\s+/g, " ").slice(0, 200) : "unreadable"}`
        )
    })
    return tls
  })

/** @internal */
export const make = (options: Mtls.Options): Effect.Effect<Mtls.Mtls, ClientError.InvalidConfiguration, Scope.Scope> =>
  Effect.gen(function* () {
    const tls = yield* connectOptions(options)
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent({ connect: tls })),
      (agent) => Effect.promise(() => agent.close().catch(() => undefined))
    )
    const fetch = ((input: string, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher: agent } as never)) as unknown as typeof globalThis.fetch
    const { cert: _cert, key: _key, pfx: _pfx, passphrase: _passphrase, ca: _ca, ...transportOptions } = options
    const service: Mtls.Mtls = {
      fetch,
      // the Authorization Server calls go over undici's request through the same agent (NodeTransport: a quarter of
      // fetch's CPU per call); resource calls go through the platform HttpClient over the agent's fetch
      transport: nodeTransport.make({ ...transportOptions, dispatcher: agent })
    }
    return service
  })

/** @internal */
export const layer = (
  options: Mtls.Options
): Layer.Layer<Transport.Transport | HttpClient.HttpClient | marker.MtlsMarker, ClientError.InvalidConfiguration> =>
  Layer.unwrapScoped(
    Effect.map(make(options), (mtls) =>
      Layer.mergeAll(
        Layer.succeed(transport.tag, mtls.transport),
        Layer.succeed(marker.tag, marker.marker(mtls.transport)),
        FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, mtls.fetch)))
      )
    )
  )

/** @internal */
export const config: Config.Config<Mtls.Options> = Config.all({
  cert: Config.option(Config.string("OAUTH2_MTLS_CERT")),
  key: Config.option(Config.redacted("OAUTH2_MTLS_KEY")),
  pfx: Config.option(Config.redacted("OAUTH2_MTLS_PFX")),
  passphrase: Config.option(Config.redacted("OAUTH2_MTLS_PASSPHRASE")),
  ca: Config.option(Config.string("OAUTH2_MTLS_CA")),
  transport: transport.config
}).pipe(
  Config.map((c): Mtls.Options => ({
    ...c.transport,
    ...(Option.isSome(c.cert) ? { cert: c.cert.value } : {}),
    ...(Option.isSome(c.key) ? { key: c.key.value } : {}),
    ...(Option.isSome(c.pfx) ? { pfx: c.pfx.value } : {}),
    ...(Option.isSome(c.passphrase) ? { passphrase: c.passphrase.value } : {}),
    ...(Option.isSome(c.ca) ? { ca: c.ca.value } : {})
  }))
)

/** @internal */
export const layerConfig = (config: Config.Config<Mtls.Options>) => Layer.unwrapEffect(Effect.map(config, layer))
