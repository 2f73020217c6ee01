/** The app's settings and storage keys, shared with the server and the test. */

/** What the serving side tells the app: the issuer, its client, and the API. */
export interface Config {
  readonly issuer: string
  readonly clientId: string
  readonly redirectUri: string
  readonly postLogoutRedirectUri: string
  /** The API's base URL, and its resource indicator (RFC 8707) and scope for the access token. */
  readonly api: string
  readonly resource: string
  readonly scope: string
}

/** The `sessionStorage` keys: the pending request, the token (with its refresh token) and the login's nonce. */
export const keys = {
  pending: "spa.pending",
  token: "spa.token",
  nonce: "spa.nonce",
  renewals: "spa.renewals",
  logoutState: "spa.logout-state"
} as const
