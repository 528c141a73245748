"""The built-in ops, each a ``Function`` with its forward and backward side by side."""
