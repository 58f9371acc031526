"""papershelf.ingest"""
