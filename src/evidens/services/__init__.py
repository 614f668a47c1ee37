"""Review steps over the store, one transaction each, every change written to the audit log."""
