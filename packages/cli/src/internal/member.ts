/**
 * The demo's shared-token row runs this command line's own entry again, twice, as the members of a small fleet: the
 * hidden subcommand below, with its parameters in an environment variable (so nothing shows in the process list).
 * Without that variable the subcommand is an unknown command like any other (a usage error, exit code 2), and it is
 * in no help text.
 */

/** The hidden subcommand. */
export const command = "__demo-member"

/** The environment variable holding the member's parameters (JSON). */
export const env = "OAUTH2_DEMO_MEMBER"

/** What the demo gives a member. */
export interface Parameters {
  readonly redisUrl: string
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope: ReadonlyArray<string>
  readonly resource: string
  /** The shared token's name in Redis. */
  readonly key: string
  /** The AES-256 key sealing it: base64 of 32 bytes. */
  readonly keyMaterial: string
  /** How many fibers ask for the token at once. */
  readonly fibers: number
}

/** The member's first line: its token source is built, and how it was loaded. */
export interface Ready {
  readonly ready: {
    /** Whether it runs from the TypeScript sources (under tsx) rather than the compiled dist. */
    readonly source: boolean
    /** Where `@oauth2/redis` resolved in it: its `src/index.ts` or its `dist/index.js`. */
    readonly redis: string
  }
}

/** The member's last line, after `go` on its stdin. */
export interface Result {
  readonly result: {
    /** The distinct access tokens its fibers got, as SHA-256 digests (hex). */
    readonly tokens: ReadonlyArray<string>
    /** The errors its fibers got (their tags). */
    readonly errors: ReadonlyArray<string>
  }
}
