// A stdio MCP server built on the MCP TypeScript SDK whose 'crash' tool ends its own process in the middle of the
// call, so the tests can watch a client answer the call, restart the server and call it again.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "crashing-server", version: "1.0.0" });
server.registerTool("whoami", {
  description: "Returns the server's process id and the text it was given.",
  inputSchema: { text: z.string() },
  annotations: { readOnlyHint: true },
}, async ({ text }) => ({ content: [{ type: "text", text: `${process.pid}:${text}` }] }));
server.registerTool("crash", {
  description: "Exits the server process while the call is in flight.",
  annotations: { readOnlyHint: true },
}, async () => { process.exit(3); });
await server.connect(new StdioServerTransport());
