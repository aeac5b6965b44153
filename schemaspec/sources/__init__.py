"""Sources: everything that can become a :class:`~schemaspec.spec.SchemaSpec`."""
