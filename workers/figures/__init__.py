"""Server-side figures (matplotlib, Agg, no pyplot state) drawn from stored analysis results."""
