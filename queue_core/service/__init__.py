"""What runs on the writer path: the center's operations, people and tokens, the audit trail,
printing records and the read models of the consoles. Imports domain, storage and config."""
