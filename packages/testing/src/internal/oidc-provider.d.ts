/**
 * A minimal, internal declaration of the parts of `oidc-provider` 9.x that this package uses. The module ships no
 * types and `@types/oidc-provider` lags behind (9.12), so we declare only what we touch. Nothing here is part of the
 * public API: no public type of `@oauth2/testing` mentions these declarations.
 *
 * @internal
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http"

  export type AnyObject = Record<string, unknown>

  /** A Koa context, as far as we use it. */
  export interface KoaContext {
    req: IncomingMessage
    res: ServerResponse
    method: string
    path: string
    url: string
    status: number
    body: unknown
    type: string
    query: Record<string, string | Array<string> | undefined>
    set(field: string, value: string): void
    get(field: string): string
    accepts(...types: Array<string>): string | false
    redirect(url: string): void
    oidc: OIDCContext
  }

  export interface OIDCContext {
    readonly issuer: string
    readonly route: string
    readonly params: Record<string, unknown>
    readonly client: ClientModel
    readonly provider: Provider
    urlFor(name: string, options?: AnyObject): string
  }

  export interface ClientModel {
    readonly clientId: string
    readonly clientAuthMethod: string
    readonly jwks?: { readonly keys: ReadonlyArray<AnyObject> } | undefined
    grantTypeAllowed(type: string): boolean
  }

  export interface Account {
    accountId: string
    claims(use: string, scope: string, claims: AnyObject, rejected: Array<string>): Promise<AnyObject> | AnyObject
  }

  export type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>

  export interface InteractionDetails {
    readonly uid: string
    readonly prompt: { readonly name: string; readonly reasons: Array<string>; readonly details: AnyObject }
    readonly params: AnyObject
    readonly session?: { readonly accountId?: string; readonly uid?: string } | undefined
    readonly grantId?: string | undefined
    readonly lastSubmission?: AnyObject | undefined
  }

  export interface GrantModel {
    readonly jti: string
    accountId: string
    clientId: string
    addOIDCScope(scope: string): void
    addOIDCClaims(claims: ReadonlyArray<string>): void
    addResourceScope(resource: string, scope: string): void
    getOIDCScope(): string
    save(): Promise<string>
  }

  export interface GrantStatic {
    new (properties: { accountId: string; clientId?: string; client?: ClientModel }): GrantModel
    find(id: string): Promise<GrantModel | undefined>
  }

  export interface TokenModel {
    readonly jti: string
    readonly kind: string
    readonly accountId?: string | undefined
    readonly clientId: string
    readonly scope?: string | undefined
    readonly aud?: string | undefined
    readonly grantId?: string | undefined
    readonly isValid: boolean
    readonly expiration: number
    readonly tokenType: string
    extra?: AnyObject | undefined
    save(): Promise<string>
  }

  export interface AccessTokenStatic {
    new (properties: {
      accountId?: string | undefined
      client: ClientModel
      grantId?: string | undefined
      gty?: string | undefined
      scope?: string | undefined
      resourceServer?: ResourceServer | undefined
      extra?: AnyObject | undefined
    }): TokenModel
    find(value: string): Promise<TokenModel | undefined>
  }

  export interface ResourceServer {
    readonly scope: string
    readonly audience?: string | undefined
    identifier(): string
  }

  export interface ResourceServerInfo {
    scope: string
    audience?: string
    accessTokenTTL?: number
    accessTokenFormat?: "opaque" | "jwt"
    jwt?: { sign?: { alg?: string; kid?: string } }
  }

  export interface BackchannelAuthenticationRequestModel {
    readonly jti: string
    readonly clientId: string
    readonly accountId: string
    readonly scope: string
    readonly claims?: { id_token?: AnyObject; userinfo?: AnyObject } | undefined
    readonly params: AnyObject
    readonly resource?: string | Array<string> | undefined
    readonly grantId?: string | undefined
    readonly error?: string | undefined
    readonly isExpired: boolean
  }

  export interface DeviceCodeModel {
    readonly jti: string
    readonly accountId?: string | undefined
    readonly error?: string | undefined
  }

  export interface Configuration extends AnyObject {}

  export interface Provider {
    readonly issuer: string
    keys: Array<string>
    proxy: boolean
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
    use(middleware: Middleware): this
    on(event: string, listener: (...args: Array<any>) => void): this
    registerGrantType(
      name: string,
      handler: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>,
      parameters?: ReadonlyArray<string>,
      allowedDuplicateParameters?: ReadonlyArray<string>
    ): void
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: AnyObject, options?: { mergeWithLastSubmission?: boolean }): Promise<void>
    interactionResult(req: IncomingMessage, res: ServerResponse, result: AnyObject, options?: { mergeWithLastSubmission?: boolean }): Promise<string>
    backchannelResult(
      request: BackchannelAuthenticationRequestModel | string,
      result: GrantModel | string | Error,
      options?: { acr?: string; amr?: Array<string>; authTime?: number }
    ): Promise<void>
    readonly Grant: GrantStatic
    readonly AccessToken: AccessTokenStatic
    readonly ClientCredentials: AccessTokenStatic
    readonly Client: { find(id: string): Promise<ClientModel | undefined> }
    readonly BackchannelAuthenticationRequest: {
      find(id: string, options?: { ignoreExpiration?: boolean }): Promise<BackchannelAuthenticationRequestModel | undefined>
    }
    readonly ReplayDetection: { unique(iss: string, jti: string, exp: number): Promise<boolean> }
    readonly ResourceServer: new (identifier: string, info: ResourceServerInfo) => ResourceServer
  }

  export const Provider: new (issuer: string, configuration?: Configuration) => Provider

  export interface Check {
    readonly reason: string
    check: (ctx: KoaContext) => boolean
  }

  export interface Prompt {
    readonly name: string
    readonly checks: Array<Check> & { get(reason: string): Check | undefined }
  }

  export const interactionPolicy: {
    base(): Array<Prompt> & { get(name: string): Prompt | undefined }
  }

  export type ErrorConstructor = new (description?: string, detail?: string) => Error

  export const errors: {
    readonly OIDCProviderError: new (status: number, message: string) => Error
    readonly CustomOIDCProviderError: new (error: string, description?: string) => Error
    readonly AccessDenied: ErrorConstructor
    readonly InvalidRequest: ErrorConstructor
    readonly InvalidGrant: new () => Error
    readonly InvalidTarget: ErrorConstructor
    readonly InvalidScope: new (description: string, scope?: string) => Error
    readonly InvalidBindingMessage: ErrorConstructor
    readonly SessionNotFound: ErrorConstructor
  }
}

declare module "oidc-provider/lib/adapters/memory_adapter.js" {
  /** A fresh in-memory storage per call, unlike the module-wide default adapter (which also warns). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown
}
