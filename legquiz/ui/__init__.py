"""Talking to the person: questions as data, the terminal prompter, rendering."""
