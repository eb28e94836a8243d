"""Use cases shared by the cogs and the CLI; no Discord here."""
