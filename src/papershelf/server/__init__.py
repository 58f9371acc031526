"""The papershelf MCP server: `build_server(library)` and its transports."""
