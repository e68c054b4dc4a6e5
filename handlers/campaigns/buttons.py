"""The campaign buttons' callback data, as typed values (handlers/callbacks.py's codec).

Both wire formats predate the codec, and buttons already sent to chats must keep working, so
each kind reproduces its old strings byte for byte:

- ``cn:<owner's Telegram id>:<answer>``, the /campaign_new dialog's buttons. An answer is
  a step with its choice (``aud:3``, ``ctl:10``) or a step alone (``ok``): one field, since
  both shapes share the prefix;
- ``campaign:<id>:interested``, the "I'm interested" button under a campaign message.
"""

from __future__ import annotations

from typing import Literal

from handlers.callbacks import CallbackData

# Every answer a dialog button can carry: a segment of the newest run (at most 12 buttons,
# by index), everyone, no button, a control share, create, cancel, and the preview's button.
DialogAnswer = Literal[
    "aud:all",
    "aud:0",
    "aud:1",
    "aud:2",
    "aud:3",
    "aud:4",
    "aud:5",
    "aud:6",
    "aud:7",
    "aud:8",
    "aud:9",
    "aud:10",
    "aud:11",
    "btn:skip",
    "ctl:0",
    "ctl:10",
    "ctl:20",
    "ok",
    "no",
    "pv",
]


class DialogButton(CallbackData, prefix="cn"):
    """A press on a /campaign_new button: whose dialog it belongs to, and the answer."""

    owner: int  # the manager's Telegram id
    answer: DialogAnswer

    @property
    def step(self) -> str:
        """Return the step the answer is for: ``aud``, ``btn``, ``ctl``, ``ok``, ``no``, ``pv``."""
        return self.answer.partition(":")[0]

    @property
    def choice(self) -> str:
        """Return the choice made in the step (``3`` of ``aud:3``), or the step alone."""
        return self.answer.rpartition(":")[2]


class InterestButton(CallbackData, prefix="campaign"):
    """A customer's press on "I'm interested" under a campaign message."""

    campaign: int
    action: Literal["interested"] = "interested"
