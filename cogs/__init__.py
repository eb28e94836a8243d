"""Slash-command groups, one module each: parse options, check, call one service, render."""
