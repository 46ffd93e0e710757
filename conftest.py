import os

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the test's own database calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
