import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_METRICS_PORT } from "../../../relayer/common/config.ts";
import { createMetrics } from "../../../relayer/ops/metrics.ts";

const MONITORING = join(import.meta.dirname, "..", "..", "..", "deploy", "monitoring");

type Panel = { title: string; targets: { expr: string }[] };

describe("deploy/monitoring", () => {
  it("charts every relayer metric on the Grafana dashboard, and only metrics the relayer exports", async () => {
    const dashboard = JSON.parse(readFileSync(join(MONITORING, "grafana-dashboard.json"), "utf8")) as {
      panels: Panel[];
    };
    const used = new Set(
      dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/opg_relayer_\w+/g) ?? [])),
    );
    const metrics = await createMetrics().registry.getMetricsAsJSON();
    const exported = new Set(
      metrics.flatMap((m) =>
        String(m.type) === "histogram" ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
      ),
    );
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    const charted = metrics.filter((m) => [...used].some((name) => name.startsWith(m.name)));
    expect(charted.map((m) => m.name).sort()).toEqual(metrics.map((m) => m.name).sort());
  });

  it("scrapes the relayer's default operations port in the sample Prometheus config", () => {
    const config = readFileSync(join(MONITORING, "prometheus.yml"), "utf8");
    expect(config).toContain("metrics_path: /metrics");
    expect(config).toContain(`127.0.0.1:${DEFAULT_METRICS_PORT}`);
  });
});
