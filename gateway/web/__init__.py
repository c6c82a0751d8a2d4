"""The mall's web pages, rendered here from the same service calls as the JSON API.

Citizens (``portal``), counter officers (``counter``), the mall's screens (``board``),
back-office staff (``office``) and managers (``manager``) each have a blueprint; pages work
without JavaScript except where they are live (positions, the console's queue, the board).
"""

from flask import Flask

from gateway.web import i18n, pages


def register(app: Flask) -> None:
    from gateway.web import board, counter, inbox, manager, office, portal, published, tax

    i18n.install(app)
    app.jinja_env.globals.update(pages.TEMPLATE_GLOBALS)
    app.jinja_env.globals["unread_count"] = inbox.unread_count  # the header's, once a page
    app.register_error_handler(404, pages.page_not_found)
    app.register_blueprint(pages.bp)
    for area in (portal, board, counter, office, manager, tax, inbox, published):
        pages.install_error_pages(area.bp)
        app.register_blueprint(area.bp)
