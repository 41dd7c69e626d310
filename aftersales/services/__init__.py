"""Writes of the after-sales app: tickets, their SLA clock, attachments, recall campaigns."""
