import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A server the benchmark spawns: always `node <args>`, like an MCP host would. */
export interface ServerCommand {
  label: string;
  args: string[];
  cwd: string;
}

/** A spawned server with a connected SDK client. */
export interface McpProcess {
  client: Client;
  pid: number;
  /** From spawn to the first tools/list answer (initialize handshake included). */
  startupMs: number;
  /** CPU time (user + system) the server had used by then: less sensitive to other load. */
  startupCpuMs: number;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * Spawns the server over stdio with the official SDK client and waits for its first tools/list
 * answer, as an MCP host does before its first tool call.
 */
export async function startServer(command: ServerCommand): Promise<McpProcess> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: command.args,
    cwd: command.cwd,
    stderr: 'pipe',
  });
  let stderrTail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
  });
  const client = new Client({ name: 'chatbot-mcp-bench', version: '0.0.0' });

  const started = performance.now();
  try {
    await client.connect(transport);
    await client.listTools();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`${command.label} did not start: ${String(error)}\n${stderrTail}`);
  }
  const startupMs = performance.now() - started;
  const pid = transport.pid;
  if (pid === null) throw new Error(`${command.label}: the transport has no child pid`);
  const startupCpuMs = cpuMs(pid);

  return {
    client,
    pid,
    startupMs,
    startupCpuMs,
    async call(name, args) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) {
        // Timing failures would flatter the server; stop instead.
        const text = result.content.map((c) => (c.type === 'text' ? c.text : c.type)).join(' ');
        throw new Error(`${command.label}: ${name} failed: ${text}\n${stderrTail}`);
      }
      return result;
    },
    close: () => client.close(),
  };
}

/** Resident set size of a process in MB, from /proc (Linux only). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux only). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * (1000 / CLOCK_TICKS_PER_SECOND);
}

/** USER_HZ, the unit of /proc times: 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;
