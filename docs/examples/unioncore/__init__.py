"""UnionCore: a union's referral and dispatch system, schemaspec's worked example."""
