"""finesse's cache under the project's .finesse/cache/: entries named by all that made them (``store``), and
the desired schema's inspection and the proofs of plans kept there (``desired``)."""
