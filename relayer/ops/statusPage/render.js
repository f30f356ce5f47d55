// Status page rendering: builds every element with textContent (never innerHTML), so nothing the
// node stores can inject markup. Served by the relayer itself; no third-party code.

/** Creates an element with a class and text (or child nodes). */
export function el(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (Array.isArray(content)) node.append(...content);
  else if (content !== undefined && content !== null) node.textContent = String(content);
  return node;
}

/** OPG wei (decimal string) as OPG with up to 4 decimals. */
export function formatOpg(wei) {
  if (wei === null || wei === undefined) return "–";
  const value = BigInt(wei);
  const unit = 10n ** 18n;
  const whole = value / unit;
  const frac = (value % unit).toString().padStart(18, "0").slice(0, 4).replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac ? `.${frac}` : ""} OPG`;
}

/** A time (ms since the epoch) as local hh:mm:ss, or a dash. */
export function formatTime(ms) {
  return ms === null || ms === undefined ? "–" : new Date(ms).toLocaleTimeString("en-GB");
}

/** A duration in ms as "850 ms" or "3.2 s". */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A hash shortened for a table cell, linked to the explorer when the node configured one. */
export function txCell(hash, url) {
  if (!hash) return el("span", "muted", "–");
  const label = `${hash.slice(0, 10)}…`;
  if (!url) return el("code", "tx", label);
  const link = el("a", "tx", label);
  link.href = url;
  link.rel = "noopener noreferrer";
  link.target = "_blank";
  return link;
}

const stepOf = (view, name) => view.steps.find((s) => s.step === name);

/** One step's summary: its time, then the details it has (gas, tx, proving time). */
function stepCell(view, name) {
  const step = stepOf(view, name);
  const parts = [el("div", "time", formatTime(step.at))];
  if (name === "committed" && view.commitLatencyMs !== null)
    parts.push(el("div", "muted", `+${formatMs(view.commitLatencyMs)}`));
  if (name === "proved" && step.ms !== null && step.ms !== undefined) parts.push(el("div", "muted", formatMs(step.ms)));
  if (step.gas) parts.push(el("div", "gas", `gas ${step.gas}`));
  if (step.tx !== undefined) parts.push(txCell(step.tx, step.txUrl));
  return el("td", `step step-${name}`, parts);
}

/** The outcome badge: the final outcome, or the open state the job is in. */
function outcomeBadge(view) {
  const text = view.outcome ?? view.state;
  return el("span", `badge state-${text}`, text);
}

/** A table row for one request (the latest-requests table). */
export function requestRow(view) {
  const row = el("tr", "request");
  row.dataset.requestId = view.requestId;
  row.dataset.outcome = view.outcome ?? "";
  row.append(
    el("td", "id", [el("code", undefined, `${view.requestId.slice(0, 12)}…`)]),
    el("td", "model", view.modelId),
    el("td", "outcome", [outcomeBadge(view)]),
    el("td", "step step-requested", [
      el("div", "time", formatTime(stepOf(view, "requested").at)),
      el("div", "muted", `block ${stepOf(view, "requested").block}`),
    ]),
    stepCell(view, "committed"),
    stepCell(view, "proved"),
    stepCell(view, "settled"),
    el("td", "batch", view.outcome === "settled" ? String(view.batchSize) : "–"),
    el("td", "burned", formatOpg(view.burned)),
    el("td", "note muted", view.error ?? ""),
  );
  row.querySelector(".id code").title = view.requestId;
  return row;
}

/** The full lifecycle of one request, for the lookup form. */
export function requestDetail(view) {
  const list = el("ol", "lifecycle");
  for (const step of view.steps) {
    const item = el("li", `step step-${step.step}${step.at ? " done" : ""}`);
    item.dataset.step = step.step;
    const facts = [el("strong", undefined, step.step), el("span", "time", formatTime(step.at))];
    if (step.block !== undefined) facts.push(el("span", "muted", `block ${step.block}`));
    if (step.ms !== undefined && step.ms !== null) facts.push(el("span", "ms", `proving ${formatMs(step.ms)}`));
    if (step.gas) facts.push(el("span", "gas", `gas ${step.gas}`));
    if (step.batchSize !== undefined && step.at) facts.push(el("span", "batch", `batch of ${step.batchSize}`));
    if (step.tx) facts.push(txCell(step.tx, step.txUrl));
    item.append(...facts);
    list.append(item);
  }
  const summary = el("dl", "detail", [
    el("dt", undefined, "request"),
    el("dd", "id", [el("code", undefined, view.requestId)]),
    el("dt", undefined, "outcome"),
    el("dd", "outcome", [outcomeBadge(view)]),
    el("dt", undefined, "fees"),
    el("dd", undefined, `model ${formatOpg(view.modelFee)}, settlement ${formatOpg(view.settlementFee)}`),
    el("dt", undefined, "burned"),
    el("dd", "burned", formatOpg(view.burned)),
  ]);
  if (view.error) summary.append(el("dt", undefined, "note"), el("dd", "note", view.error));
  return el("div", "request-detail", [summary, list]);
}

/** Fills a `<dl>`'s `[data-field]` cells from `values` (missing ones show a dash). */
export function fillFields(root, values) {
  for (const cell of root.querySelectorAll("[data-field]")) {
    const value = values[cell.dataset.field];
    cell.textContent = value === undefined || value === null ? "–" : String(value);
  }
}
