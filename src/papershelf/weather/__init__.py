"""The tutorial's weather MCP server over QWeather; independent of the paper library."""

# The tutorial's port; here so the CLI can show it without loading the server.
DEFAULT_PORT = 9001
