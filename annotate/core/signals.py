"""How a lower app lets the apps built on it act within its writes, without importing them.

The apps form layers (docs/ARCHITECTURE.md): an app imports only the apps below it. When a write of a lower
app must also change, or be refused by, data of a higher one (a transcript deleted while it holds codings;
a code merged into another, which moves its codings), the lower app sends a signal and the higher apps
receive it (each connects its receivers in ``AppConfig.ready``). Receivers run in the sender's transaction:
what they write commits or rolls back with the change itself, and a receiver refuses the change by
raising ``ApplicationError`` (a 4xx with its message), which rolls everything back.
"""

from typing import Any

from django.dispatch import Signal


def send_and_collect(signal: Signal, sender: type, **kwargs: Any) -> dict[str, Any]:
    """Send ``signal`` and merge what its receivers return (dicts of counts, e.g. ``{"units_added": 2}``);
    a receiver that raises stops the write it was asked about."""
    merged: dict[str, Any] = {}
    for _receiver, response in signal.send(sender=sender, **kwargs):
        if isinstance(response, dict):
            merged.update(response)
    return merged


def any_receiver_says(signal: Signal, sender: type, **kwargs: Any) -> bool:
    """Ask the receivers a yes/no question (e.g. "is this codebook in use?"): True if any answers True."""
    return any(response is True for _receiver, response in signal.send(sender=sender, **kwargs))
