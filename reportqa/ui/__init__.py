"""Stage 5, the ways in: the command line and the web pages.

``cli`` is ``python -m reportqa search|ask``, ``tables`` formats its tables,
``render`` builds the escaped HTML of the pages.
"""
