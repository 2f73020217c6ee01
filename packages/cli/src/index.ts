/**
 * @oauth2/cli: the `oauth2` command and the demo.
 *
 * @since 0.1.0
 */

/** The demo against the embedded server. @since 0.1.0 */
export * as Demo from "./Demo.js"
/** The command line. @since 0.1.0 */
export * as Cli from "./Cli.js"
