"""Infrastructure shared by every service of the mall: never domain rules."""
