"""The tutorial's weather MCP server over QWeather; independent of the paper library."""
