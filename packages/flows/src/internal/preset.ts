/** @internal */
import { OAuthClient } from "@oauth2/http"
import type { ClientError } from "@oauth2/http"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * The options of a vendor's client: the client's own (no metadata document: the preset gives the endpoints), and the
 * one setting `K` that names the vendor's server (an Auth0 tenant, a PingFederate base URL).
 * @internal
 */
export type Options<K extends string> = Omit<OAuthClient.Options, "metadata"> & { readonly [P in K]: string }

/**
 * A vendor preset: the setting naming the server, how it gives the endpoints, the span of `make`, and the
 * environment variables of `config`.
 * @internal
 */
export interface Preset<K extends string> {
  readonly setting: K
  readonly endpoints: (server: string) => Either.Either<OAuthClient.Endpoints, ClientError.InvalidConfiguration>
  readonly span: string
  readonly variables: { readonly server: string; readonly clientId: string; readonly clientSecret: string }
}

/**
 * The client service constructors of a vendor, the same for every vendor: `make` (the preset's endpoints, explicit
 * ones winning, then `OAuthClient.make`), `layer`, `config` and `layerConfig`.
 * @internal
 */
export const make = <K extends string>(preset: Preset<K>) => {
  const makeClient = (options: Options<K>) =>
    Effect.gen(function* () {
      const { [preset.setting]: server, ...rest } = options
      const client = rest as Omit<OAuthClient.Options, "metadata">
      const endpoints = yield* preset.endpoints(server)
      // an endpoint given explicitly wins over the preset's
      return yield* OAuthClient.make({ ...client, endpoints: { ...endpoints, ...client.endpoints } })
    }).pipe(Effect.withSpan(preset.span))
  const layer = (options: Options<K>) => Layer.effect(OAuthClient.OAuthClient, makeClient(options))
  const config = Config.all({
    server: Config.string(preset.variables.server),
    clientId: Config.string(preset.variables.clientId),
    clientSecret: Config.option(Config.redacted(preset.variables.clientSecret))
  }).pipe(
    Config.map(
      (c) =>
        ({
          [preset.setting]: c.server,
          clientId: c.clientId,
          ...(Option.isSome(c.clientSecret) ? { clientSecret: c.clientSecret.value } : {})
        }) as Options<K>
    )
  )
  const layerConfig = (config: Config.Config<Options<K>>) => Layer.unwrapEffect(Effect.map(config, layer))
  return { make: makeClient, layer, config, layerConfig }
}
