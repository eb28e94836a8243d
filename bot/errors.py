"""The one base class for errors a user can fix: bad input, a missing creator, a file that
cannot be imported. The CLI prints them without a traceback and the bot answers them with a
short ephemeral message; anything else is a bug and is logged with its traceback."""


class UserError(Exception):
    """Something the user can act on; the message names the field and what was expected."""
