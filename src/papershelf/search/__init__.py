"""papershelf.search"""
