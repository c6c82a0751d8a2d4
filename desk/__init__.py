"""The mall's application desk: what every application kind shares, free of any framework.

An application kind (a permit, a module's service, a complaint to come) is a ``Lifecycle``:
its states, the actions between them, which party takes each (the applicant, or officers
of given roles in the application's agency), which need a note, and in which states the
service-level clock runs. Deadlines count working days on the mall's one calendar
(``desk.deadlines``). Services keep their own storage and add what is theirs on top.
"""
