"""Who may use the mall: accounts, sign-in sessions, throttling of failed sign-ins, and the
audit log. The gateway's only database, and nothing in it is a business rule."""
