"""schemaspec"""
