"""Wire schemas: every RPC payload and event, described once for every side."""
