"""Reconciliation of several exhibits of one chat (DESIGN.md §9): pure code, no database.

``items`` describes a message for alignment; ``align`` lines up the messages of several
exhibits in chat order; ``people`` proposes sender names that are one person; ``chats``
proposes conversations that are the same chat; ``states`` names each copy's state and why an
exhibit lacks a message.
"""
