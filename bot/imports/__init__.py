"""Getting data in: the CSV shapes, the importers and helpdesk presets, the batch checks, and the
all-or-nothing store writer."""
