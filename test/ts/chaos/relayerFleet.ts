import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RelayerConfigInput } from "../../../relayer/common/config.ts";
import { openStore } from "../../../relayer/store/store.ts";
import type { TestNetwork } from "../relayer/harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
/** How often `waitIdle` reads the relayers' stores. */
const IDLE_POLL_MS = 500;
/** How long a relayer may take to exit after SIGTERM (drain plus cleanup) before it is killed. */
const STOP_TIMEOUT_MS = 90_000;

/** Peak resident memory (VmHWM, kB) of `pid` and of its descendants (the prover worker), from /proc. */
function peakRssKb(pid: number): { self: number; children: number } {
  const hwm = (p: number) => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  let children = 0;
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) {
          children = Math.max(children, hwm(Number(entry)));
        }
      } catch {
        // exited while we looked
      }
    }
  } catch {
    // no /proc
  }
  return { self: hwm(pid), children };
}

/** Current resident memory (VmRSS, kB) of `pid`, 0 when it is gone. */
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** One relayer run as `opg relayer start --config <file>` child processes, restarted after each kill. */
export type FleetMember = {
  name: string;
  dataDir: string;
  address?: string;
  child?: ChildProcess;
  starts: number;
  kills: number;
  /** Peak VmHWM (kB) seen of the relayer process and of its prover worker. */
  peakRssKb: number;
  peakProverRssKb: number;
};

/**
 * Relayer processes for a chaos run: each with its own key, data dir and config file (RPC through the
 * fault proxy), logging to `<dataDir>/relayer.log`.
 */
export function createRelayerFleet(
  net: TestNetwork,
  specs: { name: string; privateKey: string; overrides: Partial<RelayerConfigInput> }[],
) {
  const members = specs.map((spec) => {
    const { privateKey: _omit, ...config } = net.relayerConfig(spec.overrides);
    const file = join(config.dataDir, "config.json");
    writeFileSync(
      file,
      JSON.stringify(config, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    const member: FleetMember = {
      name: spec.name,
      dataDir: config.dataDir,
      starts: 0,
      kills: 0,
      peakRssKb: 0,
      peakProverRssKb: 0,
    };
    return { member, file, privateKey: spec.privateKey };
  });

  function sample(m: FleetMember) {
    if (!m.child?.pid || m.child.exitCode !== null) return;
    const rss = peakRssKb(m.child.pid);
    m.peakRssKb = Math.max(m.peakRssKb, rss.self);
    m.peakProverRssKb = Math.max(m.peakProverRssKb, rss.children);
  }

  function start(i: number) {
    const { member, file, privateKey } = members[i]!;
    const log = openSync(join(member.dataDir, "relayer.log"), "a");
    member.child = spawn(process.execPath, [join(ROOT, "bin", "opg.mjs"), "relayer", "start", "--config", file], {
      cwd: ROOT,
      env: { ...process.env, OPG_PRIVATE_KEY: privateKey, OPG_LOG_LEVEL: "warn" },
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    member.starts++;
  }

  function exited(child: ChildProcess): Promise<void> {
    return child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => child.once("exit", () => r()));
  }

  return {
    members: members.map((m) => m.member),
    startAll() {
      for (let i = 0; i < members.length; i++) start(i);
    },
    /** Samples every live relayer's peak memory (call periodically: a killed process takes its peak along). */
    sample() {
      for (const { member } of members) sample(member);
    },
    /** SIGKILLs relayer `i` (sampling its memory first) and waits until it is gone. */
    async kill(i: number) {
      const { member } = members[i]!;
      sample(member);
      const child = member.child!;
      child.kill("SIGKILL");
      await exited(child);
      member.kills++;
    },
    restart: start,
    /** Relayers that exited by themselves (a crash): name and exit code. */
    crashed(): string[] {
      return members
        .filter(({ member: m }) => m.child && m.child.exitCode !== null && m.child.exitCode !== 0)
        .map(({ member: m }) => `${m.name} exited with ${m.child!.exitCode}`);
    },
    /**
     * Waits until every running relayer has caught up with the chain and closed its jobs: its log cursor has
     * reached `head()` (less its confirmations) and its store holds no open job — a relayer restarted late may
     * still be reading old blocks, or hold `seen` rows for requests the other one settled. At most `timeoutMs`.
     * Returns the names of those still busy.
     */
    async waitIdle(timeoutMs: number, head: () => Promise<bigint>): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const target = Number(await head());
        const busy = members
          .filter(({ member: m }) => m.child && m.child.exitCode === null && !caughtUp(m.dataDir, target))
          .map(({ member: m }) => m.name);
        if (busy.length === 0 || Date.now() > deadline) return busy;
        await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
      }
    },
    /** SIGTERM to all; SIGKILL for any still running after the drain deadline. */
    async stopAll() {
      await Promise.all(
        members.map(async ({ member }) => {
          const child = member.child;
          if (!child || child.exitCode !== null || child.signalCode !== null) return;
          sample(member);
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
          await exited(child);
          clearTimeout(timer);
        }),
      );
    },
    /** Current resident memory of each live relayer process, MB (for a timeline across the run). */
    rssMb(): number[] {
      return members.map(({ member }) => (member.child?.pid ? Math.round(rssKb(member.child.pid) / 1024) : 0));
    },
    /** Bytes of each relayer's SQLite store (with its WAL). */
    storeBytes(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const { member } of members) {
        let bytes = 0;
        for (const f of ["relayer.sqlite", "relayer.sqlite-wal", "relayer.sqlite-shm"]) {
          const p = join(member.dataDir, f);
          if (existsSync(p)) bytes += statSync(p).size;
        }
        out[member.name] = bytes;
      }
      return out;
    },
  };
}

/**
 * Whether a relayer's store has read the chain up to `head` (less its configured confirmations) and holds no
 * open job. A relayer without a store yet has not caught up.
 */
function caughtUp(dataDir: string, head: number): boolean {
  const path = join(dataDir, "relayer.sqlite");
  if (!existsSync(path)) return false;
  const config = JSON.parse(readFileSync(join(dataDir, "config.json"), "utf8")) as {
    finality?: { confirmations?: number };
  };
  const store = openStore(path);
  try {
    const cursor = store.getCursor() ?? -1;
    return cursor >= head - (config.finality?.confirmations ?? 0) && store.openJobs().length === 0;
  } finally {
    store.close();
  }
}

/** The relayer processes of a chaos run. */
export type RelayerFleet = ReturnType<typeof createRelayerFleet>;
