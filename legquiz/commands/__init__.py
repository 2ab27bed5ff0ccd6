"""One module per command (group); cli.py only wires them together."""
