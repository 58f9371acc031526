"""papershelf.cli"""
