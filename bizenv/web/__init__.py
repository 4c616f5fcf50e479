"""The shared web plumbing every app's views use: paging whose count stops at CAP (paging.py), the <id:…> converter
(converters.py), sign-out (accounts.py), 404 unless permitted (permissions.py), file downloads (files.py), work
done once the response has been sent (after.py), and everything rendered in Python instead of through templates
for the busiest pages (fast.py)."""
