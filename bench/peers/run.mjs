#!/usr/bin/env node
/**
 * Peer benchmark: raw fetch, openid-client 6, oauth4webapi 3 and @oauth2 against a loopback stub token endpoint in
 * this process (node:http on 127.0.0.1, a random port), plus import time, memory and ID token validation.
 *
 *   npm run bench:peers                       # everything (about 4 minutes on a 2-core machine)
 *   npm run bench:peers -- --quick            # fewer iterations and smaller N (a smoke run of a few minutes)
 *   npm run bench:peers -- call import        # only some sections
 *   npm run bench:peers -- --build            # run `npm run build` first (@oauth2/* resolve to packages/*\/dist)
 *
 * Sections: call, throughput, singleflight, import, memory, idtoken. Contenders run in interleaved rounds
 * (A, B, C, D, A, B, C, D, ...) after a warm-up round, and the median of the rounds is reported, so that a noisy
 * machine slows every contender alike. Progress goes to stderr, the markdown table to stdout.
 *
 * Plain ESM (not type-checked): the peers are devDependencies of the private `@oauth2/bench` workspace only.
 */
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../..")

const CLIENT_ID = "bench-client"
const CLIENT_SECRET = "bench-secret"
const ANSWER = JSON.stringify({
  access_token: "2YotnFZFEjr1zCsicMWpAA2YotnFZFEjr1zCsicMWpAA",
  token_type: "Bearer",
  expires_in: 3600,
  scope: "read write"
})
const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" }

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
const now = () => performance.now()
const log = (...xs) => process.stderr.write(xs.join(" ") + "\n")

// ---------------------------------------------------------------------------------------------------------------
// The stub token endpoint: POST /token answers with Content-Length, POST /token-chunked with chunked transfer
// encoding (no Content-Length, the JSON written in two chunks).
// ---------------------------------------------------------------------------------------------------------------
const startStub = async () => {
  const stats = { requests: 0, lastAnswerAt: 0 }
  const split = ANSWER.length >> 1
  const server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      stats.requests++
      if (req.method !== "POST" || !(req.headers.authorization ?? "").startsWith("Basic ")) {
        res.writeHead(401, JSON_HEADERS).end(`{"error":"invalid_client"}`)
        return
      }
      if (req.url === "/token-chunked") {
        res.writeHead(200, JSON_HEADERS)
        res.write(ANSWER.slice(0, split))
        res.end(ANSWER.slice(split))
      } else {
        res.writeHead(200, { ...JSON_HEADERS, "content-length": Buffer.byteLength(ANSWER) })
        res.end(ANSWER)
      }
      stats.lastAnswerAt = now()
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve)
  })
  const base = `http://127.0.0.1:${server.address().port}`
  return {
    base,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The contenders: one client_credentials call with client_secret_basic; `call(scope)` resolves with the token.
// ---------------------------------------------------------------------------------------------------------------
const contenders = async (base, tokenPath, only) => {
  const url = `${base}${tokenPath}`
  const basic = "Basic " + Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString("base64")
  const all = (call) => (scopes) => Promise.all(scopes.map(call))
  const make = {
    // exactly what an application without a library writes
    "raw fetch": async () => {
      const call = async (scope) => {
        const res = await fetch(url, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", scope }).toString()
        })
        if (res.status !== 200) throw new Error(`raw fetch: status ${res.status}`)
        return await res.json()
      }
      return { call, many: all(call) }
    },
    // openid-client 6: a Configuration from a server metadata object, ClientSecretBasic, http allowed
    "openid-client": async () => {
      const oc = await import("openid-client")
      const config = new oc.Configuration({ issuer: base, token_endpoint: url }, CLIENT_ID, undefined, oc.ClientSecretBasic(CLIENT_SECRET))
      oc.allowInsecureRequests(config)
      const call = (scope) => oc.clientCredentialsGrant(config, { scope })
      return { call, many: all(call) }
    },
    // oauth4webapi 3: the request, then the processing of its response
    oauth4webapi: async () => {
      const o = await import("oauth4webapi")
      const as = { issuer: base, token_endpoint: url }
      const client = { client_id: CLIENT_ID }
      const auth = o.ClientSecretBasic(CLIENT_SECRET)
      const call = async (scope) =>
        o.processClientCredentialsResponse(
          as,
          client,
          await o.clientCredentialsGrantRequest(as, client, auth, { scope }, { [o.allowInsecureRequests]: true })
        )
      return { call, many: all(call) }
    },
    "@oauth2": () => oursClient(url),
    // the same over the Node.js transport (undici's request instead of fetch)
    "@oauth2 NodeTransport": () => oursClient(url, "node"),
    // what an application without a library writes with undici's request: the floor of the Node.js transport
    "raw undici request": async () => {
      const { request } = await import("undici")
      const call = async (scope) => {
        const res = await request(url, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ grant_type: "client_credentials", scope }).toString()
        })
        if (res.statusCode !== 200) throw new Error(`raw undici request: status ${res.statusCode}`)
        return await res.body.json()
      }
      return { call, many: all(call) }
    },
    // the floor of any Effect program: the raw fetch call above, run as one Effect on the same kind of
    // ManagedRuntime (no span: ours skips it under effect's built-in tracer too); many calls are one Effect.all with
    // unbounded concurrency
    "Effect floor": async () => {
      const { Effect, Layer, ManagedRuntime } = await import("effect")
      const raw = await make["raw fetch"]()
      const runtime = ManagedRuntime.make(Layer.empty)
      const one = (scope) => Effect.promise(() => raw.call(scope))
      return {
        call: (scope) => runtime.runPromise(one(scope)),
        many: (scopes) => runtime.runPromise(Effect.all(scopes.map(one), { concurrency: "unbounded" })),
        dispose: () => runtime.dispose()
      }
    }
  }
  const names = only === undefined ? Object.keys(make) : only
  const out = []
  for (const name of names) out.push({ name, ...(await make[name]()) })
  return out
}

// This library: OAuthClient.layer over Transport.layerFetch() (or NodeTransport.layer(); defaults; http is allowed on
// loopback), one ManagedRuntime built once, `runtime.runPromise` per call; many calls are one `Effect.all` with
// unbounded concurrency.
const oursClient = async (tokenEndpoint, transport = "fetch") => {
  const { Effect, Layer, ManagedRuntime } = await import("effect")
  const { TokenRequest } = await import("@oauth2/core")
  const { OAuthClient, Transport } = await import("@oauth2/http")
  const NodeTransport = await import("@oauth2/http/NodeTransport")
  const TransportLive = transport === "node" ? NodeTransport.layer() : Transport.layerFetch()
  const runtime = ManagedRuntime.make(
    OAuthClient.layer({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, endpoints: { tokenEndpoint } }).pipe(Layer.provide(TransportLive))
  )
  const token = (scope) => Effect.flatMap(OAuthClient.OAuthClient, (c) => c.token(TokenRequest.clientCredentials({ scope })))
  return {
    call: (scope) => runtime.runPromise(token(scope)),
    many: (scopes) => runtime.runPromise(Effect.all(scopes.map(token), { concurrency: "unbounded" })),
    dispose: () => runtime.dispose()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sections. Each returns rows { figure, contender, value, unit, ratio } for the table.
// ---------------------------------------------------------------------------------------------------------------
const fmt = (x, digits = 2) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(digits))
const ratioRow = (figure, name, value, unit, ref, refName, refLabel = refName) => ({
  figure,
  contender: name,
  value: `${fmt(value)} ${unit}`,
  ratio: name === refName ? "1.00 (reference)" : `${(value / ref).toFixed(2)}× ${refLabel}`
})

const sectionCall = async (cfg) => {
  const stub = await startStub()
  const rows = []
  try {
    const variants = [
      { label: "Content-Length", path: "/token" },
      { label: "chunked", path: "/token-chunked" }
    ]
    for (const v of variants) v.contenders = await contenders(stub.base, v.path)
    // sanity: the answers are what they claim to be, every contender gets a token
    for (const v of variants) {
      const res = await fetch(`${stub.base}${v.path}`, { method: "POST", headers: { authorization: "Basic eDp5" }, body: "" })
      const te = res.headers.get("transfer-encoding")
      await res.text()
      if (v.label === "chunked" ? te !== "chunked" : res.headers.get("content-length") === null)
        throw new Error(`stub ${v.path}: unexpected framing (transfer-encoding: ${te})`)
      for (const c of v.contenders) {
        const t = await c.call("read")
        const at = t.access_token ?? t.accessToken
        if (at === undefined) throw new Error(`${c.name}: no access token in ${Object.keys(t)}`)
      }
    }
    const batch = async (c) => {
      const t0 = now()
      for (let i = 0; i < cfg.callBatch; i++) await c.call("read")
      return (now() - t0) / cfg.callBatch
    }
    for (const v of variants) for (const c of v.contenders) await batch(c) // warm-up
    const times = new Map()
    for (let r = 0; r < cfg.callRounds; r++) {
      for (const v of variants)
        for (const c of v.contenders) {
          const key = `${v.label}/${c.name}`
          if (!times.has(key)) times.set(key, [])
          times.get(key).push(await batch(c))
        }
      log(`  call: round ${r + 1}/${cfg.callRounds}`)
    }
    for (const v of variants) {
      const ref = median(times.get(`${v.label}/raw fetch`))
      for (const c of v.contenders) {
        const m = median(times.get(`${v.label}/${c.name}`))
        rows.push(ratioRow(`one token call, ${v.label} (median per call)`, c.name, m * 1000, "µs", ref * 1000, "raw fetch"))
      }
    }
    for (const v of variants) for (const c of v.contenders) await c.dispose?.()
  } finally {
    await stub.close()
  }
  return rows
}

const sectionThroughput = async (cfg) => {
  const stub = await startStub()
  const rows = []
  try {
    const cs = await contenders(stub.base, "/token")
    const scopes = Array.from({ length: cfg.concurrent }, (_, i) => `read r${i}`)
    const round = async (c) => {
      const before = stub.stats.requests
      const t0 = now()
      const tokens = await c.many(scopes)
      const elapsed = now() - t0
      if (tokens.length !== cfg.concurrent || stub.stats.requests - before !== cfg.concurrent)
        throw new Error(`${c.name}: ${tokens.length} tokens, ${stub.stats.requests - before} requests`)
      return (cfg.concurrent / elapsed) * 1000
    }
    for (const c of cs) await round(c) // warm-up (opens the connections)
    const rates = new Map(cs.map((c) => [c.name, []]))
    for (let r = 0; r < cfg.throughputRounds; r++) {
      for (const c of cs) rates.get(c.name).push(await round(c))
      log(`  throughput: round ${r + 1}/${cfg.throughputRounds}`)
    }
    const ref = median(rates.get("raw fetch"))
    for (const c of cs)
      rows.push(
        ratioRow(`${cfg.concurrent} concurrent token calls (median requests/s)`, c.name, median(rates.get(c.name)), "req/s", ref, "raw fetch")
      )
    for (const c of cs) await c.dispose?.()
  } finally {
    await stub.close()
  }
  return rows
}

const sectionSingleFlight = async (cfg) => {
  const stub = await startStub()
  const rows = []
  try {
    const { Effect, Layer, ManagedRuntime } = await import("effect")
    const { TokenRequest } = await import("@oauth2/core")
    const { OAuthClient, Transport } = await import("@oauth2/http")
    const { TokenSource } = await import("@oauth2/flows")
    const ClientLive = OAuthClient.layer({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      endpoints: { tokenEndpoint: `${stub.base}/token` }
    }).pipe(Layer.provide(Transport.layerFetch()))
    const runtime = ManagedRuntime.make(
      TokenSource.layer({ grant: TokenRequest.clientCredentials({ scope: "read" }) }).pipe(Layer.provide(ClientLive))
    )
    const source = await runtime.runPromise(TokenSource.TokenSource)
    await runtime.runPromise(source.get) // warm-up: the first token
    const gets = Array.from({ length: cfg.singleFlightCallers }, () => source.get)
    const program = Effect.zipRight(source.invalidate(), Effect.all(gets, { concurrency: "unbounded", discard: true }))
    const totals = []
    const afterAnswer = []
    for (let r = 0; r < cfg.singleFlightRounds + 1; r++) {
      const before = stub.stats.requests
      const t0 = now()
      await runtime.runPromise(program)
      const t1 = now()
      const requests = stub.stats.requests - before
      if (requests !== 1) throw new Error(`single-flight: ${requests} token requests for ${cfg.singleFlightCallers} callers (expected 1)`)
      if (r === 0) continue // warm-up
      totals.push(t1 - t0)
      afterAnswer.push(t1 - stub.stats.lastAnswerAt)
    }
    await runtime.dispose()
    const n = cfg.singleFlightCallers.toLocaleString("en-US")
    rows.push({
      figure: `single-flight: ${n} concurrent gets of an invalidated token`,
      contender: "@oauth2 TokenSource",
      value: "1 token request",
      ratio: `every round (${cfg.singleFlightRounds})`
    })
    rows.push({
      figure: "single-flight: total time (median)",
      contender: "@oauth2 TokenSource",
      value: `${fmt(median(totals))} ms`,
      ratio: "peers: no equivalent"
    })
    rows.push({
      figure: "single-flight: from the token answer to all callers served (median)",
      contender: "@oauth2 TokenSource",
      value: `${fmt(median(afterAnswer))} ms`,
      ratio: "peers: no equivalent"
    })
  } finally {
    await stub.close()
  }
  return rows
}

const sectionImport = async (cfg) => {
  const targets = [
    { name: "effect", specs: ["effect"] },
    { name: "@oauth2 core+http+flows", specs: ["@oauth2/core", "@oauth2/http", "@oauth2/flows"] },
    { name: "openid-client", specs: ["openid-client"] },
    { name: "oauth4webapi", specs: ["oauth4webapi"] },
    { name: "jose", specs: ["jose"] }
  ]
  const once = (t) => {
    const code = `const t0 = performance.now(); await Promise.all(${JSON.stringify(t.specs)}.map((s) => import(s))); process.stdout.write(String(performance.now() - t0))`
    const w0 = now()
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: here, encoding: "utf8", timeout: 60_000 })
    const wall = now() - w0
    if (r.status !== 0) throw new Error(`import ${t.name}: ${r.stderr || r.error}`)
    return { import: Number(r.stdout), wall }
  }
  const baseline = () => {
    const w0 = now()
    spawnSync(process.execPath, ["--input-type=module", "-e", ""], { cwd: here, timeout: 60_000 })
    return now() - w0
  }
  for (const t of targets) once(t) // warm-up (file system cache)
  const res = new Map(targets.map((t) => [t.name, { import: [], wall: [] }]))
  const empty = []
  for (let r = 0; r < cfg.importRuns; r++) {
    empty.push(baseline())
    for (const t of targets) {
      const x = once(t)
      res.get(t.name).import.push(x.import)
      res.get(t.name).wall.push(x.wall)
    }
    log(`  import: run ${r + 1}/${cfg.importRuns}`)
  }
  const ref = median(res.get("effect").import)
  const rows = targets.map((t) => ({
    ...ratioRow("import in a cold process (median, in-process import time)", t.name, median(res.get(t.name).import), "ms", ref, "effect"),
    value: `${fmt(median(res.get(t.name).import))} ms (process ${fmt(median(res.get(t.name).wall))} ms)`
  }))
  rows.push({
    figure: "import in a cold process (median, in-process import time)",
    contender: "(empty node process)",
    value: `process ${fmt(median(empty))} ms`,
    ratio: ""
  })
  return rows
}

// Memory figures run in child processes (node --expose-gc), one per contender, so they do not pollute each other.
const child = (kind, n) => {
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--child", kind, String(n)], {
    cwd: here,
    encoding: "utf8",
    timeout: 20 * 60_000,
    maxBuffer: 1 << 20
  })
  if (r.status !== 0) throw new Error(`child ${kind}: ${r.stderr || r.error}`)
  return JSON.parse(r.stdout.trim().split("\n").pop())
}

const sectionMemory = async (cfg) => {
  const rows = []
  const heapKinds = [
    ["heap:json", "JSON.parse"],
    ["heap:ours", "@oauth2 BearerToken.decode"],
    ["heap:oauth4webapi", "oauth4webapi processClientCredentialsResponse"],
    ["heap:openid-client", "openid-client clientCredentialsGrant"]
  ]
  const heap = new Map()
  for (const [kind, name] of heapKinds) {
    heap.set(name, child(kind, cfg.heapN).bytesPerToken)
    log(`  memory: ${kind} done`)
  }
  const ref = heap.get("JSON.parse")
  const n = cfg.heapN.toLocaleString("en-US")
  for (const [, name] of heapKinds)
    rows.push(ratioRow(`retained heap per token answer (${n} kept)`, name, heap.get(name), "bytes", ref, "JSON.parse"))
  const rssKinds = [
    ["rss:fetch", "raw fetch"],
    ["rss:openid-client", "openid-client"],
    ["rss:ours", "@oauth2"],
    ["rss:ours-node", "@oauth2 NodeTransport"]
  ]
  const rss = new Map()
  for (const [kind, name] of rssKinds) {
    rss.set(name, child(kind, cfg.rssN))
    log(`  memory: ${kind} done`)
  }
  const m = cfg.rssN.toLocaleString("en-US")
  for (const [, name] of rssKinds)
    rows.push({
      ...ratioRow(
        `peak RSS after ${m} sequential token calls`,
        name,
        rss.get(name).maxRssMiB,
        "MiB",
        rss.get("openid-client").maxRssMiB,
        "openid-client"
      ),
      value: `${fmt(rss.get(name).maxRssMiB)} MiB (heap after gc ${fmt(rss.get(name).heapAfterGcMiB)} MiB)`
    })
  return rows
}

const runChild = async (kind, n) => {
  // a JWT-sized access token (~760 characters, as Auth0, Entra or oidc-provider issue), distinct per answer
  const bodyOf = (i) =>
    JSON.stringify({
      access_token: `eyJ${i.toString(36).padStart(8, "0")}.${"x".repeat(750)}`,
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read write"
    })
  if (kind.startsWith("heap:")) {
    let one
    if (kind === "heap:json") one = async (body) => JSON.parse(body)
    if (kind === "heap:ours") {
      const { Effect } = await import("effect")
      const { BearerToken } = await import("@oauth2/core")
      one = async (body) => Effect.runSync(BearerToken.decode(JSON.parse(body)))
    }
    if (kind === "heap:oauth4webapi") {
      const o = await import("oauth4webapi")
      const as = { issuer: "https://as.example.com", token_endpoint: "https://as.example.com/token" }
      const client = { client_id: CLIENT_ID }
      one = (body) => o.processClientCredentialsResponse(as, client, new Response(body, { headers: JSON_HEADERS }))
    }
    if (kind === "heap:openid-client") {
      const oc = await import("openid-client")
      const config = new oc.Configuration(
        { issuer: "https://as.example.com", token_endpoint: "https://as.example.com/token" },
        CLIENT_ID,
        undefined,
        oc.ClientSecretBasic(CLIENT_SECRET)
      )
      let next = ""
      config[oc.customFetch] = async () => new Response(next, { headers: JSON_HEADERS })
      one = (body) => {
        next = body
        return oc.clientCredentialsGrant(config, { scope: "read write" })
      }
    }
    if (one === undefined) throw new Error(`unknown child ${kind}`)
    for (let i = 0; i < 1000; i++) await one(bodyOf(i)) // warm-up: compiled code, lazy modules
    const kept = new Array(n).fill(undefined)
    global.gc()
    global.gc()
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < n; i++) kept[i] = await one(bodyOf(i))
    global.gc()
    global.gc()
    const after = process.memoryUsage().heapUsed
    if (kept.some((x) => x === undefined)) throw new Error("lost a token")
    return { kind, n, bytesPerToken: (after - before) / n }
  }
  if (kind.startsWith("rss:")) {
    const stub = await startStub()
    try {
      const name = {
        "rss:fetch": "raw fetch",
        "rss:openid-client": "openid-client",
        "rss:ours": "@oauth2",
        "rss:ours-node": "@oauth2 NodeTransport"
      }[kind]
      if (name === undefined) throw new Error(`unknown child ${kind}`)
      const [c] = await contenders(stub.base, "/token", [name]) // only this contender is loaded in this process
      for (let i = 0; i < n; i++) await c.call("read")
      if (stub.stats.requests !== n) throw new Error(`${stub.stats.requests} requests, expected ${n}`)
      await c.dispose?.()
      global.gc()
      return { kind, n, maxRssMiB: (process.resourceUsage().maxRSS * 1024) / 2 ** 20, heapAfterGcMiB: process.memoryUsage().heapUsed / 2 ** 20 }
    } finally {
      await stub.close()
    }
  }
  throw new Error(`unknown child ${kind}`)
}

const sectionIdToken = async (cfg) => {
  const jose = await import("jose")
  const { Effect } = await import("effect")
  const { IdToken } = await import("@oauth2/core")
  const issuer = "https://as.example.com"
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }
  const jwks = { keys: [jwk] }
  const nowS = Math.floor(Date.now() / 1000)
  const token = await new jose.SignJWT({ nonce: "n-0S6_WzA2Mj", auth_time: nowS })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(issuer)
    .setSubject("alice")
    .setAudience("my-app")
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 24 * 3600)
    .sign(privateKey)

  const localJwks = jose.createLocalJWKSet(jwks)
  const contenders = [
    {
      name: "jose jwtVerify + createLocalJWKSet",
      validate: async () => (await jose.jwtVerify(token, localJwks, { issuer, audience: "my-app", algorithms: ["RS256"] })).payload.sub
    },
    {
      name: "@oauth2 IdToken.validate (JWKS as data)",
      validate: async () => (await Effect.runPromise(IdToken.validate(token, { issuer, clientId: "my-app", keys: jwks, nonce: "n-0S6_WzA2Mj" }))).sub
    }
  ]
  for (const c of contenders) if ((await c.validate()) !== "alice") throw new Error(`${c.name}: wrong subject`)
  const batch = async (c) => {
    const t0 = now()
    for (let i = 0; i < cfg.idBatch; i++) await c.validate()
    return (now() - t0) / cfg.idBatch
  }
  for (const c of contenders) await batch(c)
  const times = new Map(contenders.map((c) => [c.name, []]))
  for (let r = 0; r < cfg.idRounds; r++) {
    for (const c of contenders) times.get(c.name).push(await batch(c))
    log(`  idtoken: round ${r + 1}/${cfg.idRounds}`)
  }
  const ref = median(times.get(contenders[0].name))
  return contenders.map((c) =>
    ratioRow(
      "RS256 ID token validation (median per validation)",
      c.name,
      median(times.get(c.name)) * 1000,
      "µs",
      ref * 1000,
      contenders[0].name,
      "jose"
    )
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------
const SECTIONS = {
  call: sectionCall,
  throughput: sectionThroughput,
  singleflight: sectionSingleFlight,
  import: sectionImport,
  memory: sectionMemory,
  idtoken: sectionIdToken
}

const checkDist = (build) => {
  const pkgs = ["core", "http", "flows"]
  if (build) {
    log("npm run build ...")
    const r = spawnSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
    if (r.status !== 0) throw new Error("npm run build failed")
  }
  const missing = pkgs.filter((p) => !existsSync(path.join(root, "packages", p, "dist", "index.js")))
  if (missing.length > 0) {
    log(`packages/{${missing.join(",")}}/dist missing: npm run build ...`)
    const r = spawnSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
    if (r.status !== 0) throw new Error("npm run build failed")
  }
  // the newest emitted file: what the @oauth2 figures measure, with the commit and whether packages/ had local edits
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name)
      return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith(".js") ? statSync(p).mtimeMs : 0)
    }, 0)
  const built = Math.max(...pkgs.map((p) => newest(path.join(root, "packages", p, "dist"))))
  const git = (...a) => spawnSync("git", a, { cwd: root, encoding: "utf8" }).stdout?.trim() ?? ""
  const dirty = git("status", "--porcelain", "--", "packages") !== ""
  return `${new Date(built).toISOString()} (commit ${git("rev-parse", "--short", "HEAD") || "?"}${dirty ? " + local edits under packages/" : ""})`
}

const main = async () => {
  const argv = process.argv.slice(2)
  if (argv[0] === "--child") {
    const out = await runChild(argv[1], Number(argv[2]))
    process.stdout.write(JSON.stringify(out) + "\n")
    return
  }
  if (typeof global.gc !== "function") log("note: run with node --expose-gc (npm run bench:peers does)")
  const quick = argv.includes("--quick")
  const build = argv.includes("--build")
  const unknown = argv.filter((a) => !a.startsWith("--") && !(a in SECTIONS))
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`)
  const chosen = argv.filter((a) => a in SECTIONS)
  const sections = chosen.length > 0 ? Object.keys(SECTIONS).filter((s) => chosen.includes(s)) : Object.keys(SECTIONS)
  const cfg = quick
    ? {
        callBatch: 30,
        callRounds: 3,
        concurrent: 1000,
        throughputRounds: 1,
        singleFlightCallers: 10_000,
        singleFlightRounds: 2,
        importRuns: 2,
        heapN: 10_000,
        rssN: 2_000,
        idBatch: 50,
        idRounds: 3
      }
    : {
        callBatch: 200,
        callRounds: 15,
        concurrent: 1000,
        throughputRounds: 9,
        singleFlightCallers: 10_000,
        singleFlightRounds: 9,
        importRuns: 11,
        heapN: 100_000,
        rssN: 100_000,
        idBatch: 200,
        idRounds: 15
      }

  const distBuilt = checkDist(build)
  const watchdog = setTimeout(
    () => {
      log("bench:peers: watchdog expired, giving up")
      process.exit(2)
    },
    (quick ? 10 : 60) * 60_000
  )
  watchdog.unref()

  const ver = (p) =>
    JSON.parse(spawnSync(process.execPath, ["-p", `JSON.stringify(require("${p}/package.json").version)`], { cwd: here, encoding: "utf8" }).stdout)
  const started = new Date()
  const rows = []
  for (const s of sections) {
    log(`${s} ...`)
    const t0 = now()
    try {
      rows.push(...(await SECTIONS[s](cfg)))
    } catch (e) {
      log(`${s} failed: ${e?.stack ?? e}`)
      rows.push({
        figure: s,
        contender: "-",
        value: "FAILED",
        ratio: String(e?.message ?? e)
          .split("\n")[0]
          .slice(0, 120)
      })
      process.exitCode = 1
    }
    log(`${s}: ${((now() - t0) / 1000).toFixed(1)} s`)
  }
  const cpu = os.cpus()
  const out = [
    `date: ${started.toISOString()}; machine: ${cpu.length} × ${cpu[0]?.model ?? "?"}, ${os.platform()} ${os.release()}, Node ${process.version}`,
    `command: npm run bench:peers${argv.length > 0 ? " -- " + argv.join(" ") : ""}; @oauth2 from packages/*/dist built ${distBuilt}; ` +
      `openid-client ${ver("openid-client")}, oauth4webapi ${ver("oauth4webapi")}, jose ${ver("jose")}, effect ${ver("effect")}`,
    "",
    "| figure | contender | median | ratio |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.figure} | ${r.contender} | ${r.value} | ${r.ratio} |`),
    "",
    "Times: lower is better; requests/s: higher is better. Ratios are contender / reference, medians of interleaved rounds.",
    'Concurrent calls: Promise.all of the peers\' calls; @oauth2: one runtime.runPromise(Effect.all(calls, { concurrency: "unbounded" })).'
  ]
  process.stdout.write(out.join("\n") + "\n")
}

main().catch((e) => {
  log(e?.stack ?? String(e))
  process.exit(1)
})
