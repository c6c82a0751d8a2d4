"""The mall's web pages, rendered here from the same service calls as the JSON API.

Citizens (``portal``), counter officers (``counter``), the mall's screens (``board``),
back-office staff (``office``) and managers (``manager``) each have a blueprint; pages work
without JavaScript except where they are live (positions, the console's queue, the board).
"""

from flask import Flask

from gateway.web import pages


def register(app: Flask) -> None:
    from gateway.web import board, counter, manager, office, portal

    app.register_blueprint(pages.bp)
    for area in (portal, board, counter, office, manager):
        app.register_blueprint(area.bp)
        pages.install_error_pages(area.bp)
