/** @internal */
import { OAuthError, Registration } from "@oauth2/core"
import type { ServerMetadata } from "@oauth2/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ClientAuth from "../ClientAuth.js"
import type * as ClientRegistration from "../ClientRegistration.js"
import * as ClientError from "../ClientError.js"
import * as OAuthClient from "../OAuthClient.js"
import * as Transport from "../Transport.js"
import { responseContext } from "./transport.js"

const bearer = (token: string | Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(`Bearer ${typeof token === "string" ? token : Redacted.value(token)}`)

/** The JSON body, or `InvalidConfiguration` when a value cannot be sent as JSON (a bigint, a cycle). */
const jsonBody = (body: Record<string, unknown>) =>
  Either.match(
    Either.try(() => JSON.parse(JSON.stringify(body)) as unknown),
    {
      onLeft: () => Effect.fail(ClientError.invalidConfiguration("metadata", "the client metadata cannot be sent as JSON")),
      onRight: (json) => Effect.succeed(json)
    }
  )

const endpointOf = (options: ClientRegistration.RegisterOptions): Effect.Effect<string, ClientError.EndpointNotSupported> => {
  const url = options.registrationEndpoint ?? options.serverMetadata?.registrationEndpoint
  return url === undefined ? Effect.fail(ClientError.endpointNotSupported("registration")) : Effect.succeed(url)
}

const decodeAnswer = (response: Transport.Response) =>
  Effect.flatMap(Transport.json("registration", response), (body) => Registration.decode(body, responseContext(response)))

/** @internal */
export const register = (options: ClientRegistration.RegisterOptions) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const url = yield* endpointOf(options)
    const metadata =
      options.softwareStatement === undefined ? options.metadata : { ...options.metadata, softwareStatement: options.softwareStatement }
    const json = yield* jsonBody(Registration.encodeMetadata(metadata))
    const response = yield* transport.send({
      endpoint: "registration",
      method: "POST",
      url,
      json,
      // a registration creates a client: never sent twice
      retry: false,
      ...(options.initialAccessToken === undefined ? {} : { headers: { authorization: bearer(options.initialAccessToken) } })
    })
    return yield* decodeAnswer(response)
  })

/** The client configuration endpoint and registration access token of a registered client (RFC 7592 3). */
const managementOf = (client: ClientRegistration.Managed) =>
  client.registrationClientUri === undefined || client.registrationAccessToken === undefined
    ? Effect.fail(
        ClientError.invalidConfiguration(
          client.registrationClientUri === undefined ? "registrationClientUri" : "registrationAccessToken",
          "the client has no registration_client_uri and registration_access_token: the server does not support RFC 7592 management"
        )
      )
    : Effect.succeed({ url: client.registrationClientUri, authorization: bearer(client.registrationAccessToken) })

/** The answer is for the managed client; a token or URI the server did not send again is kept. */
const sameClient = (client: ClientRegistration.Managed, response: Transport.Response) =>
  Effect.flatMap(decodeAnswer(response), (answer) => {
    if (answer.clientId !== client.clientId) {
      return Effect.fail(
        OAuthError.unexpectedResponse(
          "registration",
          "client_id: is not the client being managed",
          { client_id: answer.clientId },
          responseContext(response)
        )
      )
    }
    const keep: Record<string, unknown> = {}
    if (answer.registrationAccessToken === undefined && client.registrationAccessToken !== undefined) {
      keep.registrationAccessToken = client.registrationAccessToken
      keep.registrationClientUri = client.registrationClientUri
    }
    const merged: Registration.RegisteredClient = { ...answer, ...keep }
    return Effect.succeed(merged)
  })

/** @internal */
export const read = (client: ClientRegistration.Managed) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const { authorization, url } = yield* managementOf(client)
    const response = yield* transport.send({ endpoint: "registration", method: "GET", url, retry: true, headers: { authorization } })
    return yield* sameClient(client, response)
  })

/** @internal */
export const update = (client: ClientRegistration.Managed, metadata: Registration.ClientMetadata) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const { authorization, url } = yield* managementOf(client)
    // RFC 7592 2.2: the whole registration, with client_id, and client_secret when the client has one
    const body: Record<string, unknown> = { ...Registration.encodeMetadata(metadata), client_id: client.clientId }
    if (client.clientSecret !== undefined) body.client_secret = Redacted.value(client.clientSecret)
    const json = yield* jsonBody(body)
    const response = yield* transport.send({ endpoint: "registration", method: "PUT", url, json, retry: true, headers: { authorization } })
    return yield* sameClient(client, response)
  })

/** @internal */
export const remove = (client: ClientRegistration.Managed) =>
  Effect.gen(function* () {
    const transport = yield* Transport.Transport
    const { authorization, url } = yield* managementOf(client)
    yield* transport.send({ endpoint: "registration", method: "DELETE", url, retry: true, headers: { authorization } })
  })

/** @internal */
export const makeClient = (registered: Registration.RegisteredClient, options: ClientRegistration.ClientOptions = {}) =>
  Effect.gen(function* () {
    const { privateJwk, ...rest } = options
    const auth = yield* Effect.mapError(ClientAuth.fromRegistration({ ...registered, ...(privateJwk === undefined ? {} : { privateJwk }) }), (e) =>
      ClientError.fromInvalidArgument("registration", e)
    )
    return yield* OAuthClient.make({ ...rest, auth })
  })

/** @internal */
export const registerClient = (options: ClientRegistration.RegisterClientOptions) =>
  Effect.gen(function* () {
    const { client: clientOptions = {}, ...registerOptions } = options
    const serverMetadata: ServerMetadata.ServerMetadata | undefined = registerOptions.serverMetadata ?? clientOptions.metadata
    const registered = yield* register({ ...registerOptions, ...(serverMetadata === undefined ? {} : { serverMetadata }) })
    const client = yield* makeClient(registered, {
      ...clientOptions,
      ...(serverMetadata === undefined || clientOptions.metadata !== undefined ? {} : { metadata: serverMetadata })
    })
    return { registered, client }
  })

/** @internal */
export const layerRegistered = (options: ClientRegistration.RegisterClientOptions) =>
  Layer.effect(
    OAuthClient.OAuthClient,
    Effect.map(registerClient(options), ({ client }) => client)
  )
