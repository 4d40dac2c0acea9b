"""Early warnings (预警) of the command centre: rules over the ledger and the streams raise an `EarlyWarning`,
which is worked on the workflow engine (process `command_warning`) like any other item."""
