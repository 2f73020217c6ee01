/**
 * The demo's fleet protocol: the member prints only protocol lines on stdout (its logs go to stderr), the parent
 * skips lines that are not the protocol's, and a failure shows as one line of the table.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Queue } from "effect"
import { spawn } from "node:child_process"
import { dirname, join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { memberLine } from "../src/internal/demo.js"
import * as member from "../src/internal/member.js"
import { unreachableMember } from "./members.js"
import type * as platform from "../src/internal/platform.js"
import { oneLine } from "../src/internal/table.js"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")

/** A child that prints `lines` on stdout, then exits. */
const fakeChild = (lines: ReadonlyArray<string>) =>
  Effect.map(Queue.unbounded<string>(), (queue): platform.Child => {
    for (const line of lines) Queue.unsafeOffer(queue, line)
    return {
      line: Effect.flatMap(Queue.poll(queue), (line) => (line._tag === "Some" ? Effect.succeed(line.value) : Effect.fail(new Error("exited (0)")))),
      send: () => Effect.void
    }
  })

describe("the demo's fleet", () => {
  it.effect("the parent skips lines that are not protocol lines, and refuses an unexpected protocol line", () =>
    Effect.gen(function* () {
      const child = yield* fakeChild([
        "timestamp=2026-01-01T00:00:00Z level=WARN fiber=#1 message=hello",
        "",
        "[1, 2]",
        "null",
        '{"other": 1}',
        '{"ready": {"source": true, "redis": "x"}}',
        '{"ready": {"source": false, "redis": "y"}}'
      ])
      expect(yield* memberLine<member.Ready>(child, "ready")).toEqual({ ready: { source: true, redis: "x" } })
      const unexpected = yield* Effect.flip(memberLine<member.Result>(child, "result"))
      expect(unexpected.message).toMatch(/^unexpected line from a member of the fleet: \{"ready"/)
    })
  )

  it("a failure's text is one line: the line naming an error, whitespace collapsed", () => {
    expect(oneLine("exited (1) __demo-member: Error: boom\n    at f (x.ts:1:1)\n    at g (y.ts:2:2)")).toBe("exited (1) __demo-member: Error: boom")
    expect(oneLine("timestamp=t level=WARN message=slow\n\n__demo-member: RedisError: no\n  at x")).toBe("__demo-member: RedisError: no")
    expect(oneLine("  a\tlong \n  message  ")).toBe("a long")
    expect(oneLine("")).toBe("")
  })

  it("the member's stdout carries protocol lines only: its log lines (Redis unreachable) go to stderr", async () => {
    const parameters = unreachableMember(2)
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@oauth2/source", join(root, "packages/cli/src/bin.ts"), member.command], {
      cwd: root,
      env: { ...process.env, [member.env]: JSON.stringify(parameters) },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += String(chunk)))
    const stdout: Array<string> = []
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout.push(line)
      if (line.startsWith('{"ready"')) child.stdin.write("go\n")
    })
    const code = await new Promise<number | null>((done) => child.once("close", done))
    expect(code, stderr).toBe(0)
    expect(stderr).toContain("level=WARN")
    expect(stdout.map((l) => Object.keys(JSON.parse(l) as object))).toEqual([["ready"], ["result"]])
  }, 60_000)
})
