/** @internal */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as AuthorizationResponse from "../AuthorizationResponse.js"
import type * as EndSession from "../EndSession.js"
import * as OAuthError from "../OAuthError.js"
import { isRecord } from "./errors.js"
import { randomToken } from "./random.js"

/** The parameters of OpenID Connect RP-Initiated Logout 1.0, section 2, in the order they are written. */
const parameterNames = ["id_token_hint", "logout_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"] as const

const invalid = (argument: string, message: string) => Either.left(OAuthError.invalidArgument(argument, message))

const absoluteUrl = (argument: string, value: unknown): Either.Either<URL, OAuthError.InvalidArgument> => {
  if (typeof value !== "string" || value.length === 0) return invalid(argument, "expected an absolute URL")
  if (value.length > 8192) return invalid(argument, "longer than 8192 characters")
  const url = URL.canParse(value) ? new URL(value) : undefined
  if (url === undefined) return invalid(argument, "expected an absolute URL")
  if (url.hash !== "" || value.includes("#")) return invalid(argument, "must not have a fragment")
  return Either.right(url)
}

const nonEmpty = (argument: string, value: unknown): Either.Either<string | undefined, OAuthError.InvalidArgument> =>
  value === undefined
    ? Either.right(undefined)
    : typeof value === "string" && value.length > 0
      ? Either.right(value)
      : invalid(argument, "expected a non-empty string")

const idTokenHintOf = (value: EndSession.Options["idTokenHint"]): Either.Either<string | undefined, OAuthError.InvalidArgument> => {
  if (value === undefined) return Either.right(undefined)
  const raw = typeof value === "string" ? value : Redacted.isRedacted(value) ? Redacted.value(value) : isRecord(value) ? value.value : undefined
  const encoded = Redacted.isRedacted(raw) ? Redacted.value(raw) : raw
  return typeof encoded === "string" && encoded.length > 0 ? Either.right(encoded) : invalid("idTokenHint", "expected an encoded ID token")
}

/** Checks the options and writes the URL; `state` is the one to send (already generated when it had to be). */
const build = (options: EndSession.Options, state: string | undefined): Either.Either<EndSession.EndSessionRequest, OAuthError.InvalidArgument> =>
  Either.gen(function* () {
    if (!isRecord(options)) return yield* invalid("options", "expected an object")
    const endpoint = yield* absoluteUrl("endSessionEndpoint", options.endSessionEndpoint)
    if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") {
      return yield* invalid("endSessionEndpoint", "must be an http(s) URL")
    }
    for (const name of parameterNames) {
      if (endpoint.searchParams.has(name)) return yield* invalid("endSessionEndpoint", `its query already has '${name}'`)
    }
    const idTokenHint = yield* idTokenHintOf(options.idTokenHint)
    const logoutHint = yield* nonEmpty("logoutHint", options.logoutHint)
    const clientId = yield* nonEmpty("clientId", options.clientId)
    const redirect =
      options.postLogoutRedirectUri === undefined ? undefined : yield* absoluteUrl("postLogoutRedirectUri", options.postLogoutRedirectUri)
    if (redirect !== undefined && idTokenHint === undefined && clientId === undefined) {
      // section 3: without either, the OP cannot know which client's registered URIs to compare with
      return yield* invalid("postLogoutRedirectUri", "needs idTokenHint or clientId, so that the server can check it is registered")
    }
    if (state !== undefined && redirect === undefined) {
      return yield* invalid("state", "is only returned to a postLogoutRedirectUri: give one, or no state")
    }
    const locales = options.uiLocales
    const uiLocales =
      locales === undefined
        ? undefined
        : typeof locales === "string"
          ? yield* nonEmpty("uiLocales", locales)
          : Array.isArray(locales) && locales.every((l) => typeof l === "string" && l.length > 0 && !l.includes(" "))
            ? locales.join(" ")
            : yield* invalid("uiLocales", "expected BCP47 language tags")
    const values: Record<(typeof parameterNames)[number], string | undefined> = {
      id_token_hint: idTokenHint,
      logout_hint: logoutHint,
      client_id: clientId,
      post_logout_redirect_uri: options.postLogoutRedirectUri,
      state,
      ui_locales: uiLocales === "" ? undefined : uiLocales
    }
    for (const name of parameterNames) {
      const value = values[name]
      if (value !== undefined) endpoint.searchParams.append(name, value)
    }
    const request: { -readonly [K in keyof EndSession.EndSessionRequest]: EndSession.EndSessionRequest[K] } = { url: endpoint.href }
    if (state !== undefined) request.state = state
    if (options.postLogoutRedirectUri !== undefined) request.postLogoutRedirectUri = options.postLogoutRedirectUri
    return request
  })

/** @internal */
export const make = (options: EndSession.Options): Effect.Effect<EndSession.EndSessionRequest, OAuthError.InvalidArgument> =>
  Effect.suspend(() => {
    if (!isRecord(options)) return Effect.fail(OAuthError.invalidArgument("options", "expected an object"))
    const given = options.state
    if (given !== undefined && given !== false && (typeof given !== "string" || given.length === 0)) {
      return Effect.fail(OAuthError.invalidArgument("state", "expected a non-empty string, or false"))
    }
    // a state is generated when the end-user comes back to the client (the callback then proves it is ours)
    if (given === undefined && options.postLogoutRedirectUri !== undefined) {
      return Effect.flatMap(randomToken(32), (state) => build(options, state))
    }
    return build(options, typeof given === "string" ? given : undefined)
  })

/** @internal */
export const validateCallback = (
  self: Pick<EndSession.EndSessionRequest, "state">,
  input: AuthorizationResponse.Input
): Either.Either<void, AuthorizationResponse.CallbackError> => {
  if (!isRecord(self)) return Either.left(AuthorizationResponse.invalidCallback("the logout request to validate against is not one"))
  const parsed = AuthorizationResponse.parse(input, { responseMode: "query" })
  if (Either.isLeft(parsed)) return Either.left(parsed.left)
  if (self.state === undefined) return Either.void
  const state = parsed.right.state
  if (state === undefined) return Either.left(AuthorizationResponse.missingState("logout"))
  if (state !== self.state) return Either.left(AuthorizationResponse.mismatchingState("logout"))
  return Either.void
}
