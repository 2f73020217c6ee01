/**
 * Without the `openssl` command, a test server with mutual TLS fails to start with a clear message and leaves
 * nothing running: the process that tried ends by itself (its loopback listener is closed).
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")

describe("TestServer with mtls, openssl missing", () => {
  it("fails to start, says openssl is not installed, and the process ends by itself", async () => {
    // a PATH without openssl (node is run by its absolute path)
    const path = mkdtempSync(join(tmpdir(), "oauth2-no-openssl-"))
    symlinkSync("/bin/sh", join(path, "sh"))
    try {
      const script = `import("@oauth2/testing").then(({ TestServer }) => TestServer.start({ mtls: true })).then(
        () => console.log("started"),
        (error) => console.log("failed: " + error.message)
      )`
      const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@oauth2/source", "-e", script], {
        cwd: root,
        env: { ...process.env, PATH: path },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk) => (stdout += String(chunk)))
      child.stderr.on("data", (chunk) => (stderr += String(chunk)))
      // a process that does not end by itself is killed (then its code is null)
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000)
      const code = await new Promise<number | null>((done) => child.once("close", done))
      clearTimeout(killer)
      expect(code, stderr).toBe(0)
      expect(stdout).toMatch(/^failed: the openssl command is not installed/)
    } finally {
      rmSync(path, { recursive: true, force: true })
    }
  }, 30_000)
})
