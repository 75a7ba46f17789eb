"""The terminal UI (Textual): the only package that imports textual.

It drives :class:`localbot.assistant.Assistant` and owns no retrieval, prompting or storage of
its own. ``localbot chat`` reaches it through :func:`localbot.tui.app.run_app`.
"""
