"""The built-in ops, each a ``Op`` with its forward and backward side by side."""
