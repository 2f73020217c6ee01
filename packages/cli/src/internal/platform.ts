/**
 * The platform services `@effect/cli` needs, for Node, without pulling in `@effect/platform-node` (and its cluster,
 * rpc and sql peers): the POSIX `Path`, a `FileSystem` that is never used (no command reads files), and a `Terminal`
 * that writes to stdout and does not prompt.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"

const terminal: Terminal.Terminal = {
  columns: Effect.sync(() => process.stdout.columns ?? 100),
  rows: Effect.sync(() => process.stdout.rows ?? 40),
  isTTY: Effect.sync(() => process.stdout.isTTY === true),
  readInput: Effect.flatMap(Mailbox.make<Terminal.UserInput>(), (mailbox) => Effect.as(mailbox.end, mailbox)),
  readLine: Effect.fail(new Terminal.QuitException()),
  display: (text) => Effect.sync(() => void process.stdout.write(text))
}

/** @internal */
export const layer: Layer.Layer<FileSystem.FileSystem | Path.Path | Terminal.Terminal> = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Layer.succeed(Terminal.Terminal, terminal)
)
