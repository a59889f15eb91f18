"""Object kinds migra does not inspect (aggregates, collation clauses, operators, privileges): each module reads
its kind from the catalogs and writes the statements that take one database's to another's."""
