"""Pure domain rules and vocabulary: no Flask, no database, no SpiffWorkflow."""
