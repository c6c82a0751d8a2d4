"""The Mpp Template module of the mall: see README.md."""
