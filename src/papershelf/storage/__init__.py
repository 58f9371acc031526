"""papershelf.storage"""
