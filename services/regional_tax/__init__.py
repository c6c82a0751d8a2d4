"""The Regional Tax module of the mall: see README.md."""
