// The status page's script: polls /api/status (same origin, GET only) and redraws; looks requests up
// through /api/requests/<id>. Nothing here can send a transaction: the node serves no such endpoint.
import { drawChart } from "./charts.js";
import { el, fillFields, formatOpg, requestDetail, requestRow } from "./render.js";

/** How often the page refreshes (the node caches its chain reads, so this adds no RPC load). */
const REFRESH_MS = 2000;
/** The order job states are listed in: the pipeline's, then the final ones. */
const STATE_ORDER = [
  "seen",
  "committing",
  "committed",
  "proved",
  "settling",
  "settled",
  "lost",
  "rejected",
  "declined",
  "expired",
  "failed",
  "simulated",
  "refunded",
];

const $ = (selector) => document.querySelector(selector);

function renderNode(status) {
  const b = status.node.balances;
  fillFields($("#node"), {
    address: status.node.address,
    staked: b && formatOpg(b.staked),
    freeBond: b && formatOpg(b.freeBond),
    lockedBond: b && formatOpg(b.lockedBond),
    unbonding: b && formatOpg(b.unbonding),
    earnings: b && formatOpg(b.earnings),
  });
  const note = status.node.balancesError
    ? `chain read failed: ${status.node.balancesError}`
    : b
      ? `read from the chain at ${new Date(b.readAt).toLocaleTimeString("en-GB")}`
      : "";
  $("#balances-note").textContent = note;
}

function renderChain(status) {
  const c = status.chain;
  fillFields($("#chain"), {
    head: c.head,
    cursor: c.cursor,
    blockLag: `${c.blockLag} block${c.blockLag === 1 ? "" : "s"}`,
    finality: c.finality,
    rpc: `${c.rpcOk ? "ok" : "failing"} (${c.rpcHosts.join(", ") || "none"})`,
    queue: `${status.health.queueDepth} queued, ${status.health.stuckJobs} stuck`,
  });
}

function renderJobs(byState) {
  const states = [
    ...STATE_ORDER.filter((s) => s in byState),
    ...Object.keys(byState).filter((s) => !STATE_ORDER.includes(s)),
  ];
  const rows = states.map((state) => {
    const row = el("tr", undefined, [el("td", "state", state), el("td", "count", byState[state])]);
    row.dataset.state = state;
    return row;
  });
  if (rows.length === 0) rows.push(el("tr", "muted", [el("td", undefined, "no jobs yet"), el("td")]));
  $("#jobs-by-state tbody").replaceChildren(...rows);
}

function render(status) {
  const health = $("#health");
  health.textContent = status.health.ok ? "healthy" : "unhealthy";
  health.className = `badge ${status.health.ok ? "ok" : "bad"}`;
  $("#updated").textContent =
    `${status.dryRun ? "dry run · " : ""}updated ${new Date(status.generatedAt).toLocaleTimeString("en-GB")}`;
  renderNode(status);
  renderChain(status);
  renderJobs(status.jobsByState);
  drawChart($("#chart-commit-latency"), status.charts.commitLatencyMs, { unit: " ms" });
  drawChart($("#chart-proving"), status.charts.provingMs, { unit: " ms" });
  drawChart($("#chart-batch-size"), status.charts.batchSize);
  drawChart($("#chart-settlements"), status.charts.settlementsPerMinute, { bars: true });
  $("#recent tbody").replaceChildren(...status.recent.map(requestRow));
  document.body.dataset.loaded = String(status.generatedAt);
}

async function refresh() {
  try {
    const res = await fetch("/api/status", { cache: "no-store" });
    if (!res.ok) throw new Error(`/api/status answered ${res.status}`);
    render(await res.json());
    $("#load-error").hidden = true;
  } catch (error) {
    $("#load-error").textContent = `cannot load the node's status: ${error.message}`;
    $("#load-error").hidden = false;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

async function lookUp(id) {
  const out = $("#lookup-result");
  out.replaceChildren(el("p", "muted", "looking up…"));
  const res = await fetch(`/api/requests/${encodeURIComponent(id)}`, { cache: "no-store" });
  const body = await res.json();
  out.replaceChildren(res.ok ? requestDetail(body) : el("p", "error", body.error ?? `answered ${res.status}`));
  out.dataset.requestId = res.ok ? body.requestId : "";
}

$("#lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("#lookup-id").value.trim();
  history.replaceState(null, "", `?id=${encodeURIComponent(id)}`);
  lookUp(id).catch((error) => $("#lookup-result").replaceChildren(el("p", "error", error.message)));
});

const linked = new URLSearchParams(location.search).get("id");
if (linked) {
  $("#lookup-id").value = linked;
  lookUp(linked).catch(() => undefined);
}
refresh();
