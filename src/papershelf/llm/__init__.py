"""papershelf.llm"""
