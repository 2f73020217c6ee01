#!/usr/bin/env node
/**
 * The `oauth2` executable. `oauth2 --help` (or `-h`) prints its text without loading anything else; every other
 * command line is parsed and run by @effect/cli, loaded on demand. Exit code: 0 success, 1 authorization failure,
 * 2 usage error, 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP (the finalizers run first: the
 * demo's servers and temporary files are removed).
 *
 * @since 0.1.0
 */
import { text as help } from "./internal/help.js"

const args = process.argv.slice(2)

if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
  process.stdout.write(process.stdout.isTTY === true ? help : help.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ""))
} else {
  void import("./internal/member.js").then((member) =>
    args[0] === member.command && process.env[member.env] !== undefined
      ? // a member of the demo's fleet, started by `oauth2 demo` (without its parameters: an unknown command, below)
        Promise.all([import("./internal/demoMember.js"), import("./internal/runMain.js")]).then(([{ main }, { runMain }]) =>
          runMain(main(args.slice(1)))
        )
      : // run as a fiber, interrupted on SIGINT (130), SIGTERM (143) or SIGHUP (129): the finalizers run
        Promise.all([import("./internal/cli.js"), import("./internal/runMain.js")]).then(([{ main }, { runMain }]) => runMain(main(process.argv)))
  )
}
