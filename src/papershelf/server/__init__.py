"""papershelf.server"""
