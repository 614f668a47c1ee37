"""The review itself: its typed settings, records and their keys, living-review rounds,
members' permissions and accounts."""
