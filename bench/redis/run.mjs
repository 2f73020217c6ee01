#!/usr/bin/env node
/**
 * Fleet benchmark of @oauth2/redis: 8 processes x 1,000 fibers ask a shared token source for a token at once, on an
 * expired token, through a real redis-server (started here on a free loopback port, without persistence) and a
 * counting stub token endpoint in this process.
 *
 *   npm run bench:redis                              # 8 processes x 1,000 fibers, 3 rounds
 *   npm run bench:redis -- --processes 4 --fibers 500 --rounds 1 --transport fetch
 *
 * Each round runs twice, in fresh processes: alone (a `TokenSource` without Redis in every process: each renews on
 * its own, as without @oauth2/redis; the baseline) and shared (SharedTokenSource). It reports the token requests made
 * (goal when shared: 1 per round) and each fiber's latency from the start signal to its token, p50 and p99, for both;
 * what sharing adds over renewing alone (shared p99 - alone p99); and, shared, each fiber's latency after the one
 * token answer left the endpoint (answer -> stored in Redis -> announced -> read by every process -> every fiber),
 * which is the part Redis adds to one token round trip. Each process warms up first (renewals of a key of its own:
 * code paths, connections, Redis' script cache), then all start at once. The children are
 * packages/redis/test/fleet/child.ts, bundled with esbuild, over NodeTransport (`--transport fetch`: layerFetch).
 * Needs redis-server on the PATH. Progress goes to stderr, the markdown table to stdout.
 */
import { build } from "esbuild"
import { spawn } from "node:child_process"
import http from "node:http"
import net from "node:net"
import path from "node:path"
import { performance } from "node:perf_hooks"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../..")
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : Number(process.argv[i + 1])
}
const processes = arg("processes", 8)
const fibers = arg("fibers", 1000)
const rounds = arg("rounds", 3)
const transport = process.argv.includes("--transport") ? process.argv[process.argv.indexOf("--transport") + 1] : "node"
const log = (...xs) => process.stderr.write(xs.join(" ") + "\n")
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const ping = (port) =>
  new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" })
    socket.setTimeout(500, () => (socket.destroy(), resolve(false)))
    socket.on("error", () => resolve(false))
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (data) => (socket.destroy(), resolve(data.toString().startsWith("+PONG"))))
  })

// the stub token endpoint: a new access token per request, counted; when each answer left (absolute milliseconds)
let requests = 0
const answeredAt = []
const stub = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    requests++
    res
      .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(JSON.stringify({ access_token: `AT-${requests}`, token_type: "Bearer", expires_in: 3600 }))
    answeredAt.push(performance.timeOrigin + performance.now())
  })
})
await new Promise((r) => stub.listen(0, "127.0.0.1", r))
const tokenEndpoint = `http://127.0.0.1:${stub.address().port}/token`

const redisPort = await freePort()
const redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" })
const cleanup = () => {
  redis.kill("SIGKILL")
  stub.close()
}
process.on("exit", cleanup)
for (let i = 0; !(await ping(redisPort)); i++) {
  if (i > 200) throw new Error("redis-server did not answer PING")
  await sleep(25)
}

const child = path.join(root, "packages/redis/build/fleet/child.mjs")
log("bundling the fleet process ...")
await build({
  entryPoints: [path.join(root, "packages/redis/test/fleet/child.ts")],
  outfile: child,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@oauth2/source"],
  logLevel: "error",
  banner: { js: `import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);` }
})

// one token round trip: direct requests from this process
const direct = []
for (let i = 0; i < 50; i++) {
  const t = performance.now()
  const res = await fetch(tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic ZmxlZXQ6c2VjcmV0" },
    body: "grant_type=client_credentials"
  })
  await res.json()
  direct.push(performance.now() - t)
}
const roundTrip = percentile(direct, 50)
requests = 0

const start = (env) => {
  const p = spawn(process.execPath, [child], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "inherit"] })
  let out = ""
  const ready = new Promise((resolve) =>
    p.stdout.on("data", (c) => {
      out += c
      if (out.includes("ready\n")) resolve()
    })
  )
  const result = new Promise((resolve, reject) => {
    p.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"))
      if (line === undefined) reject(new Error(`a fleet process exited with ${code}`))
      else resolve(JSON.parse(line))
    })
  })
  return { p, ready, result }
}

/** One round in fresh processes: the requests made, the latencies from the start signal and after the last answer. */
const round = async (key, alone) => {
  const env = {
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    TOKEN_ENDPOINT: tokenEndpoint,
    KEY: key,
    KEY_MATERIAL: Buffer.alloc(32, 7).toString("base64"),
    FIBERS: String(fibers),
    WARMUP: "5",
    TRANSPORT: transport,
    ...(alone ? { ALONE: "1" } : {}),
    ...(process.env.WAIT ? { WAIT: process.env.WAIT } : {})
  }
  const members = Array.from({ length: processes }, () => start(env))
  await Promise.all(members.map((m) => m.ready))
  const before = requests // the warm-ups' requests left out
  const answers = answeredAt.length
  for (const m of members) m.p.stdin.write("go\n")
  const results = await Promise.all(members.map((m) => m.result))
  const millis = results.flatMap((r) => r.millis)
  const lastAnswer = answeredAt.length > answers ? answeredAt[answeredAt.length - 1] : undefined
  const afterAnswer = lastAnswer === undefined ? [] : results.flatMap((r) => r.millis.map((m) => r.startedAt + m - lastAnswer))
  return {
    requests: requests - before,
    errors: results.flatMap((r) => r.errors).length,
    tokens: new Set(results.flatMap((r) => r.tokens)).size,
    p50: percentile(millis, 50),
    p99: percentile(millis, 99),
    after50: afterAnswer.length === 0 ? NaN : percentile(afterAnswer, 50),
    after99: afterAnswer.length === 0 ? NaN : percentile(afterAnswer, 99)
  }
}

const rows = []
for (let n = 1; n <= rounds; n++) {
  log(`round ${n}: ${processes} processes alone ...`)
  const alone = await round(`alone-${n}`, true)
  log(`round ${n}: ${processes} processes shared ...`)
  const shared = await round(`bench-${n}`, false)
  log(
    `round ${n}: shared ${shared.requests} request(s), ${shared.errors} error(s), p50 ${shared.p50.toFixed(1)} ms, p99 ${shared.p99.toFixed(1)} ms;` +
      ` alone ${alone.requests} request(s), p50 ${alone.p50.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms`
  )
  rows.push({ n, alone, shared })
}

const fmt = (ms) => (Number.isNaN(ms) ? "-" : `${ms.toFixed(1)} ms`)
console.log(
  `\n${processes} processes x ${fibers} fibers on an expired token, over ${transport === "fetch" ? "layerFetch" : "NodeTransport"}; one token round trip (direct, median): ${fmt(roundTrip)}\n`
)
console.log(
  "| round | shared: token requests | errors | distinct tokens | p50 | p99 | after the answer p50 | after the answer p99 | alone: token requests | p50 | p99 | shared p99 - alone p99 |"
)
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for (const { n, alone, shared: s } of rows) {
  console.log(
    `| ${n} | ${s.requests} | ${s.errors} | ${s.tokens} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.after50)} | ${fmt(s.after99)} | ${alone.requests} | ${fmt(alone.p50)} | ${fmt(alone.p99)} | ${fmt(s.p99 - alone.p99)} |`
  )
}
cleanup()
process.exit(0)
