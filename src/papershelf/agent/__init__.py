"""papershelf.agent"""
