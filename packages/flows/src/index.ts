/**
 * @oauth2/flows: what happens over time. Grant programs, polling as `Schedule`, self-renewing token sources and
 * vendor presets, composed over `@oauth2/http`.
 *
 * @since 0.1.0
 */
export {}
