"""What acts: tools, their argument schemas, the effect ledger and the embedded world."""
