import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerRelayerCommands } from "../relayer/cli.ts";
import { registerTeeNodeCommands } from "../relayer/teeJobs/teeCommands.ts";
import { registerTeeCommands } from "../tee/index.ts";
import { registerModelCommands } from "../zkml/index.ts";

/** Reads the project's version from package.json (one source of truth). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Builds the `opg` command tree. Each component adds its own subcommands here
 * (`opg model …`, `opg relayer …`, `opg demo`).
 */
export function createProgram(): Command {
  const program = new Command("opg")
    .description("OPG HACA: verifiable AI inference settled on EVM chains")
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerModelCommands(program);
  registerRelayerCommands(program);
  registerTeeCommands(program);
  registerTeeNodeCommands(program);
  return program;
}

/**
 * Runs the CLI and returns its exit code. Errors are printed once, as a short message; nothing
 * below this function calls `process.exit`.
 */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(`opg: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
