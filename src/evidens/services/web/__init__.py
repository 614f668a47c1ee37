"""What only the web app reads and does: the screening queue, ordering, handouts, setup and
views."""
