"""Making untrusted text safe to show in a terminal: control characters and escape sequences out.

Text reaches the screen from suppliers' files, shoppers' keyboards and the model; any of them
could carry an escape sequence that moves the cursor, recolours or clears a kiosk's terminal.
"""

from __future__ import annotations

import re

# CSI/OSC escape sequences first (so their parameters go too), then any other C0/C1 control.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROLS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_control(text: str, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters (newlines and tabs kept if asked)."""
    text = _ESCAPES.sub("", text)
    if keep_newlines:
        return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROLS_AND_NEWLINES.sub(" ", text)
