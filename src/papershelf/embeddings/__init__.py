"""papershelf.embeddings"""
