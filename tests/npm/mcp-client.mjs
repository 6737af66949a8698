// Drives an MCP server with the MCP TypeScript SDK's client, for the tests of 'murmur mcp serve'.
// usage: node mcp-client.mjs list -- COMMAND [ARG...]
//        node mcp-client.mjs call TOOL JSON_ARGS -- COMMAND [ARG...]
// Prints one line of JSON: the tools/list result, the tools/call result, or {"protocolError":{code,message}}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const args = process.argv.slice(2);
const split = args.indexOf("--");
if (split < 1 || split === args.length - 1) {
  console.error("usage: mcp-client.mjs list|call TOOL JSON -- COMMAND [ARG...]");
  process.exit(2);
}
const [verb, ...rest] = args.slice(0, split);
const [command, ...commandArgs] = args.slice(split + 1);
const client = new Client({ name: "murmur-tests", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args: commandArgs, stderr: "inherit" }));
try {
  if (verb === "list") {
    console.log(JSON.stringify(await client.listTools()));
  } else if (verb === "call") {
    const [name, json] = rest;
    try {
      console.log(JSON.stringify(await client.callTool({ name, arguments: JSON.parse(json ?? "{}") })));
    } catch (error) {
      // A JSON-RPC error (e.g. an unknown tool) rather than a tool result with isError.
      console.log(JSON.stringify({ protocolError: { code: error.code, message: error.message } }));
    }
  } else {
    console.error(`unknown verb '${verb}'`);
    process.exitCode = 2;
  }
} finally {
  await client.close();
}
