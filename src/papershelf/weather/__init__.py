"""papershelf.weather"""
