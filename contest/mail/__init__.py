"""Outgoing email: recorded with the change that causes it, sent in the background in batches
(contest/mail/outbox.py), and listed for the organisers when it could not be delivered."""
